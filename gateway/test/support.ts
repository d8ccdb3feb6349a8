import { createServer } from 'node:http';
import { createLogger } from '@pingquan/kit';
import { TEST_SIGNING_KEY } from '@pingquan/kit/testing';
import {
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { inject } from 'vitest';
import { JWT_DEV_SECRET, type Platform } from '../../test/support/platform.js';
import type { TokenClaims } from '../src/auth.js';
import { mintDevToken } from '../src/auth.js';
import { type GatewayConfig, gatewayConfigSchema } from '../src/config.js';
import { createDownstream, type Downstream } from '../src/downstream.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/server.js';

export { JWT_DEV_SECRET };

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  config: GatewayConfig;
  close(): Promise<void>;
}

/**
 * Another gateway over the platform's land-contract service, with its own configuration (production
 * mode, a manifest, a short timeout, a counting downstream, an audit sink).
 */
export async function startGateway(
  platform: Platform,
  env: Record<string, string | undefined> = {},
  options: Partial<Omit<GatewayOptions, 'config' | 'logger' | 'clients'>> = {},
): Promise<TestGateway> {
  const config = gatewayConfigSchema.parse({
    LOG_LEVEL: process.env['GW_TEST_LOG'] ?? 'silent',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    JWT_DEV_SECRET,
    PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
    LAND_CONTRACT_GRPC_URL: `127.0.0.1:${platform.landContract.port}`,
    PROPERTY_MORTGAGE_GRPC_URL: `127.0.0.1:${platform.propertyMortgage.port}`,
    NATS_URL: inject('natsUrl'),
    NATS_SUBJECT_PREFIX: platform.prefix,
    ...env,
  });
  const gateway = createGateway({
    config,
    logger: createLogger('gateway', process.env['GW_TEST_LOG'] ?? 'silent'),
    clients: platform.clients,
    ...options,
  });
  const port = await gateway.listen();
  return { gateway, url: `http://127.0.0.1:${port}/graphql`, config, close: () => gateway.close() };
}

export function token(claims: TokenClaims): Promise<string> {
  return mintDevToken(
    { JWT_ISSUER: 'https://id.pingquan.example', JWT_AUDIENCE: 'pingquan-gateway', JWT_DEV_SECRET },
    claims,
  );
}

/** POSTs one operation (or a raw body) and returns status and parsed body. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  bearer: string | null,
  body: Record<string, unknown> | unknown[] | string,
  headers: Record<string, string> = {},
): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? JSON.stringify({ query: body }) : JSON.stringify(body),
  });
  const json = (await res.json()) as Omit<GqlResult<T>, 'status'>;
  return { status: res.status, ...json };
}

/** The real downstream clients of the platform's services (to wrap in tests). */
export function downstreamOf(platform: Platform): Downstream {
  return createDownstream(
    platform.clients,
    gatewayConfigSchema.parse({
      JWT_DEV_SECRET,
      PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
      LAND_CONTRACT_GRPC_URL: `127.0.0.1:${platform.landContract.port}`,
      PROPERTY_MORTGAGE_GRPC_URL: `127.0.0.1:${platform.propertyMortgage.port}`,
    }),
  );
}

