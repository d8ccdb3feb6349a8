import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../../test/support/platform.js';
import type { Downstream } from '../src/downstream.js';
import { LIMITS } from '../src/limits.js';
import { loadManifest, manifestOf, operationHash } from '../src/persisted.js';
import {
  downstreamOf,
  gql,
  startGateway,
  startIdentityProvider,
  type TestGateway,
  type TestIdentityProvider,
  token,
} from './support.js';

// OWASP GraphQL cheat sheet: each limit rejects what exceeds it, production hides the schema, internal
// errors are masked, slow requests time out, production clients run persisted operations only.

let platform: Platform;
let idp: TestIdentityProvider;
let prod: TestGateway;
let prodPersisted: TestGateway;
let devPersisted: TestGateway;
let slow: TestGateway;
let dev: string;

const PERSISTED = '{ referenceDataVersion }';
const PERSISTED_QUERY = 'query Version { referenceDataVersion }';

beforeAll(async () => {
  platform = await startPlatform();
  idp = await startIdentityProvider();
  dev = await token({ sub: 'p:lg', pq_role: 'LEADING_GROUP' });
  const dir = mkdtempSync(join(tmpdir(), 'pq-persisted-'));
  const manifestFile = join(dir, 'operations.json');
  writeFileSync(manifestFile, JSON.stringify(manifestOf([PERSISTED, PERSISTED_QUERY])));
  prod = await startGateway(platform, idp.env);
  prodPersisted = await startGateway(platform, { ...idp.env, PERSISTED_OPERATIONS_FILE: manifestFile });
  devPersisted = await startGateway(platform, { PERSISTED_OPERATIONS_FILE: manifestFile });
  // A downstream that answers slower than the request timeout (a stuck service, a lock wait).
  const real = downstreamOf(platform);
  const stuck: Downstream = {
    ...real,
    landContract: new Proxy(real.landContract, {
      get(target, prop, receiver) {
        if (prop !== 'listContracts') return Reflect.get(target, prop, receiver);
        return async () => {
          await new Promise((r) => setTimeout(r, 3000));
          throw new Error('never answered');
        };
      },
    }),
  };
  slow = await startGateway(platform, { REQUEST_TIMEOUT_MS: '300' }, { downstream: stuck });
});
afterAll(async () => {
  await Promise.all([prod?.close(), prodPersisted?.close(), devPersisted?.close(), slow?.close()]);
  await idp?.close();
  await platform?.stop();
});

const url = () => platform.gatewayUrl;

function nested(levels: number): string {
  // contract → household → contracts → household … one level per field, inside-out.
  let inner = 'code';
  for (let i = levels - 1; i >= 0; i--) inner = `${i % 2 === 0 ? 'household' : 'contracts'} { ${inner} }`;
  return `{ contract(idOrCode: "1308811022010000111") { ${inner} } }`;
}

describe('limits (development mode names the limit)', () => {
  it(`accepts a query within every limit`, async () => {
    const res = await gql(url(), dev, nested(LIMITS.depth - 3));
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it(`rejects depth above ${LIMITS.depth}`, async () => {
    const res = await gql(url(), dev, nested(LIMITS.depth + 1));
    expect(res.errors?.[0]?.message).toMatch(/depth limit of 10/i);
  });

  it(`rejects more than ${LIMITS.aliases} aliases`, async () => {
    const aliases = Array.from({ length: LIMITS.aliases + 1 }, (_, i) => `a${i}: referenceDataVersion`).join(
      ' ',
    );
    const res = await gql(url(), dev, `{ ${aliases} }`);
    expect(res.errors?.[0]?.message).toMatch(/aliases limit of 15/i);
    const ok = await gql(url(), dev, `{ ${aliases.split(' a').slice(0, LIMITS.aliases).join(' a')} }`);
    expect(ok.errors).toBeUndefined();
  });

  it(`rejects more than ${LIMITS.tokens} tokens before parsing further`, async () => {
    const res = await gql(url(), dev, `{ ${'referenceDataVersion '.repeat(LIMITS.tokens)} }`);
    expect(res.errors?.[0]?.message).toMatch(/token limit of 3000/i);
  });

  it(`rejects a cost above ${LIMITS.cost}`, async () => {
    const page =
      'contracts(first: 100) { nodes { plots { code name contractArea surveyedArea landClass } household { members { name } } } }';
    const five = Array.from({ length: 5 }, (_, i) => `c${i}: ${page}`).join(' ');
    const res = await gql(url(), dev, `{ ${five} }`);
    expect(res.errors?.[0]?.message).toMatch(/cost limit of 20000/i);
  });

  it(`rejects an HTTP batch of more than ${LIMITS.batch} operations`, async () => {
    const op = { query: '{ referenceDataVersion }' };
    const ok = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dev}` },
      body: JSON.stringify(Array.from({ length: LIMITS.batch }, () => op)),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(LIMITS.batch);
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dev}` },
      body: JSON.stringify(Array.from({ length: LIMITS.batch + 1 }, () => op)),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await res.json())).toMatch(/Batching is limited to 5 operations/i);
  });
});

