// Everything in one township, cycling through the 19 townships.
import type { Options } from 'k6/options';
import { TOWNSHIP } from '../src/views-operations.ts';
import { bearer, graphql } from './lib.ts';

const TOWNSHIPS = Array.from({ length: 19 }, (_, i) => `130881${String(100 + i).padStart(3, '0')}`);

export const options: Options = {
  scenarios: {
    township: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV['RATE'] ?? 50),
      timeUnit: '1s',
      duration: __ENV['DURATION'] ?? '1m',
      preAllocatedVUs: 30,
      maxVUs: 150,
      tags: { view: 'township' },
      exec: 'township',
    },
  },
  thresholds: {
    'http_req_duration{view:township}': ['p(95)<300'],
    'http_req_failed{view:township}': ['rate<0.01'],
    'checks{view:township}': ['rate>0.99'],
  },
};

export function setup(): { token: string } {
  return { token: bearer() };
}

export function township(data: { token: string }): void {
  const code = TOWNSHIPS[(__VU + __ITER) % TOWNSHIPS.length] as string;
  graphql('township', TOWNSHIP, { code }, data.token);
}
