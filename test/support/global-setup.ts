import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startNatsServer } from '../../infra/src/local/nats.js';
import { freePort } from '../../infra/src/local/ports.js';
import { startEmbeddedPostgres } from '../../infra/src/local/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    natsUrl: string;
    natsPort: number;
    testDataDir: string;
  }
}

/**
 * One PostgreSQL and one JetStream server for the whole run, on free ports, in a throw-away folder.
 * Test files isolate themselves with their own database and subject prefix.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'pq-test-'));
  const [pgPort, natsPort] = [await freePort(), await freePort()];
  const [pg, nats] = await Promise.all([startEmbeddedPostgres(dir, pgPort), startNatsServer(dir, natsPort)]);
  project.provide('pgUrl', pg.url);
  project.provide('natsUrl', nats.url);
  project.provide('natsPort', nats.port);
  project.provide('testDataDir', dir);
  return async () => {
    await nats.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
