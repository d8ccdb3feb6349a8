import {
  type EntityName,
  EventType,
  type FilterQuery,
  type IsolationLevel,
  type MigrationObject,
  type Options,
} from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from './logger.js';

export type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  entities: NonNullable<Options['entities']>;
  /** The service's migrations in order; the kit's own tables come first automatically. */
  migrations: MigrationObject[];
  logger?: Logger;
}

/** Opens the service's own database with MikroORM. Entities are declared with defineEntity (no decorators). */
export async function openDatabase(options: DatabaseOptions, kitMigrations: MigrationObject[]): Promise<Orm> {
  return MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    entities: options.entities,
    pool: { min: 0, max: options.poolMax },
    extensions: [Migrator],
    migrations: {
      tableName: 'pq_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      migrationsList: [...kitMigrations, ...options.migrations],
    },
    discovery: { warnWhenNoEntities: false },
    // Every use case forks its own EntityManager; the global one must never hold request state.
    allowGlobalContext: false,
    debug: false,
    logger: (message) => options.logger?.debug({ orm: true }, message),
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/**
 * Creates the database named in `url` if it does not exist (dev and tests; production databases are
 * provisioned with their own role by the operator).
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        // Two processes may race to create the same database; losing the race is fine.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
}

/** A pooled pg connection, as knex's pool hands it out. */
interface PooledConnection {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of knex's client the kit's transactions use. */
interface KnexClient {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<void>;
}

/**
 * The transaction context the kit hands MikroORM: knex sends a query "transacting" on it through
 * `context.client`, which here is the pool's client pinned to the transaction's one connection.
 */
export interface KitTransaction {
  readonly client: KnexClient & { readonly transacting: true };
  readonly connection: PooledConnection;
}

function isKitTransaction(value: unknown): value is KitTransaction {
  return typeof value === 'object' && value !== null && 'connection' in value && 'client' in value;
}

const ISOLATION_SQL: Record<string, string> = {
  'read uncommitted': 'READ UNCOMMITTED',
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

function beginSql(options: TransactionOptions): string {
  const parts = ['BEGIN'];
  if (options.isolationLevel)
    parts.push(`ISOLATION LEVEL ${ISOLATION_SQL[options.isolationLevel] ?? 'READ COMMITTED'}`);
  if (options.readOnly) parts.push('READ ONLY');
  return parts.join(' ');
}

/**
 * Runs `work` in one database transaction on a fresh EntityManager: when `work` returns, the unit of
 * work is flushed and the transaction committed; when it throws, the transaction is rolled back and
 * the error passed on. This is what every use case runs in.
 *
 * The kit owns the transaction (ADR 0008): it takes one connection from the pool, sends BEGIN and
 * COMMIT on it itself, and gives MikroORM that connection as the EntityManager's transaction context
 * (`em.setTransactionContext`), so the unit of work, queries and `execBound` all run on it. A knex
 * transaction object per command (a new client, a new knex instance, its event wiring) and MikroORM's
 * transaction manager cost more CPU than the command's own statements (BENCHMARKS.md, outbox write
 * path). MikroORM's afterTransactionCommit event is still dispatched, so the relay wakes after commit.
 */
export async function inTransaction<T>(
  orm: Orm,
  work: (em: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const em = orm.em.fork();
  const pool = em.getConnection().getKnex().client as KnexClient;
  const connection = await pool.acquireConnection();
  const client = Object.create(pool, {
    transacting: { value: true },
    acquireConnection: { value: () => Promise.resolve(connection) },
    releaseConnection: { value: () => Promise.resolve() },
  }) as KitTransaction['client'];
  const transaction: KitTransaction = { client, connection };
  let committed = false;
  try {
    await connection.query(beginSql(options));
    em.setTransactionContext(transaction);
    const result = await work(em);
    await em.flush();
    await connection.query('COMMIT');
    committed = true;
    em.resetTransactionContext();
    // The write is durable now: a failing after-commit subscriber must not turn it into an error the
    // caller would retry. The one the kit registers only wakes the relay, whose poll covers a miss.
    try {
      await em.getEventManager().dispatchEvent(EventType.afterTransactionCommit, { em, transaction });
    } catch {
      // Deliberately ignored (see above).
    }
    return result;
  } catch (error) {
    if (!committed) {
      em.resetTransactionContext();
      // A connection whose ROLLBACK fails is broken: the pool must not hand it out again.
      await connection.query('ROLLBACK').catch(() => {
        (connection as { end?: () => void }).end?.();
      });
    }
    throw error;
  } finally {
    await pool.releaseConnection(connection);
  }
}

/** What execBound needs of a transaction context: a knex client pinned to its connection. */
interface TransactingContext {
  client?: { transacting?: boolean; acquireConnection?: () => Promise<PooledConnection> };
}

/**
 * Runs SQL with bound parameters (`$1`, `$2`, … placeholders) on the EntityManager's current
 * transaction, which it requires: the kit's (inTransaction) or one MikroORM opened
 * (`em.transactional`). Unlike `execInTransaction`, values travel as protocol parameters straight to
 * the driver: no escaping into the SQL text, Buffers go as bytea, and an array binds as one
 * PostgreSQL array (not a list). Used for the kit's own hot statements (outbox and audit rows).
 */
export async function execBound<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const transaction = em.getTransactionContext<unknown>();
  let connection: PooledConnection;
  if (isKitTransaction(transaction)) connection = transaction.connection;
  else {
    const client = (transaction as TransactingContext | undefined)?.client;
    if (!client?.transacting || !client.acquireConnection) {
      throw new Error('execBound needs a transaction: run it inside inTransaction()');
    }
    connection = await client.acquireConnection();
  }
  const result = await connection.query(sql, params);
  return result.rows as T[];
}

/**
 * A read with bound `$n` parameters, straight to the driver: on the EntityManager's transaction when it
 * has one, else on a connection borrowed from the pool for this one statement. For the hottest reads
 * (a contract with its plots, households with their members), where MikroORM's `execute` — escaping
 * each value into the SQL text, then knex's query building — costs more CPU than the query itself.
 */
export async function queryBound<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  if (em.getTransactionContext<unknown>()) return execBound<T>(em, sql, params);
  const pool = em.getConnection().getKnex().client as KnexClient;
  const connection = await pool.acquireConnection();
  try {
    return (await connection.query(sql, params)).rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}

/** Runs raw SQL inside the EntityManager's current transaction (outbox, inbox, audit rows). */
export async function execInTransaction<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/** One page of a keyset-paginated list, the cursor of the next page, and the total matching. */
export interface KeysetPage<T> {
  rows: T[];
  nextCursor: string | undefined;
  total: number;
}

/**
 * A page of rows ordered by a unique string key (a code, or a UUIDv7 id), after the given cursor.
 * Keyset pages stay stable under inserts and cost the same at any depth, unlike offsets.
 */
export async function keysetPage<T extends object, K extends keyof T & string>(
  em: EntityManager,
  entity: EntityName<T>,
  where: Record<string, unknown>,
  key: K,
  pageSize: number,
  after: string | undefined,
): Promise<KeysetPage<T>> {
  const total = await em.count(entity, where as FilterQuery<T>);
  const filtered = (after ? { ...where, [key]: { $gt: after } } : where) as FilterQuery<T>;
  const rows = await em.find(entity, filtered, { orderBy: { [key]: 'asc' } as never, limit: pageSize + 1 });
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > pageSize && last ? String(last[key]) : undefined, total };
}
