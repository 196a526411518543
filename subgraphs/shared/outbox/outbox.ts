import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { MoreThan, type EntityManager } from 'typeorm';
import type { Caller } from '../../../platform/caller';
import type { Database } from '../database';
import { moduleLogger } from '../../../platform/logger';
import { OutboxEventRecord } from './outbox.entity';

export type OutboxEvent = Omit<OutboxEventRecord, 'seq' | 'occurredAt'>;

/** Writes an event in the caller's transaction; subscribers see it once the transaction commits. */
export async function recordEvent(manager: EntityManager, event: OutboxEvent): Promise<void> {
  await manager.insert(OutboxEventRecord, { ...event, occurredAt: new Date() });
}

/**
 * Wakes subscribers when events were committed. The database is the record; a wake-up only saves a poll.
 * With Redis, every replica of the shard hears every other's commits.
 */
export interface OutboxSignal {
  notify(): void;
  onNotify(listener: () => void): () => void;
  close(): Promise<void>;
}

export function createOutboxSignal(options: { channel: string; redisUrl?: string | null }): OutboxSignal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  if (!options.redisUrl) {
    return {
      notify: () => emitter.emit('commit'),
      onNotify: (listener) => {
        emitter.on('commit', listener);
        return () => emitter.off('commit', listener);
      },
      close: async () => undefined,
    };
  }
  const log = moduleLogger('outbox', { channel: options.channel });
  const publisher = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.redisUrl, { lazyConnect: false });
  for (const client of [publisher, subscriber])
    client.on('error', (error) => log.warn({ error: error.message }, 'redis'));
  void subscriber.subscribe(options.channel);
  subscriber.on('message', () => emitter.emit('commit'));
  return {
    notify: () => {
      emitter.emit('commit');
      void publisher.publish(options.channel, '1').catch(() => undefined);
    },
    onNotify: (listener) => {
      emitter.on('commit', listener);
      return () => emitter.off('commit', listener);
    },
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/** How often a subscriber looks anyway, in case a wake-up was lost (OUTBOX_POLL_MS to change). */
export const OUTBOX_POLL_MS = Number(process.env.OUTBOX_POLL_MS ?? 1_000);

/** Whether the caller may see events of this record: staff of either institution, or the learner. */
export function mayWatch(
  caller: Caller,
  event: Pick<OutboxEventRecord, 'sendingInstitution' | 'hostingInstitution' | 'learnerId'>,
): boolean {
  if (caller.roles.includes('learner') && caller.learnerId === event.learnerId) return true;
  const staff = caller.roles.some((role) => role !== 'learner');
  return staff && (caller.institution === event.sendingInstitution || caller.institution === event.hostingInstitution);
}

interface StreamOptions {
  after: number;
  types: readonly string[];
  visible: (event: OutboxEventRecord) => boolean;
  signal?: AbortSignal;
}

/**
 * Every event after `after`, in order, then live ones as they are committed: what was missed first, then
 * the rest, without gaps or repeats. Ends when the consumer stops (return) or `signal` aborts.
 */
export function streamEvents(
  db: Database,
  outbox: OutboxSignal,
  options: StreamOptions,
): AsyncIterableIterator<OutboxEventRecord> {
  // A generator's return() waits for its next yield, which a subscriber shown no event never reaches: each ended
  // subscription would read the outbox every OUTBOX_POLL_MS as long as the shard runs. It ends the wait instead.
  const ended = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, ended.signal]) : ended.signal;
  const events = readEvents(db, outbox, { ...options, signal });
  return {
    next: () => events.next(),
    return: () => {
      ended.abort();
      return events.return(undefined);
    },
    throw: (error?: unknown) => {
      ended.abort();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* readEvents(
  db: Database,
  outbox: OutboxSignal,
  options: StreamOptions & { signal: AbortSignal },
): AsyncGenerator<OutboxEventRecord, void, undefined> {
  const { signal } = options;
  let cursor = options.after;
  let wake: (() => void) | null = null;
  let committed = false;
  const stop = outbox.onNotify(() => {
    committed = true;
    wake?.();
  });
  try {
    while (!signal.aborted) {
      committed = false;
      const rows = await db.dataSource.manager.find(OutboxEventRecord, {
        where: { seq: MoreThan(cursor) },
        order: { seq: 'ASC' },
        take: 200,
      });
      for (const row of rows) {
        cursor = row.seq;
        if (options.types.includes(row.type) && options.visible(row)) yield row;
      }
      // A commit heard while reading may not be in `rows`: read again rather than wait.
      if (rows.length === 200 || committed) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, OUTBOX_POLL_MS);
        wake = done;
        signal.addEventListener('abort', done);
        if (signal.aborted) done();
      });
      wake = null;
    }
  } finally {
    stop();
  }
}

const CURSOR_PREFIX = 'e1.';

export function eventCursor(seq: number): string {
  return `${CURSOR_PREFIX}${seq}`;
}

/** The sequence number behind a shard's event cursor; 0 (from the start) for none, null for garbage. */
export function eventSeq(cursor: string | null | undefined): number | null {
  if (cursor == null || cursor === '') return 0;
  if (!cursor.startsWith(CURSOR_PREFIX)) return null;
  const seq = Number(cursor.slice(CURSOR_PREFIX.length));
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

/** Runs a write in one transaction, then wakes event subscribers: events are seen only once committed. */
export async function inTransaction<T>(
  context: { db: Database; outbox: OutboxSignal },
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const result = await context.db.dataSource.transaction(work);
  context.outbox.notify();
  return result;
}
