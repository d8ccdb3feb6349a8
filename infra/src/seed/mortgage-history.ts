import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import { type GrpcClients, startService } from '@pingquan/kit';
import { type Clock, configSchema, createPropertyMortgageModule } from '@pingquan/property-mortgage';
import { daysBetween, type LocalDate, todayInShanghai } from '@pingquan/reference';
import type { HistoryReplica } from './mortgage-load.js';

export interface HistoryReplicaOptions {
  /** property-mortgage's own database, the one the running service uses. */
  databaseUrl: string;
  natsUrl: string;
  natsSubjectPrefix?: string;
  signingKey: string;
  landContractUrl: string;
  clients: GrpcClients;
}

/**
 * A second, short-lived property-mortgage in this process, on the running service's database and
 * stream, whose clock the demo loader sets back to write history (a loan disbursed months ago). The
 * running service cannot date anything in the past — registration is stamped with its today and a
 * loan may not precede it — and demo data needs loans that are overdue by now. Replicas of one service
 * are safe on one database: commands serialise on row and advisory locks, and one outbox relay
 * publishes at a time. Its daily classification job is off; the loader classifies through the
 * running service.
 */
export async function startHistoryReplica(options: HistoryReplicaOptions): Promise<HistoryReplica> {
  let offsetDays = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetDays * 86_400_000) };
  const service = await startService(
    createPropertyMortgageModule({ clock }),
    configSchema.parse({
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_MAX: '2',
      NATS_URL: options.natsUrl,
      NATS_SUBJECT_PREFIX: options.natsSubjectPrefix ?? '',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      PQ_INTERNAL_SIGNING_KEY: options.signingKey,
      LAND_CONTRACT_GRPC_URL: options.landContractUrl,
      CLASSIFICATION_CHECK_INTERVAL_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'error',
    }),
  );
  return {
    client: options.clients.create(PropertyMortgageServiceDefinition, `127.0.0.1:${service.port}`),
    setToday(date: LocalDate) {
      offsetDays = daysBetween(todayInShanghai(), date);
    },
    stop: () => service.stop(),
  };
}
