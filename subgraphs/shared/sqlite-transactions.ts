import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

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

const serialized = new WeakSet<EntityManager>();
