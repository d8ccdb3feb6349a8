import {
  inTransaction,
  type Logger,
  type Orm,
  type PeriodicJob,
  servicePrincipal,
  startPeriodicJob,
} from '@pingquan/kit';
import { classifiedOn, classifyAllLoans } from '../app/classification.js';
import { type Clock, today } from '../app/context.js';
import { lock } from '../app/support.js';

export interface DailyClassificationOptions {
  orm: Orm;
  clock: Clock;
  logger: Logger;
  service: string;
  intervalMs: number;
}

/**
 * 每日分类 — recomputes every open loan's overdue days and category once a day. Every interval it looks
 * whether today's run has happened and runs it if not; with several replicas the run is serialised on a
 * lock and the second finds it done. Stopping waits for a run in progress to commit or roll back.
 */
export function startDailyClassification(options: DailyClassificationOptions): PeriodicJob {
  const { orm, clock, logger } = options;
  return startPeriodicJob({
    name: 'daily loan classification',
    intervalMs: options.intervalMs,
    logger,
    async run() {
      const asOf = today(clock);
      const result = await inTransaction(orm, async (em) => {
        await lock(em, 'loan-classification');
        if (await classifiedOn(em, asOf)) return undefined;
        const ctx = {
          principal: servicePrincipal(options.service),
          reason: `daily classification as of ${asOf}`,
          documentRef: '',
          traceId: '',
          now: clock.now(),
        };
        return classifyAllLoans(em, ctx, asOf);
      });
      if (result) logger.info({ ...result }, 'daily loan classification done');
    },
  });
}
