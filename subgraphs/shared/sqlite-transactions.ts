import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * How long a SQLite shard's statement waits for another connection's write lock (the institution's own system or an
 * administrator writing the same file) before failing with SQLITE_BUSY. better-sqlite3 waits synchronously, so the
 * shard serves nothing meanwhile: long enough for other programs' short transactions, no longer than the gateway's
 * default deadline (`SHARD_TIMEOUT_MS`, 5 s), after which nobody waits for the answer.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Set while a transaction that only reads begins (see `readInTurn`). */
const readOnly = new AsyncLocalStorage<true>();

/**
 * TypeORM's SQLite drivers run every query runner on the one connection, so two requests' transactions that
 * overlap in time interleave on it: the second BEGIN fails, its ROLLBACK undoes the first request's work so far,
 * and the first one's remaining statements then run outside any transaction (half-written rows, acknowledged
 * writes lost). SQLite admits one writer at a time anyway, so top-level transactions here wait their turn.
 * A transaction opened inside another (same async context) nests as before (a savepoint). MySQL's pool gives each
 * transaction its own connection and needs none of this.
 */
export function serializeSqliteTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  if (serialized.has(manager)) return;
  serialized.add(manager);
  const inside = new AsyncLocalStorage<true>();
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  manager.transaction = (...args: unknown[]) => {
    if (inside.getStore()) return original(...args);
    const turn = tail.then(() => inside.run(true, () => original(...args)));
    tail = turn.catch(() => undefined);
    return turn;
  };
}

/**
 * Top-level transactions begin IMMEDIATE, holding the write lock from the start. TypeORM begins them DEFERRED: the
 * first read takes a snapshot and the first write asks for the lock. In WAL mode that write fails at once when
 * another connection committed since the snapshot (SQLITE_BUSY_SNAPSHOT) or holds the lock (SQLite calls no busy
 * handler for a transaction that already reads, since waiting could deadlock); every write through the hub reads
 * first (the change sequence, the row it changes), so another program writing the file made the hub's writes fail
 * with SHARD_UNAVAILABLE. An IMMEDIATE transaction waits for the lock up to the busy timeout instead, before it reads.
 * Reads that need a transaction of their own begin DEFERRED through `readInTurn`.
 */
export function beginSqliteTransactionsImmediately(dataSource: DataSource): void {
  // The SQLite driver hands out one query runner for the data source's life (transactions, migrations, plain
  // queries alike), so rewriting the BEGIN it sends is the whole change; savepoints are not touched.
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) =>
    query(
      sql === 'BEGIN TRANSACTION' && !readOnly.getStore() ? 'BEGIN IMMEDIATE TRANSACTION' : sql,
      ...rest,
    )) as typeof runner.query;
}

/**
 * Runs `read` as a transaction of its own in its turn among the serialised ones, so that it sees committed rows only
 * (on the one connection, a read outside a transaction sees a running request's uncommitted writes). It begins
 * DEFERRED: it never writes, so it need not wait for another program's write lock, and fails only as any read would.
 */
export function readInTurn<T>(dataSource: DataSource, read: (manager: EntityManager) => Promise<T>): Promise<T> {
  return readOnly.run(true, () => dataSource.transaction(read));
}

const serialized = new WeakSet<EntityManager>();