describe(`request body limit (${LIMITS.requestBodyBytes} bytes)`, () => {
  // A query padded with a comment to `size` bytes of JSON body.
  const padded = (size: number) => {
    const base = JSON.stringify({ query: '{ referenceDataVersion }\n#' });
    return JSON.stringify({ query: `{ referenceDataVersion }\n#${'x'.repeat(size - base.length)}` });
  };
  // A fresh connection per request (agent: false): after a 413 the server stops reading the refused
  // body and drops the connection, as servers do, so it must not be reused.
  function post(body: string, chunked = false): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const bytes = Buffer.from(body);
      const req = request(
        `${url()}/graphql`,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${dev}`,
            ...(chunked ? {} : { 'content-length': String(bytes.length) }),
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = text;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      // The server may answer 413 and close before the whole body is written.
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      // Without a Content-Length node sends the writes as chunks (transfer-encoding: chunked).
      for (let i = 0; i < bytes.length; i += 65_536) req.write(bytes.subarray(i, i + 65_536));
      req.end();
    });
  }

  it('refuses a declared body over the limit with 413', async () => {
    const res = await post(padded(LIMITS.requestBodyBytes + 1));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] });
  });

  it('counts a chunked body without Content-Length and refuses it past the limit', async () => {
    const over = await post(padded(LIMITS.requestBodyBytes + 65_536), true);
    expect(over.status).toBe(413);
    const under = await post(padded(200_000), true);
    expect(under.status).toBe(200);
    expect(under.json).toMatchObject({ data: { referenceDataVersion: expect.any(String) } });
  });

  it('answers a body at the limit', async () => {
    const res = await post(padded(LIMITS.requestBodyBytes));
    expect(res.status).toBe(200);
  });
});

describe('production mode', () => {
  const prodToken = () => idp.sign({ pq_role: 'LEADING_GROUP' });

  it('refuses introspection', async () => {
    const res = await gql(prod.url, await prodToken(), '{ __schema { types { name } } }');
    expect(res.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_DISABLED');
    const typeQuery = await gql(prod.url, await prodToken(), '{ __type(name: "Household") { name } }');
    expect(typeQuery.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_DISABLED');
    const devRes = await gql(url(), dev, '{ __schema { queryType { name } } }');
    expect(devRes.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('gives no field suggestions', async () => {
    const res = await gql(prod.url, await prodToken(), '{ referenceDataVersio }');
    expect(res.errors?.[0]?.message).toMatch(/Cannot query field/);
    expect(res.errors?.[0]?.message).not.toMatch(/did you mean/i);
    const devRes = await gql(url(), dev, '{ referenceDataVersio }');
    expect(devRes.errors?.[0]?.message).toMatch(/did you mean "referenceDataVersion"/i);
  });

  it('does not say which limit was hit', async () => {
    const res = await gql(prod.url, await prodToken(), nested(LIMITS.depth + 1));
    expect(res.errors?.[0]?.message).toBe('Syntax Error: Query validation error.');
    expect(res.data).toBeUndefined();
  });

  it('serves no GraphiQL', async () => {
    const html = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await html.text()).not.toMatch(/graphiql/i);
    const devHtml = await fetch(url(), { headers: { accept: 'text/html' } });
    expect(await devHtml.text()).toMatch(/GraphiQL/);
  });
});

describe('request timeout', () => {
  it('stops a query that runs longer than REQUEST_TIMEOUT_MS with TIMEOUT', async () => {
    const started = Date.now();
    const res = await gql(slow.url, dev, '{ contracts { totalCount } }');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('TIMEOUT');
  });
});

describe('persisted operations', () => {
  const hash = operationHash(PERSISTED);

  it('runs a persisted operation by documentId and by Apollo persistedQuery hash', async () => {
    const bearer = await idp.sign({ pq_role: 'LEADING_GROUP' });
    const byId = await gql(prodPersisted.url, bearer, { documentId: hash });
    expect(byId.errors).toBeUndefined();
    expect(byId.data).toHaveProperty('referenceDataVersion');
    const apollo = await gql(prodPersisted.url, bearer, {
      operationName: 'Version',
      extensions: { persistedQuery: { version: 1, sha256Hash: operationHash(PERSISTED_QUERY) } },
    });
    expect(apollo.errors).toBeUndefined();
    expect(apollo.data).toHaveProperty('referenceDataVersion');
  });

  it('accepts only persisted operations in production with a manifest', async () => {
    const bearer = await idp.sign({ pq_role: 'LEADING_GROUP' });
    const text = await gql(prodPersisted.url, bearer, { query: PERSISTED });
    expect(text.status).toBe(400);
    expect(text.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_OPERATION_REQUIRED');
    const unknown = await gql(prodPersisted.url, bearer, { documentId: operationHash('{ noop }') });
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_OPERATION_NOT_FOUND');
  });

  it('accepts both in development, and free text in production without a manifest', async () => {
    const byId = await gql(devPersisted.url, dev, { documentId: hash });
    const text = await gql(devPersisted.url, dev, { query: '{ referenceDataVersion }' });
    const prodText = await gql(prod.url, await idp.sign({ pq_role: 'LEADING_GROUP' }), { query: PERSISTED });
    for (const res of [byId, text, prodText]) expect(res.errors).toBeUndefined();
  });

  it('refuses a manifest whose id is not the hash of its document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pq-persisted-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ [hash]: '{ noop }' }));
    expect(() => loadManifest(file)).toThrow(/not the SHA-256/);
    const apollo = join(dir, 'apollo.json');
    writeFileSync(
      apollo,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: hash, name: 'V', type: 'query', body: PERSISTED }],
      }),
    );
    expect(loadManifest(apollo).get(hash)).toBe(PERSISTED);
  });
});
