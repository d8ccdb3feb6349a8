import {
  inTransaction,
  type Logger,
  type Orm,
  type PeriodicJob,
  servicePrincipal,
  startPeriodicJob,
} from '@pingquan/kit';
import { todayInShanghai } from '@pingquan/reference';
import { expireCirculations } from '../app/circulation.js';

export interface CirculationExpiryOptions {
  orm: Orm;
  logger: Logger;
  service: string;
  /** How often to look for circulations whose term has run out. */
  intervalMs: number;
  /** Circulations per transaction. */
  batchSize?: number;
}

/**
 * 到期 — every interval (and shortly after start) marks the circulations whose term has run out as
 * EXPIRED, in transactions of `batchSize`, until none is left for today. Several replicas may run it:
 * each skips the rows another holds. Stopping waits for the batch in progress to commit or roll back.
 */
export function startCirculationExpiry(options: CirculationExpiryOptions): PeriodicJob {
  const { orm, logger } = options;
  const batchSize = options.batchSize ?? 500;
  return startPeriodicJob({
    name: 'circulation expiry',
    intervalMs: options.intervalMs,
    logger,
    async run(stopping) {
      const asOf = todayInShanghai();
      let expired = 0;
      while (!stopping()) {
        const ctx = {
          principal: servicePrincipal(options.service),
          reason: `circulation term ended (expiry as of ${asOf})`,
          documentRef: '',
          traceId: '',
          now: new Date(),
        };
        const n = await inTransaction(orm, (em) => expireCirculations(em, ctx, asOf, batchSize));
        expired += n;
        if (n < batchSize) break;
      }
      if (expired > 0) logger.info({ expired, asOf }, 'circulations expired');
    },
  });
}
