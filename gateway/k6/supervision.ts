// The supervision list: overdue and at-risk targets with their responsible units.
import type { Options } from 'k6/options';
import { SUPERVISION_ITEMS } from '../src/views-operations.ts';
import { bearer, graphql } from './lib.ts';

export const options: Options = {
  scenarios: {
    supervision: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV['RATE'] ?? 20),
      timeUnit: '1s',
      duration: __ENV['DURATION'] ?? '1m',
      preAllocatedVUs: 20,
      maxVUs: 100,
      tags: { view: 'supervisionItems' },
      exec: 'supervision',
    },
  },
  thresholds: {
    'http_req_duration{view:supervisionItems}': ['p(95)<500'],
    'http_req_failed{view:supervisionItems}': ['rate<0.01'],
    'checks{view:supervisionItems}': ['rate>0.99'],
  },
};

export function setup(): { token: string } {
  return { token: bearer() };
}

export function supervision(data: { token: string }): void {
  graphql('supervisionItems', SUPERVISION_ITEMS, { first: 20 }, data.token);
}
