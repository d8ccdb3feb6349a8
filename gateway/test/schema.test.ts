import { existsSync, readFileSync } from 'node:fs';
import { createLogger, GrpcClients, PrincipalSigner } from '@pingquan/kit';
import { TEST_SIGNING_KEY } from '@pingquan/kit/testing';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../src/config.js';
import {
  breakingChanges,
  conventionViolations,
  currentSnapshot,
  SNAPSHOT_PATH,
  sdlSchema,
} from '../src/schema/base-snapshot.js';
import { createGateway } from '../src/server.js';
import { VIEW_OPERATIONS } from '../src/views-operations.js';

const REGENERATE = 'pnpm exec tsx --conditions=pq-source gateway/src/cli/schema.ts --write';

describe('schema snapshot (gateway/schema.graphql)', () => {
  const committed = existsSync(SNAPSHOT_PATH) ? readFileSync(SNAPSHOT_PATH, 'utf8') : '';

  it('has no unreviewed breaking change relative to the snapshot', () => {
    const changes = breakingChanges(committed).map((c) => `${c.type}: ${c.description}`);
    expect(
      changes,
      `Breaking changes for existing clients. If intended, run \`${REGENERATE} --accept-breaking\` and have the diff of schema.graphql reviewed.`,
    ).toEqual([]);
  });

  it('is up to date', () => {
    expect(
      committed === currentSnapshot(),
      `schema.graphql is stale: run \`${REGENERATE}\` and commit it.`,
    ).toBe(true);
  });

  it('detects a breaking change (the check itself works)', () => {
    const snapshot = currentSnapshot();
    const changed = snapshot.replace('referenceDataVersion: String!', 'referenceDataVersion: Int!');
    expect(changed).not.toBe(snapshot);
    expect(breakingChanges(snapshot, buildSchema(changed)).map((c) => c.type)).toEqual([
      'FIELD_CHANGED_KIND',
    ]);
    // Adding a field is not breaking.
    const added = snapshot.replace(
      'referenceDataVersion: String!',
      'referenceDataVersion: String!\n  extra: Int',
    );
    expect(breakingChanges(snapshot, buildSchema(added))).toEqual([]);
  });
});

describe('schema conventions', () => {
  it('describes every type and field, names consistently, uses Relay connections and typed payloads', () => {
    expect(conventionViolations(sdlSchema())).toEqual([]);
  });
});

describe('example operations (GraphiQL, k6, persisted manifest)', () => {
  const gateway = createGateway({
    config: gatewayConfigSchema.parse({
      JWT_DEV_SECRET: 'dev-secret-for-tests-with-at-least-32-chars',
      PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
      LIVE_EVENTS_ENABLED: 'false',
    }),
    logger: createLogger('gateway', 'silent'),
    clients: new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY) }),
  });

  it.each(Object.entries(VIEW_OPERATIONS))('%s is valid and within every limit', (_name, document) => {
    // getEnveloped applies the server's plugins: the token limit at parse, depth, aliases and cost at validate.
    const { parse, validate, schema } = gateway.yoga.getEnveloped({});
    const errors = validate(schema, parse(document));
    expect(errors.map((e: { message: string }) => e.message)).toEqual([]);
  });
});
