import { defineEntity, IsolationLevel, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CommandContext,
  execBound,
  inTransaction,
  kitMigrations,
  migrate,
  type Orm,
  openDatabase,
  recordChanges,
} from '../src/index.js';
import { createTestDatabase, uniqueToken } from '../src/testing.js';

// inTransaction owns BEGIN/COMMIT on a pooled connection and hands it to MikroORM: the unit of work,
// MikroORM queries and the kit's bound statements must all land in that one transaction, and every
// way out (success, a throwing use case, a failing flush, a refused statement) must give the
// connection back to the pool.

const Note = defineEntity({
  name: 'Note',
  tableName: 'tx_note',
  properties: (p) => ({
    id: p.integer().primary(),
    body: p.string().unique(),
  }),
});

const POOL = 2;
let orm: Orm;
let url: string;
let drop: () => Promise<void>;
const ctx: CommandContext = {
  principal: { sub: 'test', role: 'SERVICE' },
  reason: 'transaction test',
  documentRef: '',
  traceId: '',
  now: new Date(),
};

async function count(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

const change = (id: number) => ({
  aggregateType: 'note',
  aggregateId: String(id),
  aggregateVersion: 1,
  townshipCode: '130881102',
  action: 'note.written',
  state: { id },
  event: { type: Events['land-contract'].IssuerRegistered, payload: { issuer: undefined } },
});

beforeAll(async () => {
  const db = await createTestDatabase(inject('pgUrl'), `kit_tx_${uniqueToken()}`);
  url = db.url;
  drop = db.drop;
  orm = await openDatabase({ url, poolMax: POOL, entities: [Note], migrations: [] }, kitMigrations);
  await migrate(orm);
  await orm.em
    .getConnection()
    .execute('CREATE TABLE tx_note (id int PRIMARY KEY, body text UNIQUE NOT NULL)');
});

afterAll(async () => {
  await orm?.close(true);
  await drop?.();
});

describe('inTransaction', () => {
  it('commits the unit of work, MikroORM queries and the outbox rows together', async () => {
    const ids = await inTransaction(orm, async (em) => {
      em.create(Note, { id: 1, body: 'first' });
      await em.getConnection().execute('SELECT 1', [], 'all', em.getTransactionContext());
      return recordChanges(em, ctx, [change(1)]);
    });
    expect(ids).toHaveLength(1);
    expect(await count('tx_note')).toBe(1);
    expect(await count('pq_outbox')).toBe(1);
    expect(await count('pq_audit_log')).toBe(1);
  });

  it('rolls everything back when the use case throws, and returns the connection', async () => {
    const before = [await count('tx_note'), await count('pq_outbox'), await count('pq_audit_log')];
    // More failures than the pool has connections: a connection kept by a failed transaction
    // would make the next call wait for ever.
    for (let i = 0; i < POOL * 3; i += 1) {
      const error = await inTransaction(orm, async (em) => {
        em.create(Note, { id: 100 + i, body: `doomed ${i}` });
        await em.flush();
        await recordChanges(em, ctx, [change(100 + i)]);
        throw new Error('use case refused');
      }).catch((e: unknown) => e);
      expect((error as Error).message).toBe('use case refused');
    }
    expect([await count('tx_note'), await count('pq_outbox'), await count('pq_audit_log')]).toEqual(before);
  });

  it('passes on a failing flush as MikroORM’s own error, after rolling back', async () => {
    const before = await count('pq_outbox');
    for (let i = 0; i < POOL * 2; i += 1) {
      const error = await inTransaction(orm, async (em) => {
        await recordChanges(em, ctx, [change(200 + i)]);
        em.create(Note, { id: 200 + i, body: 'first' }); // body is unique: 'first' exists
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueConstraintViolationException);
    }
    expect(await count('pq_outbox')).toBe(before);
  });

  it('honours read-only and the isolation level', async () => {
    const refused = await inTransaction(
      orm,
      (em) => execBound(em, 'INSERT INTO tx_note (id, body) VALUES ($1, $2)', [300, 'read-only']),
      { readOnly: true },
    ).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('25006'); // read_only_sql_transaction
    const level = await inTransaction(
      orm,
      (em) => execBound<{ transaction_isolation: string }>(em, 'SHOW transaction_isolation', []),
      { isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
    expect(level[0]?.transaction_isolation).toBe('repeatable read');
  });

  it('runs more transactions at once than the pool holds, each on its own connection', async () => {
    const before = await count('tx_note');
    await Promise.all(
      Array.from({ length: POOL * 5 }, (_, i) =>
        inTransaction(orm, async (em) => {
          em.create(Note, { id: 400 + i, body: `parallel ${i}` });
          // What this transaction wrote is visible to it, and only to it, before commit.
          await em.flush();
          const [row] = await execBound<{ n: string }>(
            em,
            'SELECT count(*) AS n FROM tx_note WHERE id = $1',
            [400 + i],
          );
          expect(row?.n).toBe('1');
          await recordChanges(em, ctx, [change(400 + i)]);
        }),
      ),
    );
    expect(await count('tx_note')).toBe(before + POOL * 5);
  });

  it('recovers when PostgreSQL ends the transaction’s connection mid-way', async () => {
    const before = await count('tx_note');
    // The backend serving this transaction is terminated (a PostgreSQL restart, an operator's
    // pg_terminate_backend): the use case fails, nothing is written, and the pool must not hand the
    // dead connection out again.
    for (let i = 0; i < POOL; i += 1) {
      const error = await inTransaction(orm, async (em) => {
        em.create(Note, { id: 500 + i, body: `cut ${i}` });
        await em.flush();
        const [me] = await execBound<{ pid: number }>(em, 'SELECT pg_backend_pid() AS pid', []);
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query('SELECT pg_terminate_backend($1)', [me?.pid]);
        await admin.end();
        await recordChanges(em, ctx, [change(500 + i)]);
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
    }
    expect(await count('tx_note')).toBe(before);
    // Every connection of the pool was cut once; the next transactions get fresh ones.
    for (let i = 0; i < POOL * 2; i += 1) {
      await inTransaction(orm, async (em) => {
        em.create(Note, { id: 600 + i, body: `after ${i}` });
      });
    }
    expect(await count('tx_note')).toBe(before + POOL * 2);
  });

  it('refuses execBound outside a transaction', async () => {
    await expect(execBound(orm.em.fork(), 'SELECT 1', [])).rejects.toThrow(/needs a transaction/);
  });
});
