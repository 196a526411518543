import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { HopSigningKey } from '../../platform/hop-keys';
import { getHopOperation, hopAudience, signHop } from '../../platform/signed-hop';
import type { Logger } from '../../platform/logger';
import type { Shard } from '../registry/registry';
import { withDeadline } from '../resilience/deadline';
import { AnswerPastLimit, readWithinCaps } from '../resilience/json-values';
import { parseInTurns } from '../resilience/json-turns';
import type { CacheStore, DropReason, FeedPosition } from './store';

/** A page of a shard's change feed (`GET /changes`, subgraphs/shared/changes). */
interface FeedPage {
  first: number | null;
  last: number;
  feedId: string;
  changes: Array<{ seq: number; tags: string[]; occurredAt: string }>;
}

export interface FeedFollowerOptions {
  shards: readonly Shard[];
  /** The hub's hop key: a shard that has the hub's public keys answers its feed to signed calls only. */
  hopKey: HopSigningKey | null;
  store: CacheStore;
  /** How long the shard may hold a poll open waiting for a change. */
  waitMs: number;
  /** How much longer than `waitMs` a silent (hung) feed is trusted; a failed one is not trusted at all. */
  graceMs: number;
  log: Logger;
  /** `dropped`: how many entries went, or null where the store does not count them (a Redis flush). */
  onInvalidate: (shard: Shard, reason: DropReason, dropped: number | null) => void;
  /** Seconds from a change's commit at the shard to its invalidation here: the staleness a reader could see. */
  onLag: (seconds: number) => void;
  /**
   * Whether this change was already dropped by the write that made it (through this gateway): dropping again
   * would only throw away entries filled since, which are current.
   */
  alreadyApplied?: (shard: Shard, seq: number) => boolean;
  /**
   * One invalidation per page of changes, with all their tags, instead of one per change: for a store whose
   * invalidation reads the records again (the catalogue), a backlog of changes costs one read, not one each.
   */
  wholePages?: boolean;
}

export interface FeedFollower {
  /** Whether the shard's entries are current: its feed answered within `waitMs + graceMs`. */
  isCurrent(shard: Shard): boolean;
  /** Whether the shard serves a change feed at all (kinds with public data do). */
  hasFeed(shard: Shard): boolean;
  /** The last change applied from the shard's feed, or null before the first answer. */
  cursorOf(shard: Shard): number | null;
  /** That change with the feed it belongs to. */
  positionOf(shard: Shard): FeedPosition | null;
  /** Each followed shard and whether its feed is current (health). */
  states(): Array<{ kind: string; institution: string; current: boolean; cursor: number | null }>;
  close(): Promise<void>;
}

/** Entries, tags and cursors are kept per shard: an institution has one shard of each kind. */
export function scopeOf(shard: Pick<Shard, 'kind' | 'institution'>): string {
  return `${shard.kind}/${shard.institution}`;
}

class NoFeed extends Error {}

/**
 * Most bytes read of one page of a feed: a page holds at most 500 changes of a few tags each (subgraphs/shared/changes),
 * well under this; a shard answering without end loses its feed (its entries are dropped), not the hub's memory.
 */
const MAX_FEED_PAGE_BYTES = 8 * 1024 * 1024;
/**
 * Most JSON values parsed of one page (resilience/json-values.ts): 500 changes of a few tags each are some 5,000. A
 * page's parse holds the event loop, and 8 MiB of small objects would hold it for a second; 50,000 values of the
 * costliest shapes measured take some 20 ms (35 at worst).
 */
const MAX_FEED_PAGE_VALUES = 50_000;
/**
 * Least time from one poll's start to the next when the first brought no change (at most `waitMs`): a conforming feed
 * holds such a poll for its wait, so this only spaces the polls of a feed that answers at once with nothing, which would
 * otherwise have the hub poll it in a loop as fast as it answers.
 */
const MIN_EMPTY_POLL_SPACING_MS = 250;
/**
 * The same after a page of changes: a feed that names a change at every poll, at once, is polled ten times a second at
 * most (a page holds up to 500 changes, so a backlog still passes at 5,000 a second).
 */
const MIN_POLL_SPACING_MS = 100;
/**
 * Bytes of a feed's pages read a second, at most: after a page, the next poll waits as long as the page's bytes take at
 * this rate. A page holds at most 500 changes of a few tags (some 50 KB, a 50 ms wait, within MIN_POLL_SPACING_MS);
 * a feed answering pages of 8 MB (MAX_FEED_PAGE_BYTES) at once would otherwise have the hub parse 80 MB a second.
 */
const FEED_BYTES_PER_SECOND = 1024 * 1024;
/** Longest pause before the next poll after restarts of a feed in a row (each costs its institution its entries). */
const MAX_RESTART_PAUSE_MS = 2_000;

