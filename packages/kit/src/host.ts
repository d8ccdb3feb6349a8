import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MigrationObject, Options } from '@mikro-orm/core';
import type { z } from 'zod';
import { loadConfig, type ServiceEnv, serviceEnvSchema } from './config.js';
import { ensureDatabase, migrate, type Orm, openDatabase } from './db.js';
import { GrpcClients, GrpcServer } from './grpc.js';
import { InboxConsumer, type Subscription } from './inbox.js';
import { kitMigrations } from './kit-migrations.js';
import { createLogger, type Logger } from './logger.js';
import {
  connectNats,
  DLQ_STREAM,
  DLQ_SUBJECT_ROOT,
  durableName,
  ensureDurableConsumer,
  ensureStream,
  manager,
  type NatsConnection,
  prefixed,
  type StreamSpec,
  streamName,
  streamSettingsFromEnv,
} from './nats.js';
import { PrincipalSigner, PrincipalVerifier } from './principal.js';
import { OutboxRelay, wakeRelayOnCommit } from './relay.js';
import { onStopSignals } from './shutdown.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

/** Everything a service's own code gets from the kit at start-up. */
export interface ServiceRuntime<C extends ServiceEnv = ServiceEnv> {
  name: string;
  config: C;
  logger: Logger;
  orm: Orm;
  nc: NatsConnection;
  grpc: GrpcServer;
  clients: GrpcClients;
  signer: PrincipalSigner;
}

/** What a service declares; the kit does the rest. */
export interface ServiceModule<C extends ServiceEnv = ServiceEnv> {
  name: string;
  /** The service's own JetStream stream (from the generated catalogue). */
  stream: StreamSpec;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  configSchema: z.ZodType<C>;
  /** Adds the service's gRPC handlers. */
  register(runtime: ServiceRuntime<C>): void;
  /** Events of other services this one consumes. */
  subscriptions?(runtime: ServiceRuntime<C>): Subscription<never>[];
  /** Background work of the service itself (schedulers); stopped before the relay. */
  background?(runtime: ServiceRuntime<C>): { stop(): Promise<void> } | undefined;
}

export interface RunningService<C extends ServiceEnv = ServiceEnv> {
  runtime: ServiceRuntime<C>;
  port: number;
  relay: OutboxRelay;
  consumers: InboxConsumer<never>[];
  stop(): Promise<void>;
}

function descriptorSet(): Uint8Array | undefined {
  try {
    const require = createRequire(import.meta.url);
    return readFileSync(require.resolve('@pingquan/contracts/descriptor.binpb'));
  } catch {
    return undefined;
  }
}

/**
 * Starts a service: database (migrated when MIGRATE_ON_START), NATS and its stream, the gRPC server,
 * the outbox relay and the inbox consumers. Stops in reverse: no new calls, in-flight calls finish,
 * consumers and relay stop between messages, NATS drains, the database closes.
 */
