import { createHash } from 'node:crypto';
import { type EntityManager, execInTransaction } from './db.js';
import { ConflictError } from './errors.js';

/** Encoder/decoder of a response message (a ts-proto message type). */
export interface ResponseCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Runs a command once per idempotency key. A retry with the same key and the same request gets the
 * first response back; the same key with a different request is refused. The stored response commits
 * in the command's own transaction, so a crash leaves either both or neither.
 */
export async function idempotent<T>(
  em: EntityManager,
  scope: string,
  key: string,
  request: unknown,
  codec: ResponseCodec<T>,
  run: () => Promise<T>,
): Promise<T> {
  if (!key) return run();
  const fullKey = `${scope}:${key}`;
  const hash = requestHash(request);
  // Serialise concurrent retries of the same key on a transaction-scoped advisory lock.
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [fullKey]);
  const found = await execInTransaction<{ request_hash: string; response: Buffer }>(
    em,
    'SELECT request_hash, response FROM pq_idempotency WHERE key = ?',
    [fullKey],
  );
  const previous = found[0];
  if (previous) {
    if (previous.request_hash !== hash) {
      throw new ConflictError(`idempotency key "${key}" was already used for a different request`);
    }
    return codec.decode(previous.response);
  }
  const response = await run();
  await execInTransaction(em, 'INSERT INTO pq_idempotency (key, request_hash, response) VALUES (?, ?, ?)', [
    fullKey,
    hash,
    Buffer.from(codec.encode(response).finish()),
  ]);
  return response;
}