/** Wraps every downstream client method to count calls per `client.method`. */
export function countingDownstream(downstream: Downstream): {
  downstream: Downstream;
  calls: Map<string, number>;
  reset(): void;
} {
  const calls = new Map<string, number>();
  const wrapped = Object.fromEntries(
    Object.entries(downstream).map(([name, client]) => [
      name,
      new Proxy(client as object, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function' || typeof prop !== 'string') return value;
          return (...args: unknown[]) => {
            const key = `${name}.${prop}`;
            calls.set(key, (calls.get(key) ?? 0) + 1);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
    ]),
  ) as unknown as Downstream;
  return { downstream: wrapped, calls, reset: () => calls.clear() };
}

/** A valid resident ID number, distinct for each n below 20,160,000. */
export const rid = (n: number) => {
  const yy = 40 + (n % 60);
  const mm = 1 + (Math.floor(n / 60) % 12);
  const dd = 1 + (Math.floor(n / 720) % 28);
  const seq = Math.floor(n / 20_160) % 1000;
  const pad = (v: number, w = 2) => String(v).padStart(w, '0');
  const first17 = `13088119${pad(yy)}${pad(mm)}${pad(dd)}${pad(seq, 3)}`;
  return first17 + residentIdCheckCharacter(first17);
};

export interface SeededHousehold {
  id: string;
  code: string;
  villageCode: string;
  townshipCode: string;
  contractCodes: string[];
  residentIds: string[];
}

const LEAD_A: TokenClaims = { sub: 'test:lead-a', pq_role: 'LEAD_UNIT', pq_track: 'A' };

/**
 * Registers, through the gateway as track A's lead unit, an issuer in `villageCode` and `households`
 * households with one contract each.
 */
export async function seedVillage(
  url: string,
  villageCode: string,
  households: number,
  opts: { start?: number; body9?: string } = {},
): Promise<SeededHousehold[]> {
  const bearer = await token(LEAD_A);
  const issuerCode = makeIssuerCode(villageCode, 0);
  const body9 = opts.body9 ?? `MA${villageCode.slice(-7)}`;
  const issuer = await gql(url, bearer, {
    query: `mutation($input: RegisterIssuerInput!) { registerIssuer(input: $input) { issuer { id } userErrors { code message } } }`,
    variables: {
      input: {
        code: issuerCode,
        creditCode: makeCollectiveOrgCode('VILLAGE', '130881', body9),
        name: `${villageCode}股份经济合作社`,
        change: { reason: 'test', idempotencyKey: `issuer-${issuerCode}` },
      },
    },
  });
  if (issuer.errors) throw new Error(`registerIssuer: ${JSON.stringify(issuer.errors)}`);
  const seeded: SeededHousehold[] = [];
  const start = opts.start ?? 1;
  for (let i = start; i < start + households; i++) {
    const base = Number(villageCode.slice(-6)) * 100;
    const residentIds = [rid(base + i), rid(base + 50 + i)];
    const code = makeContractorCode(issuerCode, i);
    const h = await gql<{ registerHousehold: { household: { id: string } | null; userErrors: unknown[] } }>(
      url,
      bearer,
      {
        query: `mutation($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { household { id } userErrors { code message } } }`,
        variables: {
          input: {
            code,
            address: `${villageCode} ${i}号`,
            members: [
              { residentId: residentIds[0], name: `户主${i}`, relation: 'HEAD' },
              { residentId: residentIds[1], name: `配偶${i}`, relation: 'SPOUSE' },
            ],
            change: { reason: 'test', idempotencyKey: `household-${code}` },
          },
        },
      },
    );
    const id = h.data?.registerHousehold.household?.id;
    if (!id) throw new Error(`registerHousehold: ${JSON.stringify(h)}`);
    const contractCode = makeContractCode(issuerCode, i, 'FAMILY');
    const c = await gql(url, bearer, {
      query: `mutation($input: RegisterContractInput!) { registerContract(input: $input) { contract { id } userErrors { code message } } }`,
      variables: { input: contractInput(contractCode, id, issuerCode, i) },
    });
    if (c.errors) throw new Error(`registerContract: ${JSON.stringify(c.errors)}`);
    seeded.push({
      id,
      code,
      villageCode,
      townshipCode: villageCode.slice(0, 9),
      contractCodes: [contractCode],
      residentIds,
    });
  }
  return seeded;
}

export function contractInput(contractCode: string, householdId: string, issuerCode: string, i: number) {
  return {
    code: contractCode,
    householdId,
    mode: 'FAMILY',
    termStart: '1998-10-01',
    termEnd: '2028-09-30',
    secondRoundEnd: '2028-09-30',
    plots: [
      {
        code: makePlotCode(issuerCode, i * 2),
        name: `南梁${i}`,
        contractArea: '2.5',
        surveyedArea: '2.6',
        landClass: 'CULTIVATED',
        boundaries: { east: '路', south: '沟', west: '王家', north: '山' },
      },
      {
        code: makePlotCode(issuerCode, i * 2 + 1),
        name: `北坡${i}`,
        contractArea: '1.25',
        surveyedArea: '1.3',
        landClass: 'GRASS',
        boundaries: { east: '林', south: '路', west: '李家', north: '梁' },
      },
    ],
    change: { reason: 'test', idempotencyKey: `contract-${contractCode}` },
  };
}

export interface TestIdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Signs a token with the provider's key (ES256). */
  sign(claims: Record<string, unknown>, opts?: { aud?: string; exp?: string }): Promise<string>;
  /** Environment for a production gateway trusting this provider. */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1 with one ES256 key, standing in for the identity provider. */
export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const pair = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  const issuer = 'https://id.example';
  const audience = 'pq';
  return {
    jwksUrl,
    issuer,
    audience,
    sign: (claims, opts = {}) => {
      const { sub, ...rest } = claims;
      return new SignJWT(rest)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(typeof sub === 'string' ? sub : 'user:1')
        .setIssuer(issuer)
        .setAudience(opts.aud ?? audience)
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? '5m')
        .sign(pair.privateKey);
    },
    env: {
      GATEWAY_MODE: 'production',
      JWT_JWKS_URL: jwksUrl,
      JWT_DEV_SECRET: undefined,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
