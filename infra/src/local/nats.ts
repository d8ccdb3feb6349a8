import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from './ports.js';

export function findNatsServer(): string | undefined {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (existsSync(p)) return p;
  }
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

export interface LocalNats {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, or SIGKILL to simulate a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store (after a stop). */
  restart(): Promise<void>;
}

/** Runs a JetStream-enabled nats-server as a child process, storing streams in `dataDir`. */
export async function startNatsServer(
  dataDir: string,
  port: number,
  options: { detached?: boolean } = {},
): Promise<LocalNats> {
  const binary = findNatsServer();
  if (!binary) {
    throw new Error(
      'nats-server is not installed. Install it with `apt-get install -y nats-server` or set NATS_URL.',
    );
  }
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Detached: its own process group, so a terminal's Ctrl-C leaves it to the runner to stop last.
      detached: options.detached === true,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${stderr}`))),
    );
    await Promise.race([waitForPort(port, 15_000), exited]);
  };
  await launch();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    await gone;
  };
  return { url: `nats://127.0.0.1:${port}`, port, stop, restart: launch };
}
