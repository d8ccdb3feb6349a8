// 一户一档 at a fixed arrival rate of 100 requests/s: p95 ≤ 100 ms (issue 5's target, with the full
// Pingquan data set loaded). Household ids come from the first pages of the contracts list.
import type { Options } from 'k6/options';
import { CONTRACTS, HOUSEHOLD } from '../src/views-operations.ts';
import { bearer, type GraphQLResponse, graphql } from './lib.ts';

export const options: Options = {
  scenarios: {
    household: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV['RATE'] ?? 100),
      timeUnit: '1s',
      duration: __ENV['DURATION'] ?? '1m',
      preAllocatedVUs: 50,
      maxVUs: 200,
      tags: { view: 'household' },
      exec: 'household',
    },
  },
  thresholds: {
    'http_req_duration{view:household}': ['p(95)<100'],
    'http_req_failed{view:household}': ['rate<0.01'],
    'checks{view:household}': ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

interface ContractsPage {
  contracts: {
    edges: { node: { household: { id: string } | null } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export function setup(): { token: string; ids: string[] } {
  const token = bearer();
  const ids = new Set<string>();
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const res: GraphQLResponse<ContractsPage> = graphql<ContractsPage>(
      'setup',
      CONTRACTS,
      { first: 100, after },
      token,
    );
    for (const edge of res.data?.contracts.edges ?? [])
      if (edge.node.household) ids.add(edge.node.household.id);
    if (!res.data?.contracts.pageInfo.hasNextPage) break;
    after = res.data.contracts.pageInfo.endCursor;
  }
  if (ids.size === 0) throw new Error('no households: load data first (npm start seeds a demo city)');
  return { token, ids: [...ids] };
}

export function household(data: { token: string; ids: string[] }): void {
  const id = data.ids[(__VU * 7919 + __ITER) % data.ids.length] as string;
  graphql('household', HOUSEHOLD, { id }, data.token);
}
