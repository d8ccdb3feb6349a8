import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startNatsServer } from '../local/nats.js';
import { freePort } from '../local/ports.js';
import { startEmbeddedPostgres } from '../local/postgres.js';

/** PostgreSQL and JetStream of one benchmark run: free loopback ports, a throw-away folder. */
export interface BenchServers {
  pgUrl: string;
  natsUrl: string;
  stop(): Promise<void>;
}

/**
 * `settings` (name → value) are applied with ALTER SYSTEM before anything runs: what-if runs for
 * diagnosis (e.g. synchronous_commit=off to see how much of a figure is WAL flushing). The default
 * run changes nothing, so it measures the server exactly as `pnpm start` configures it.
 */
export async function startBenchServers(settings: Record<string, string> = {}): Promise<BenchServers> {
  const dir = mkdtempSync(join(tmpdir(), 'pq-bench-'));
  const [pgPort, natsPort] = [await freePort(), await freePort()];
  const [postgres, nats] = await Promise.all([
    startEmbeddedPostgres(dir, pgPort),
    startNatsServer(dir, natsPort),
  ]);
  if (Object.keys(settings).length > 0) {
    const admin = new pg.Client({ connectionString: `${postgres.url}/postgres` });
    await admin.connect();
    for (const [name, value] of Object.entries(settings)) {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not a PostgreSQL setting name: ${name}`);
      await admin.query(`ALTER SYSTEM SET ${name} = ${admin.escapeLiteral(value)}`);
    }
    await admin.query('SELECT pg_reload_conf()');
    await admin.end();
  }
  return {
    pgUrl: postgres.url,
    natsUrl: nats.url,
    async stop() {
      await nats.stop();
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
