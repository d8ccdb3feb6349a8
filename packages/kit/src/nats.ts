import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type MsgHdrs, type NatsConnection, headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Carrier } from './telemetry.js';

export type { NatsConnection } from '@nats-io/nats-core';

/** Connects with unlimited reconnects: a NATS restart must pause publishing, never lose it. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 10_000,
  });
}

/** Subject with the deployment's prefix (empty in production, a per-test token in tests). */
export function prefixed(prefix: string, subject: string): string {
  return `${prefix}${subject}`;
}

/** Stream names cannot contain dots: `t1.` + `PQ_LAND_CONTRACT` → `T1_PQ_LAND_CONTRACT`. */
export function streamName(prefix: string, base: string): string {
  return prefix ? `${prefix.slice(0, -1).replaceAll('-', '_').toUpperCase()}_${base}` : base;
}

/** Durable consumer names cannot contain dots either. */
export function durableName(consumerService: string, subject: string): string {
  return `${consumerService}__${subject.replace(/^pq\./, '').replaceAll('.', '_')}`;
}

export const DLQ_STREAM = 'PQ_DLQ';
export const DLQ_SUBJECT_ROOT = 'pq.dlq';

export interface StreamSpec {
  name: string;
  subjects: readonly string[];
}

export interface StreamSettings {
  replicas: number;
  /** How long JetStream remembers message ids for deduplication. */
  duplicateWindowMs: number;
  /** 0 keeps events forever (county systems may replay from the start). */
  maxAgeMs: number;
}

export const defaultStreamSettings: StreamSettings = {
  replicas: 1,
  duplicateWindowMs: 10 * 60_000,
  maxAgeMs: 0,
};

const ms = (n: number) => n * 1_000_000;

/** Stream settings an operator gives the streams command (PQ_JETSTREAM_* variables, set by the chart). */
export function streamSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): StreamSettings & { storage: 'file' | 'memory' } {
  const duration = (text: string | undefined, fallbackMs: number): number => {
    if (!text) return fallbackMs;
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
    if (!m) throw new Error(`not a duration: ${text} (use e.g. 10m, 720h, 0)`);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
    return Number(m[1]) * unit;
  };
  return {
    replicas: env['PQ_JETSTREAM_REPLICAS']
      ? Number(env['PQ_JETSTREAM_REPLICAS'])
      : defaultStreamSettings.replicas,
    duplicateWindowMs: duration(
      env['PQ_JETSTREAM_DUPLICATE_WINDOW'],
      defaultStreamSettings.duplicateWindowMs,
    ),
    maxAgeMs: duration(env['PQ_JETSTREAM_MAX_AGE'], defaultStreamSettings.maxAgeMs),
    storage: env['PQ_JETSTREAM_STORAGE'] === 'memory' ? 'memory' : 'file',
  };
}

/**
 * Creates the stream if it is missing. With `update`, also brings an existing stream to the given
 * settings (the streams command does this with the operator's settings); services at start only
 * create, so they never undo what the operator configured (replicas, retention).
 * Publisher and consumers both call this with the same spec from the generated catalogue, so
 * whoever starts first creates it.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  prefix: string,
  spec: StreamSpec,
  settings: StreamSettings & { storage?: 'file' | 'memory' } = defaultStreamSettings,
  update = false,
): Promise<string> {
  const name = streamName(prefix, spec.name);
  const config = {
    name,
    subjects: spec.subjects.map((s) => prefixed(prefix, s)),
    storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: settings.replicas,
    duplicate_window: ms(settings.duplicateWindowMs),
    max_age: ms(settings.maxAgeMs),
  };
  try {
    await jsm.streams.info(name);
    if (update) await jsm.streams.update(name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another process created it between our info and add.
      if (!String((addError as Error).message).includes('already in use')) throw addError;
    }
  }
  return name;
}

export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filterSubject: string,
  ackWaitMs = 30_000,
): Promise<void> {
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filterSubject,
    ack_wait: ms(ackWaitMs),
    // Unlimited here: the consumer moves a message to the dead-letter stream itself after N attempts,
    // so it never silently stops being delivered.
    max_deliver: -1,
    max_ack_pending: 1000,
  };
  try {
    await jsm.consumers.info(stream, durable);
    await jsm.consumers.update(stream, durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, config);
  }
}

export function isNotFound(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return message.includes('not found') || (error as { code?: string | number })?.code === 404;
}

export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc);
}

export function toNatsHeaders(carrier: Carrier): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(carrier)) if (v) h.set(k, v);
  return h;
}

export function fromNatsHeaders(h: MsgHdrs | undefined): Carrier {
  const carrier: Carrier = {};
  if (!h) return carrier;
  for (const [k, values] of h) if (values[0] !== undefined) carrier[k.toLowerCase()] = values[0];
  return carrier;
}
