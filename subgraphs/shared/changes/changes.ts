import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { OperationTypeNode } from 'graphql';
import {
  EventSubscriber,
  LessThan,
  MoreThan,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import type { Database } from '../database';
import { sendJson, type Route } from '../../../platform/http';
import type { OutboxSignal } from '../outbox/outbox';
import { currentRequestScope } from '../request-scope';
import type { JWTVerifyGetKey } from 'jose';
import { createHopVerifier, getHopOperation, HOP_HEADERS, hopAudience } from '../../../platform/signed-hop';
import { PublicChangeRecord, PublicChangeSequenceRecord } from './change.entity';

/**
 * Cache tags tie the hub's entity cache to a shard's public data. A tag names one record by its local ID
 * ("Unit:WELD-U1"), or a whole aggregate's membership ("Qualification:WELD" also changes when a unit joins or
 * leaves it). Reads collect the tags of every record they load; database triggers record the tags each write
 * changes, in its transaction, on the shard's change feed. The hub prefixes them with the institution.
 */
export type CacheTag = string;

/** Changes written in a transaction not yet committed, by its query runner. */
const uncommitted = new WeakMap<object, Array<{ seq: number | null; tags: CacheTag[] }>>();

/**
 * Runs a write to public data in a transaction. The database's triggers record what it changed on the feed,
 * as they do for any writer (see triggers.ts); the rows they added in this transaction are read back before it
 * commits, and once it has committed the request learns them (`ChangeCommits`), so the answer to the hub names
 * them and the hub drops its entries before answering. A rolled-back write names nothing.
 */
export async function writePublicData<T>(db: Database, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return db.dataSource.transaction(async (manager) => {
    // On MySQL/MariaDB the counter's row lock, which every row's trigger takes until commit, is taken first: no
    // other writer numbers a change until this one commits, so the rows after this number are this transaction's
    // own whatever the isolation level, and the shard's writes wait here rather than while holding row locks.
    // SQLite has one writer.
    const lock = db.driver === 'mysql' ? { lock: { mode: 'pessimistic_write' as const } } : {};
    const before = (await manager.findOneOrFail(PublicChangeSequenceRecord, { where: { id: 1 }, ...lock })).last;
    const result = await work(manager);
    const rows = await manager.find(PublicChangeRecord, { where: { seq: MoreThan(before) }, order: { seq: 'ASC' } });
    if (rows.length > 0) {
      const runner: object = manager.queryRunner ?? manager;
      const pending = uncommitted.get(runner) ?? [];
      pending.push(...rows.map((row) => ({ seq: row.seq, tags: row.tags.split(' ') })));
      uncommitted.set(runner, pending);
    }
    return result;
  });
}

/**
 * Hands a transaction's changes to the request once it has committed (a nested transaction's savepoint is not
 * a commit), and forgets them when it rolls back: a rolled-back write's number is taken again by the next.
 */
@EventSubscriber()
export class ChangeCommits implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    const pending = uncommitted.get(event.queryRunner);
    uncommitted.delete(event.queryRunner);
    const scope = currentRequestScope();
    for (const change of pending ?? []) {
      for (const tag of change.tags) scope?.changes.add(tag);
      if (change.seq !== null) scope?.changeSeqs.push(change.seq);
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) {
      uncommitted.delete(event.queryRunner);
      return;
    }
    // A savepoint rolled back inside a transaction that goes on: which of its changes it undid is not known.
    // Naming their tags anyway only drops more; their numbers may be taken again, so those are forgotten.
    for (const change of uncommitted.get(event.queryRunner) ?? []) change.seq = null;
  }
}

/**
 * A TypeORM subscriber that adds the cache tag of every record loaded during a request to the request's
 * reads: whatever path a resolver takes to a row, the answer is tagged with it.
 */