export async function startService<C extends ServiceEnv>(
  module: ServiceModule<C>,
  config: C,
  options: { logger?: Logger } = {},
): Promise<RunningService<C>> {
  const logger = options.logger ?? createLogger(module.name, config.LOG_LEVEL);
  if (config.MIGRATE_ON_START) await ensureDatabase(config.DATABASE_URL);
  const orm = await openDatabase(
    {
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      entities: module.entities,
      migrations: module.migrations,
      logger,
    },
    kitMigrations,
  );
  const cleanups: Array<() => Promise<void>> = [() => orm.close(true)];
  const unwind = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((err) => logger.warn({ err }, 'cleanup step failed'));
  };
  try {
    if (config.MIGRATE_ON_START) {
      const applied = await migrate(orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const nc = await connectNats(config.NATS_URL, module.name);
    cleanups.push(() => nc.drain());
    const jsm = await manager(nc);
    await ensureStream(jsm, config.NATS_SUBJECT_PREFIX, module.stream);

    const signer = new PrincipalSigner(config.PQ_INTERNAL_SIGNING_KEY);
    const clients = new GrpcClients({ signer });
    cleanups.push(async () => clients.close());
    const grpc = new GrpcServer({
      logger,
      verifier: new PrincipalVerifier(config.PQ_INTERNAL_SIGNING_KEY),
      descriptorSet: descriptorSet(),
    });
    const runtime: ServiceRuntime<C> = { name: module.name, config, logger, orm, nc, grpc, clients, signer };
    module.register(runtime);

    const relay = new OutboxRelay({
      databaseUrl: config.DATABASE_URL,
      nc,
      logger: logger.child({ component: 'outbox-relay' }),
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      retentionHours: config.OUTBOX_RETENTION_HOURS,
    });
    relay.start();
    cleanups.push(() => relay.stop());
    wakeRelayOnCommit(orm, relay);

    const consumers = (module.subscriptions?.(runtime) ?? []).map(
      (sub) =>
        new InboxConsumer<never>(
          {
            nc,
            orm,
            logger: logger.child({ component: 'consumer' }),
            service: module.name,
            subjectPrefix: config.NATS_SUBJECT_PREFIX,
            maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          },
          sub,
        ),
    );
    for (const consumer of consumers) {
      await consumer.start();
      cleanups.push(() => consumer.stop());
    }
    const background = module.background?.(runtime);
    if (background) cleanups.push(() => background.stop());

    const port = await grpc.listen(config.GRPC_HOST, config.GRPC_PORT);
    cleanups.push(() => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS));
    logger.info({ port, subjectPrefix: config.NATS_SUBJECT_PREFIX || undefined }, `${module.name} ready`);
    let stopped: Promise<void> | undefined;
    return {
      runtime,
      port,
      relay,
      consumers,
      stop: () => {
        stopped ??= unwind().then(() => logger.info(`${module.name} stopped`));
        return stopped;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/**
 * Entry point of a service process: telemetry first, then config, then the service; on SIGTERM or
 * SIGINT a graceful stop, telemetry flushed last.
 */
export async function runServiceMain<C extends ServiceEnv>(module: ServiceModule<C>): Promise<void> {
  let telemetry: Telemetry | undefined;
  try {
    telemetry = startTelemetry({
      serviceName: module.name,
      otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
    });
    const config = loadConfig(module.configSchema);
    const service = await startService(module, config);
    onStopSignals((signal) => {
      service.runtime.logger.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 5000);
      deadline.unref();
      void service
        .stop()
        .then(() => telemetry?.shutdown())
        .then(() => process.exit(0));
    });
  } catch (error) {
    process.stderr.write(`${module.name}: ${(error as Error).message}\n`);
    await telemetry?.shutdown();
    process.exit(1);
  }
}

/** The production migrate command: applies pending migrations and exits. */
export async function runMigrateMain<C extends ServiceEnv>(module: ServiceModule<C>): Promise<void> {
  const config = loadConfig(serviceEnvSchema.pick({ DATABASE_URL: true, LOG_LEVEL: true }));
  const logger = createLogger(`${module.name}-migrate`, config.LOG_LEVEL);
  const orm = await openDatabase(
    {
      url: config.DATABASE_URL,
      poolMax: 2,
      entities: module.entities,
      migrations: module.migrations,
      logger,
    },
    kitMigrations,
  );
  try {
    const applied = await migrate(orm);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
  } finally {
    await orm.close(true);
  }
}

/**
 * Creates or updates the service's JetStream stream and the durable consumers it reads from
 * (the Helm hook Job runs this; services also do it at start).
 */
export async function ensureServiceStreams<C extends ServiceEnv>(
  module: ServiceModule<C>,
  nc: NatsConnection,
  subjectPrefix: string,
  consumes: readonly { subject: string; publisher: string }[],
  streamsByPublisher: Record<string, StreamSpec>,
): Promise<string[]> {
  const jsm = await manager(nc);
  const settings = streamSettingsFromEnv();
  // With NACK managing streams declaratively (PQ_JETSTREAM_MANAGE=consumers), only consumers here.
  const manageStreams = process.env['PQ_JETSTREAM_MANAGE'] !== 'consumers';
  const created = manageStreams
    ? [await ensureStream(jsm, subjectPrefix, module.stream, settings, true)]
    : [];
  for (const event of consumes) {
    const spec = streamsByPublisher[event.publisher];
    if (!spec) throw new Error(`no stream declared for publisher ${event.publisher}`);
    // Another service's stream: create it if missing (hook Jobs run in any order), never reconfigure it.
    const stream = manageStreams
      ? await ensureStream(jsm, subjectPrefix, spec, settings)
      : streamName(subjectPrefix, spec.name);
    await ensureDurableConsumer(
      jsm,
      stream,
      durableName(module.name, event.subject),
      prefixed(subjectPrefix, event.subject),
    );
    created.push(`${stream}/${durableName(module.name, event.subject)}`);
  }
  if (manageStreams)
    created.push(
      await ensureStream(
        jsm,
        subjectPrefix,
        { name: DLQ_STREAM, subjects: [`${DLQ_SUBJECT_ROOT}.>`] },
        settings,
        true,
      ),
    );
  return created;
}

/**
 * The streams command: creates or updates this service's stream and the durable consumers of the
 * events it consumes, then exits (the Helm hook Job runs it; services also do this at start).
 */
export async function runStreamsMain<C extends ServiceEnv>(
  module: ServiceModule<C>,
  consumes: readonly { subject: string; publisher: string }[],
  streamsByPublisher: Record<string, StreamSpec>,
): Promise<void> {
  const config = loadConfig(
    serviceEnvSchema.pick({ NATS_URL: true, NATS_SUBJECT_PREFIX: true, LOG_LEVEL: true }),
  );
  const logger = createLogger(`${module.name}-streams`, config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, `${module.name}-streams`);
  try {
    const created = await ensureServiceStreams(
      module,
      nc,
      config.NATS_SUBJECT_PREFIX,
      consumes,
      streamsByPublisher,
    );
    logger.info({ created }, 'streams and consumers are in place');
  } finally {
    await nc.drain();
  }
}
