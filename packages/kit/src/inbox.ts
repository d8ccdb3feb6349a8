import { type ConsumerMessages, type JetStreamClient, type JsMsg, jetstream } from '@nats-io/jetstream';
import { SpanKind } from '@opentelemetry/api';
import { type EventType, Streams } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { type EntityManager, execInTransaction, inTransaction, type Orm } from './db.js';
import type { Logger } from './logger.js';
import {
  DLQ_STREAM,
  DLQ_SUBJECT_ROOT,
  durableName,
  ensureDurableConsumer,
  ensureStream,
  fromNatsHeaders,
  manager,
  type NatsConnection,
  prefixed,
  type StreamSettings,
  streamName,
  toNatsHeaders,
} from './nats.js';
import { extractContext, meter, withSpan } from './telemetry.js';

/** A delivered event, decoded. */
export interface DeliveredEvent<T> {
  envelope: EventEnvelope;
  payload: T;
  subject: string;
  deliveryCount: number;
}

/** Applies an event's effect inside the transaction that also records it in the inbox. */
export type EventHandler<T> = (event: DeliveredEvent<T>, em: EntityManager) => Promise<void>;

export interface Subscription<T> {
  type: EventType<T>;
  handler: EventHandler<T>;
}

export interface ConsumerOptions {
  nc: NatsConnection;
  orm: Orm;
  logger: Logger;
  /** Name of the consuming service; part of the durable name and the inbox key. */
  service: string;
  subjectPrefix: string;
  /** After this many failed attempts the message goes to the dead-letter stream. */
  maxAttempts: number;
  streamSettings?: StreamSettings;
}

/** Delay before the n-th redelivery: 200 ms doubling, capped at 30 s. */
export function redeliveryDelayMs(deliveryCount: number): number {
  return Math.min(200 * 2 ** Math.max(0, deliveryCount - 1), 30_000);
}

/**
 * Consumes one event type through a durable JetStream consumer with explicit acks. The handler's
 * effect and the inbox row (consumer, event id) commit in one transaction, so a redelivered event
 * finds its inbox row and changes nothing. Messages are handled one at a time, in stream order.
 */
export class InboxConsumer<T> {
  private messages: ConsumerMessages | undefined;
  private running: Promise<void> | undefined;
  private readonly js: JetStreamClient;
  private readonly durable: string;
  private readonly handled = meter().createCounter('pq_inbox_handled_total');
  private readonly deadLettered = meter().createCounter('pq_inbox_dead_lettered_total');
  handledCount = 0;
  duplicateCount = 0;

  constructor(
    private readonly options: ConsumerOptions,
    private readonly subscription: Subscription<T>,
  ) {
    this.js = jetstream(options.nc);
    this.durable = durableName(options.service, subscription.type.subject);
  }

  async start(): Promise<void> {
    const { nc, subjectPrefix } = this.options;
    const jsm = await manager(nc);
    const publisher = this.subscription.type.publisher as keyof typeof Streams;
    const spec = Streams[publisher];
    const stream = await ensureStream(jsm, subjectPrefix, spec, this.options.streamSettings);
    await ensureStream(jsm, subjectPrefix, { name: DLQ_STREAM, subjects: [`${DLQ_SUBJECT_ROOT}.>`] });
    const filter = prefixed(subjectPrefix, this.subscription.type.subject);
    await ensureDurableConsumer(jsm, stream, this.durable, filter);
    const consumer = await this.js.consumers.get(stream, this.durable);
    this.messages = await consumer.consume({ max_messages: 64 });
    this.running = this.loop(this.messages);
  }

