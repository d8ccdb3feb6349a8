import type { Logger } from './logger.js';

export interface PeriodicJob {
  /** Stops the schedule and waits for a run in progress to finish (commit or roll back). */
  stop(): Promise<void>;
}

export interface PeriodicJobOptions {
  /** What the job is, for its log lines. */
  name: string;
  /** Time between runs; the first run comes shortly after start (at most 2 s). */
  intervalMs: number;
  logger: Logger;
  /** One run. `stopping()` turns true once stop() was called: a long run should end early then. */
  run(stopping: () => boolean): Promise<void>;
}

/**
 * A service's background job on a timer: never two runs at once, a failed run logged and tried again
 * at the next tick, and a stop that waits for the run in progress. Timers are unref'd, so a pending
 * tick never keeps the process alive.
 */
export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = options
      .run(() => stopped)
      .catch((err: unknown) => options.logger.error({ err }, `${options.name} failed; will retry`))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, Math.min(options.intervalMs, 2_000));
  const timer = setInterval(tick, options.intervalMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
