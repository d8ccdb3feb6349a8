/**
 * Calls `stop` on the first SIGINT or SIGTERM. A second signal forces an immediate exit only when it
 * comes a while later (someone pressing Ctrl-C again): the same Ctrl-C often arrives twice, once
 * from the terminal to the whole process group and once passed on by a supervisor.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void, forceAfterMs = 2_000): void {
  let first = 0;
  const handler = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (first === 0) {
      first = now;
      stop(signal);
    } else if (now - first >= forceAfterMs) {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