  /** Stops fetching, lets the message in hand finish, and leaves the rest for the next start. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await this.running;
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      await this.handle(msg);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { logger, orm } = this.options;
    let envelope: EventEnvelope;
    let payload: T;
    try {
      envelope = EventEnvelope.decode(msg.data);
      payload = this.subscription.type.codec.decode(envelope.payload);
    } catch (error) {
      // Undecodable bytes will never succeed: dead-letter at once.
      await this.deadLetter(msg, `undecodable: ${(error as Error).message}`);
      return;
    }
    const carrier = fromNatsHeaders(msg.headers);
    try {
      await withSpan(
        `process ${this.subscription.type.subject}`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractContext(carrier),
          attributes: {
            'messaging.system': 'nats',
            'messaging.consumer.group.name': this.durable,
            'messaging.message.id': envelope.id,
          },
        },
        async () => {
          const fresh = await inTransaction(orm, async (em) => {
            const inserted = await execInTransaction(
              em,
              'INSERT INTO pq_inbox (consumer, event_id, subject) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING event_id',
              [this.durable, envelope.id, this.subscription.type.subject],
            );
            if (inserted.length === 0) return false;
            await this.subscription.handler(
              { envelope, payload, subject: msg.subject, deliveryCount: msg.info.deliveryCount },
              em,
            );
            return true;
          });
          if (fresh) {
            this.handledCount += 1;
            this.handled.add(1);
          } else {
            this.duplicateCount += 1;
          }
        },
      );
      msg.ack();
    } catch (error) {
      const attempts = msg.info.deliveryCount;
      if (attempts >= this.options.maxAttempts) {
        logger.error(
          { err: error, eventId: envelope.id, attempts },
          'event failed repeatedly; dead-lettering',
        );
        await this.deadLetter(msg, (error as Error).message ?? String(error));
      } else {
        logger.warn({ err: error, eventId: envelope.id, attempts }, 'event handling failed; will retry');
        msg.nak(redeliveryDelayMs(attempts));
      }
    }
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const { subjectPrefix } = this.options;
    const { 'nats-msg-id': originalId, ...carrier } = fromNatsHeaders(msg.headers);
    const headers = toNatsHeaders({
      ...carrier,
      'Pq-Original-Subject': msg.subject,
      'Pq-Consumer': this.durable,
      'Pq-Dlq-Reason': reason.slice(0, 1000),
      'Pq-Attempts': String(msg.info.deliveryCount),
    });
    const msgId = originalId ?? `${msg.info.stream}-${msg.info.streamSequence}`;
    try {
      await this.js.publish(
        prefixed(subjectPrefix, `${DLQ_SUBJECT_ROOT}.${this.options.service}`),
        msg.data,
        {
          headers,
          msgID: `${msgId}.${this.durable}`,
        },
      );
      this.deadLettered.add(1);
      msg.term(reason.slice(0, 200));
    } catch (error) {
      // Could not park it: leave it for redelivery rather than lose it.
      this.options.logger.error({ err: error }, 'dead-letter publish failed; message will be redelivered');
      msg.nak(redeliveryDelayMs(msg.info.deliveryCount));
    }
  }
}

/**
 * Sends dead-lettered events of one consuming service back to their original subjects (with a new
 * message id, so the duplicate window does not drop them) and removes them from the dead-letter
 * stream. Consumers that handled the event before find it in their inbox and skip it.
 */
export async function replayDeadLetters(
  nc: NatsConnection,
  subjectPrefix: string,
  service: string,
  limit = 1000,
): Promise<number> {
  const jsm = await manager(nc);
  const js = jetstream(nc);
  const stream = streamName(subjectPrefix, DLQ_STREAM);
  const subject = prefixed(subjectPrefix, `${DLQ_SUBJECT_ROOT}.${service}`);
  let info: Awaited<ReturnType<typeof jsm.streams.info>>;
  try {
    info = await jsm.streams.info(stream, { subjects_filter: subject });
  } catch {
    return 0;
  }
  const pending = info.state.subjects?.[subject] ?? 0;
  if (pending === 0) return 0;
  // A single subject as a string becomes `filter_subject`; an array needs nats-server 2.10+, and
  // Debian's nats-server (what the local runner installs) is 2.9.
  const consumer = await js.consumers.get(stream, { filter_subjects: subject });
  let replayed = 0;
  while (replayed < Math.min(pending, limit)) {
    const msg = await consumer.next({ expires: 2000 });
    if (!msg) break;
    const carrier = fromNatsHeaders(msg.headers);
    const original = carrier['pq-original-subject'];
    if (original) {
      const {
        'nats-msg-id': dlqId,
        'pq-original-subject': _subject,
        'pq-consumer': _consumer,
        'pq-dlq-reason': _reason,
        'pq-attempts': _attempts,
        ...rest
      } = carrier;
      await js.publish(original, msg.data, {
        headers: toNatsHeaders({ ...rest, 'Pq-Replayed-From': `${stream}:${msg.seq}` }),
        msgID: `${dlqId ?? msg.seq}.replay.${msg.seq}`,
      });
      replayed += 1;
    }
    await jsm.streams.deleteMessage(stream, msg.seq);
  }
  return replayed;
}