export function readTagSubscriber(tagOf: (entity: object) => CacheTag | null): new () => EntitySubscriberInterface {
  class ReadTagSubscriber implements EntitySubscriberInterface {
    afterLoad(entity: object): void {
      const scope = currentRequestScope();
      if (!scope) return;
      const tag = tagOf(entity);
      if (tag) scope.reads.add(tag);
    }
  }
  // A data source instantiates only the listed classes that carry this mark; without it the hook is dropped silently.
  EventSubscriber()(ReadTagSubscriber);
  return ReadTagSubscriber;
}

/** What a shard's answers tell the hub's cache, in `extensions`. */
export interface CacheHints {
  /** On queries: `public` when no access rule read the caller, and the tags the answer was read from. */
  cache?: { scope: 'public' | 'private'; tags: CacheTag[] };
  /** On mutations: the tags the write changed. */
  changes?: CacheTag[];
  /** On mutations: the change-feed numbers of those changes. */
  changeSeqs?: number[];
}

/**
 * Puts the request's cache hints on the answer's `extensions`, and wakes the change feed's readers after a
 * write (the commit happened before the answer is sent).
 */
export function cacheHintsPlugin(onChanges: () => void): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation }) {
          const scope = currentRequestScope();
          if (!scope || response.body.kind !== 'single' || !operation) return;
          const result = response.body.singleResult;
          const hints: CacheHints = {};
          if (operation.operation === OperationTypeNode.MUTATION) {
            // Woken after every write, even one that names nothing: a commit whose outcome its request never
            // learnt (the connection failed as it committed) still reaches the feed's readers at once.
            onChanges();
            if (scope.changes.size === 0) return;
            hints.changes = [...scope.changes];
            hints.changeSeqs = [...scope.changeSeqs];
          } else if (operation.operation === OperationTypeNode.QUERY) {
            hints.cache = { scope: scope.callerConsulted ? 'private' : 'public', tags: [...scope.reads] };
          } else return;
          result.extensions = { ...result.extensions, ...hints };
        },
      };
    },
  };
}

/** One change as the feed serves it. */
export interface FeedChange {
  seq: number;
  tags: CacheTag[];
  occurredAt: string;
}

/** The feed's answer: the changes after the asked cursor, and the range the shard still holds. */
export interface FeedPage {
  kind: string;
  institution: string;
  /** Oldest change still held (null: none held); a reader whose cursor is below `first - 1` has a gap. */
  first: number | null;
  /** Newest change committed (0: none yet); a reader whose cursor is above it talks to a reset shard. */
  last: number;
  /** The history these numbers belong to; another ID means another database: start over. */
  feedId: string;
  changes: FeedChange[];
}

export const FEED_PATH = '/changes';
/** Marks the feed's statements, which serve the hub's cache rather than a request (see StatementCounter). */
export const FEED_STATEMENT_COMMENT = 'change-feed';
/** Most changes one page carries. */
const FEED_PAGE = 500;
/** Longest a reader may ask the shard to wait for a change. */
export const FEED_MAX_WAIT_MS = 25_000;

async function readPosition(db: Database): Promise<{ last: number; feedId: string }> {
  const counter = await db.dataSource.manager.findOne(PublicChangeSequenceRecord, {
    where: { id: 1 },
    comment: FEED_STATEMENT_COMMENT,
  });
  return { last: counter?.last ?? 0, feedId: counter?.feedId ?? '' };
}

async function readPage(db: Database, after: number): Promise<Omit<FeedPage, 'kind' | 'institution'>> {
  const manager = db.dataSource.manager;
  // Rows before the counter: whatever commits in between, `last` is never below the rows' numbers.
  const comment = FEED_STATEMENT_COMMENT;
  const rows = await manager.find(PublicChangeRecord, {
    where: { seq: MoreThan(after) },
    order: { seq: 'ASC' },
    take: FEED_PAGE,
    comment,
  });
  const oldest = await manager.find(PublicChangeRecord, {
    select: { seq: true },
    order: { seq: 'ASC' },
    take: 1,
    comment,
  });
  return {
    first: oldest[0]?.seq ?? null,
    ...(await readPosition(db)),
    changes: rows.map((row) => ({ seq: row.seq, tags: row.tags.split(' '), occurredAt: row.occurredAt.toISOString() })),
  };
}

