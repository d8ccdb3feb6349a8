import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startPeriodicJob } from '../src/periodic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger('periodic-test', 'silent');

describe('periodic job', () => {
  it('never runs twice at once, even when a run outlasts the interval', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const job = startPeriodicJob({
      name: 'slow',
      intervalMs: 10,
      logger,
      async run() {
        active += 1;
        runs += 1;
        most = Math.max(most, active);
        await sleep(35);
        active -= 1;
      },
    });
    await sleep(200);
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
  });

  it('tries again at the next tick after a failed run', async () => {
    let attempts = 0;
    let done = false;
    const job = startPeriodicJob({
      name: 'flaky',
      intervalMs: 10,
      logger,
      async run() {
        attempts += 1;
        if (attempts < 3) throw new Error('database away');
        done = true;
      },
    });
    for (let i = 0; i < 100 && !done; i += 1) await sleep(10);
    await job.stop();
    expect(done).toBe(true);
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('stop waits for the run in progress, tells it to end early, and starts no other', async () => {
    let finished = false;
    let sawStopping = false;
    let runs = 0;
    const job = startPeriodicJob({
      name: 'long',
      intervalMs: 5,
      logger,
      async run(stopping) {
        runs += 1;
        while (!stopping()) await sleep(5);
        sawStopping = true;
        await sleep(20);
        finished = true;
      },
    });
    while (runs === 0) await sleep(5);
    await job.stop();
    expect(finished).toBe(true);
    expect(sawStopping).toBe(true);
    await sleep(30);
    expect(runs).toBe(1);
  });
});
