// The leading group's overview: every target of the three tracks, current values from the services.
import type { Options } from 'k6/options';
import { PILOT_OVERVIEW } from '../src/views-operations.ts';
import { bearer, graphql } from './lib.ts';

export const options: Options = {
  scenarios: {
    overview: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV['RATE'] ?? 20),
      timeUnit: '1s',
      duration: __ENV['DURATION'] ?? '1m',
      preAllocatedVUs: 20,
      maxVUs: 100,
      tags: { view: 'pilotOverview' },
      exec: 'pilotOverview',
    },
  },
  thresholds: {
    // One figures call per request; the city figures scan the register, so allow more than a lookup.
    'http_req_duration{view:pilotOverview}': ['p(95)<500'],
    'http_req_failed{view:pilotOverview}': ['rate<0.01'],
    'checks{view:pilotOverview}': ['rate>0.99'],
  },
};

export function setup(): { token: string } {
  return { token: bearer() };
}

export function pilotOverview(data: { token: string }): void {
  graphql('pilotOverview', PILOT_OVERVIEW, {}, data.token);
}