/**
 * `GET /changes?after=<seq>&waitMs=<ms>[&feedId=<id>]`: the changes after `after`, waiting up to `waitMs` for one when
 * there are none (a long poll, woken by the shard's own commits, re-read every `pollMs` for writes made by
 * other processes). Without `after`, only where the feed stands. It carries tags, never data, yet each poll may hold a
 * connection open for seconds: with the hub's public keys, only the gateways' signed calls are answered.
 */
export function changeFeedRoute(options: {
  kind: string;
  institution: string;
  db: Database;
  signal: OutboxSignal;
  pollMs: number;
  /** With the hub's public keys, only the hub's gateways (a signed call) may read the feed; without them it is open, like the shard. */
  hopKeys: JWTVerifyGetKey | null;
}): Route {
  const verifyHop = options.hopKeys
    ? createHopVerifier({ audience: hopAudience(options.kind, options.institution), keys: options.hopKeys })
    : null;
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== FEED_PATH) return false;
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    return (async () => {
      if (verifyHop) {
        // The hop covers the path and query as sent, so it cannot be moved to another cursor.
        const hop = await verifyHop(header, getHopOperation(request.url ?? ''));
        const refusal =
          header(HOP_HEADERS.hop) === undefined
            ? "the change feed answers the hub's gateways only: the call must be signed"
            : hop.error;
        if (refusal) {
          sendJson(response, 401, { error: refusal });
          return true;
        }
      }
      const afterText = url.searchParams.get('after');
      const after = afterText === null ? null : Number(afterText);
      const waitMs = Math.min(Number(url.searchParams.get('waitMs') ?? 0), FEED_MAX_WAIT_MS);
      if ((after !== null && (!Number.isSafeInteger(after) || after < 0)) || !Number.isFinite(waitMs) || waitMs < 0) {
        sendJson(response, 400, {
          error: 'after must be a change sequence number (0 or more) and waitMs a number of milliseconds',
        });
        return true;
      }
      const identity = { kind: options.kind, institution: options.institution };
      if (after === null) {
        sendJson(response, 200, { ...identity, ...(await readPage(options.db, Number.MAX_SAFE_INTEGER)) });
        return true;
      }
      const deadline = Date.now() + waitMs;
      let page = await readPage(options.db, after);
      // The response's close, not the request's: a GET's request closes as soon as it has been read.
      let closed = false;
      response.once('close', () => {
        closed = true;
      });
      // A reader that names the feed it follows hears at once when this database is another one.
      const feedId = url.searchParams.get('feedId');
      let position = { last: page.last, feedId: page.feedId };
      // A feed below the reader's cursor (a restored database) is answered at once, as is another feed.
      while (
        page.changes.length === 0 &&
        position.last === after &&
        (feedId === null || feedId === position.feedId) &&
        !closed &&
        Date.now() < deadline
      ) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(options.pollMs, Math.max(deadline - Date.now(), 0)));
          const stop = options.signal.onNotify(done);
          response.once('close', done);
          function done() {
            clearTimeout(timer);
            stop();
            response.off('close', done);
            resolve();
          }
        });
        // While waiting, only the counter is read; the page again once something moved.
        position = await readPosition(options.db);
        if (position.last !== after || (feedId !== null && feedId !== position.feedId))
          page = await readPage(options.db, after);
      }
      if (!closed) sendJson(response, 200, { ...identity, ...page });
      return true;
    })();
  };
}

/** Forgets changes older than the retention; a reader further behind than that drops its entries instead. */
export async function pruneChanges(db: Database, retentionMs: number): Promise<void> {
  await db.dataSource.manager.delete(PublicChangeRecord, { occurredAt: LessThan(new Date(Date.now() - retentionMs)) });
}
