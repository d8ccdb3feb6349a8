// Shared by the k6 scripts: where the gateway is, the token, and one GraphQL call with checks.
// Run a script with k6 (TypeScript needs k6 ≥ 0.57), e.g.
//   PQ_TOKEN=$(pnpm --silent dev-token --role LEADING_GROUP) k6 run gateway/k6/household.ts
import { check, fail } from 'k6';
import { sha256 } from 'k6/crypto';
import { post } from 'k6/http';

export const GATEWAY_URL = __ENV['GATEWAY_URL'] ?? 'http://127.0.0.1:4080/graphql';

/** Send only the hash (production gateways with a manifest accept nothing else). */
const PERSISTED = __ENV['PERSISTED'] === '1';

export function bearer(): string {
  const token = __ENV['PQ_TOKEN'];
  if (!token) fail('set PQ_TOKEN, e.g. PQ_TOKEN=$(pnpm --silent dev-token --role LEADING_GROUP)');
  return token;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One operation over HTTP POST, tagged with the view so thresholds can be set per view. */
export function graphql<T>(
  view: string,
  document: string,
  variables: Record<string, unknown>,
  token: string,
): GraphQLResponse<T> {
  const body = PERSISTED
    ? { documentId: sha256(document, 'hex'), variables }
    : { query: document, variables };
  const res = post(GATEWAY_URL, JSON.stringify(body), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    tags: { view },
  });
  // The gateway answers JSON text; k6 gives a binary body only when asked to (responseType).
  const parsed = (typeof res.body === 'string' && res.body ? JSON.parse(res.body) : {}) as GraphQLResponse<T>;
  check(
    res,
    {
      'status is 200': (r) => r.status === 200,
      'no GraphQL errors': () => (parsed.errors ?? []).length === 0,
    },
    { view },
  );
  return parsed;
}
