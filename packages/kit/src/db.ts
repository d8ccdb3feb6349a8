import type { EntityName, FilterQuery, IsolationLevel, MigrationObject, Options } from '@mikro-orm/core';
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

/**
 * Runs `work` in one database transaction on a fresh EntityManager: when `work` returns, the unit of
 * work is flushed and the transaction committed; when it throws, the transaction is rolled back and
 * the error passed on. This is what every use case runs in.
 *
 * Why not `orm.em.fork().transactional(work)`: that forks a second EntityManager inside, binds it to
 * an AsyncLocalStorage context and merges its identity map back afterwards — work a use case never
 * needs, since its EntityManager lives exactly as long as its transaction. Begin/commit on the fork
 * costs about a third less CPU per command (BENCHMARKS.md, outbox write path). MikroORM's
 * transaction events still fire, so the relay is woken after commit as before.
 */
export async function inTransaction<T>(
  orm: Orm,
  work: (em: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const em = orm.em.fork();
  await em.begin(options);
  let result: T;
  try {
    result = await work(em);
    await em.commit();
  } catch (error) {
    // After a failed COMMIT the transaction is already over and rollback has nothing to undo.
    if (em.isInTransaction()) await em.rollback().catch(() => undefined);
    throw error;
  }
  return result;
}

/** The part of a knex transaction the kit uses: a raw statement with bound parameters. */
interface BoundTransaction {
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<{ rows: unknown[] }>;
}

/**
 * Runs SQL with bound parameters (`?` placeholders) on the EntityManager's current transaction, which
 * it requires. Unlike `execInTransaction`, values travel as protocol parameters: no escaping into the
 * SQL text, Buffers go as bytea, and an array binds as one PostgreSQL array (not a list). Used for the
 * kit's own hot statements (outbox and audit rows).
 */
export async function execBound<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const transaction = em.getTransactionContext<BoundTransaction>();
  if (!transaction) throw new Error('execBound needs a transaction: run it inside inTransaction()');
  const result = await transaction.raw(sql, params);
  return result.rows as T[];
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