function isFeedPage(body: unknown): body is FeedPage {
  const page = body as FeedPage;
  return (
    typeof page === 'object' &&
    page !== null &&
    typeof page.last === 'number' &&
    typeof page.feedId === 'string' &&
    Array.isArray(page.changes) &&
    (page.first === null || typeof page.first === 'number')
  );
}

/**
 * Follows every shard's change feed (a shard without one, 404, is left alone) with long polls and drops the entries each change names. A feed
 * that went quiet longer than it may, or that cannot replay from our cursor (pruned, or a shard whose
 * database was replaced), costs its institution its entries; nothing is served from a feed not followed.
 */
export function followChangeFeeds(options: FeedFollowerOptions): FeedFollower {
  const stop = new AbortController();
  // Every followed shard's poll (or back-off) listens on this one signal at once.
  setMaxListeners(options.shards.length + 10, stop.signal);
  const follows = new Map<string, { shard: Shard; feedId: string; cursor: number | null; heardAt: number }>();
  const dispatcher = new Agent({ maxResponseSize: MAX_FEED_PAGE_BYTES });
  const current = (shard: Shard) => {
    const follow = follows.get(scopeOf(shard));
    return !!follow && follow.cursor !== null && performance.now() - follow.heardAt <= options.waitMs + options.graceMs;
  };

  /** A page of the shard's feed, and its size in bytes. */
  const poll = async (
    shard: Shard,
    after: { seq: number; feedId: string } | null,
  ): Promise<{ page: FeedPage; bytes: number }> => {
    const url = new URL('/changes', shard.url);
    if (after !== null) {
      url.searchParams.set('after', String(after.seq));
      url.searchParams.set('feedId', after.feedId);
      url.searchParams.set('waitMs', String(options.waitMs));
    }
    const limit = options.waitMs + options.graceMs;
    const headers = options.hopKey
      ? await signHop({
          key: options.hopKey,
          audience: hopAudience(shard.kind, shard.institution),
          caller: null,
          requestId: randomUUID(),
          operation: getHopOperation(`${url.pathname}${url.search}`),
        })
      : {};
    // The whole page must arrive within the limit: a shard sending a byte now and then would otherwise hold the poll,
    // and its institution's entries, for ever. `close()` ends it at once, and may have come while it was signed.
    return withDeadline(
      limit,
      () =>
        new Error(
          `the change feed of the ${shard.kind} shard of ${shard.institution} did not answer whole within ${limit} ms`,
        ),
      async (signal) => {
        const response = await request(url, { dispatcher, headers, signal });
        if (response.statusCode === 404) {
          await response.body.dump();
          throw new NoFeed();
        }
        const answer = await readWithinCaps(response.body, {
          maxBytes: MAX_FEED_PAGE_BYTES,
          maxValues: MAX_FEED_PAGE_VALUES,
        }).catch((error: unknown) => {
          throw error instanceof AnswerPastLimit
            ? new Error(`the change feed of the ${shard.kind} shard of ${shard.institution}: ${error.message}`)
            : error;
        });
        const body = await parseInTurns(answer.text, answer.values);
        if (response.statusCode !== 200 || !isFeedPage(body))
          throw new Error(`the change feed answered ${response.statusCode}`);
        return { page: body, bytes: answer.bytes };
      },
      stop.signal,
    );
  };

  const drop = async (shard: Shard, reason: DropReason) => {
    options.onInvalidate(shard, reason, await options.store.flush(scopeOf(shard)));
  };

  const follow = async (shard: Shard) => {
    const scope = scopeOf(shard);
    // Never heard until the catch-up is applied (performance.now() starts near 0 with the process).
    const state = { shard, feedId: '', cursor: null as number | null, heardAt: Number.NEGATIVE_INFINITY };
    follows.set(scope, state);
    const log = options.log.child({ kind: shard.kind, institution: shard.institution });
    let failures = 0;
    let lost = false;
    // Feed restarts (or pages past a gap) in a row: each drops the shard's entries, and has the catalogue read the
    // institution whole; a feed that restarts at every poll is paused more and more between them.
    let restarts = 0;
    // Entries count as current only once the changes the feed held when we joined are applied.
    let catchUpTo = 0;
    while (!stop.signal.aborted) {
      const pollStart = performance.now();
      let pause = 0;
      /** The page's size, which sets the least pause before the next (FEED_BYTES_PER_SECOND). */
      let bytes = 0;
      try {
        if (state.cursor === null) {
          // Where the feed stands; the entries are kept only if a replica's cursor (Redis) can replay from there.
          const { page, bytes: size } = await poll(shard, null);
          bytes = size;
          const shared = await options.store.sharedCursor(scope);
          const replayable =
            shared !== null &&
            shared.feedId === page.feedId &&
            shared.seq <= page.last &&
            (page.first === null ? shared.seq === page.last : shared.seq >= page.first - 1);
          if (!replayable) {
            await drop(shard, 'gap');
            await options.store.setSharedCursor(scope, { feedId: page.feedId, seq: page.last });
          }
          state.feedId = page.feedId;
          state.cursor = replayable ? shared.seq : page.last;
          catchUpTo = page.last;
        } else {
          const { page, bytes: size } = await poll(shard, { seq: state.cursor, feedId: state.feedId });
          bytes = size;
          const cursor = state.cursor;
          const reset = page.feedId !== state.feedId || page.last < cursor;
          const gap = page.first === null ? page.last > cursor : page.first > cursor + 1;
          const restarted = reset || gap;
          restarts = restarted ? restarts + 1 : 0;
          if (restarted) {
            log.warn(
              { cursor, first: page.first, last: page.last },
              reset
                ? 'change feed restarted (another database, or below our cursor): entries dropped'
                : 'change feed cannot replay from our cursor: entries dropped',
            );
            await drop(shard, 'gap');
            state.feedId = page.feedId;
            state.cursor = page.last;
            // Nothing is held any more: current again from here, not once the feed passes the old position.
            catchUpTo = page.last;
            await options.store.setSharedCursor(scope, { feedId: page.feedId, seq: page.last });
            pause = Math.min(100 * 2 ** restarts, MAX_RESTART_PAUSE_MS);
          } else if (options.wholePages) {
            const changes = page.changes.filter((change) => !options.alreadyApplied?.(shard, change.seq));
            if (changes.length > 0) {
              const tags = [...new Set(changes.flatMap((change) => change.tags))];
              options.onInvalidate(shard, 'feed', await options.store.invalidate(scope, tags));
              for (const change of changes)
                options.onLag(Math.max(0, (Date.now() - Date.parse(change.occurredAt)) / 1000));
            }
            state.cursor = page.changes.at(-1)?.seq ?? state.cursor;
            if (page.changes.length > 0)
              await options.store.setSharedCursor(scope, { feedId: state.feedId, seq: state.cursor });
          } else {
            for (const change of page.changes) {
              if (!options.alreadyApplied?.(shard, change.seq)) {
                options.onInvalidate(shard, 'feed', await options.store.invalidate(scope, change.tags));
                options.onLag(Math.max(0, (Date.now() - Date.parse(change.occurredAt)) / 1000));
              }
              state.cursor = change.seq;
            }
            if (page.changes.length > 0)
              await options.store.setSharedCursor(scope, { feedId: state.feedId, seq: state.cursor });
          }
          if (!restarted)
            pause =
              Math.min(page.changes.length > 0 ? MIN_POLL_SPACING_MS : MIN_EMPTY_POLL_SPACING_MS, options.waitMs) -
              (performance.now() - pollStart);
        }
        pause = Math.max(pause, (bytes * 1_000) / FEED_BYTES_PER_SECOND - (performance.now() - pollStart));
        if (state.cursor !== null && state.cursor >= catchUpTo) state.heardAt = performance.now();
        if (lost) log.info({ cursor: state.cursor }, 'change feed followed again');
        failures = 0;
        lost = false;
        if (pause > 0) await sleep(pause, undefined, { signal: stop.signal }).catch(() => undefined);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof NoFeed) {
          // A kind without public data: nothing of it is cached.
          follows.delete(scope);
          return;
        }
        failures += 1;
        // A feed that fails (the shard went away, or answered nonsense) stops vouching for the entries at
        // once; only a feed that stays silent is trusted for `graceMs` past its wait.
        state.heardAt = Number.NEGATIVE_INFINITY;
        if (!lost) {
          lost = true;
          log.warn(
            { error: (error as Error).message },
            'change feed unreachable: entries dropped until it answers again',
          );
          await drop(shard, 'feed-lost').catch(() => undefined);
        }
        await sleep(Math.min(100 * 2 ** failures, 2_000), undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  };

  const loops = options.shards.map((shard) => follow(shard));
  return {
    isCurrent: current,
    hasFeed: (shard) => follows.has(scopeOf(shard)),
    cursorOf: (shard) => follows.get(scopeOf(shard))?.cursor ?? null,
    positionOf: (shard) => {
      const follow = follows.get(scopeOf(shard));
      return follow && follow.cursor !== null ? { feedId: follow.feedId, seq: follow.cursor } : null;
    },
    states: () =>
      [...follows.values()].map((follow) => ({
        kind: follow.shard.kind,
        institution: follow.shard.institution,
        current: current(follow.shard),
        cursor: follow.cursor,
      })),
    close: async () => {
      stop.abort();
      await Promise.allSettled(loops);
      await dispatcher.close();
    },
  };
}
