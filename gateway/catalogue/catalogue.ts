import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { bulkhead } from 'cockatiel';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { HopSigningKey } from '../../platform/hop-keys';
import type { Logger } from '../../platform/logger';
import { followChangeFeeds } from '../cache/feed';
import { flushRoute } from '../cache/flush-route';
import type { CacheStore, DropReason, FeedPosition } from '../cache/store';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import type { Registry, Shard } from '../registry/registry';
import { createCatalogueMetrics, type CatalogueUpdate } from './catalogue-metrics';
import type { CatalogueEngine, PartPosition, SearchPage, SearchRequest } from './engine';
import {
  createAnswerNotes,
  type CatalogueNotes,
  type StaleInstitution,
  type StaleReason,
  type TextSuggestion,
} from './answer-notes';
import { createPostgresEngine } from './postgres-engine';
import {
  DEFAULT_CATALOGUE_FEED_GRACE_MS,
  DEFAULT_CATALOGUE_FEED_WAIT_MS,
  DEFAULT_MEMBER_READ_BUDGET,
  DEFAULT_REBUILD_BACKOFF_MS,
  DEFAULT_UNFOLLOWED_REFRESH_MS,
  MAX_RECORDS_READ_BY_TAG,
  WHOLE_READS_AT_ONCE,
  type CatalogueSettings,
} from './settings';
import { createReadBudget } from './read-budget';
import { createShardReader } from './shard-reader';
import type { WordSuggestion } from './similar-words';
import { createSqliteThreadEngine } from './sqlite-thread';

/** The suggestions, and the words again with the most similar word for each one no item holds, if each has one. */
function withText(words: readonly string[], suggested: WordSuggestion[]): Pick<TextSuggestion, 'words' | 'text'> {
  const best = new Map(suggested.map((suggestion) => [suggestion.word, suggestion.similar[0]]));
  if ([...best.values()].some((word) => word === undefined)) return { words: suggested };
  return { words: suggested, text: words.map((word) => best.get(word) ?? word).join(' ') };
}

/** The kind whose public data the catalogue holds. */
export const CATALOGUE_KIND = 'qualifications';
/** Root fields answered from the catalogue, with the type of their items. */
export const CATALOGUE_LISTS: ReadonlyMap<string, string> = new Map([
  ['units', 'Unit'],
  ['qualifications', 'Qualification'],
  ['institutions', 'Institution'],
]);

export interface CatalogueOptions extends CatalogueSettings {
  registry: Registry;
  /** Signs the catalogue's reads and feed polls as the hub (no caller: public data only). */
  hopKey: HopSigningKey | null;
  log: Logger;
  /** An engine made elsewhere (tests, the bench); by default from `url`. */
  engine?: CatalogueEngine;
  /** The gateway's metrics registry; none: the catalogue counts nowhere. */
  metrics?: MetricsRegistry;
}

/** The catalogue as readiness reports it: its engine and how current each institution's part is. */
export interface CatalogueHealth {
  engine: CatalogueEngine['name'];
  /** How many institutions' parts are current (followed by a current feed, or read on their bound), stale, unread. */
  institutions: { current: number; stale: number; notRead: number };
  /** The most any part may be behind, in seconds (0: every part followed by a current feed); null: none read. */
  maxAgeSeconds: number | null;
  /**
   * The engine's last loss of what it held (its thread stopped), and how many there were; null: none. `replaced`:
   * another thread took its place, and every part was read again; false: the engine gave up, and lists go to the
   * shards until the gateway restarts.
   */
  engineLost: { times: number; lastAt: string; error: string; replaced: boolean } | null;
  parts: Array<{
    institution: string;
    state: 'current' | 'stale' | 'not-read';
    /** Whether its shard serves a change feed; false: read again every `refreshSeconds`. */
    feed: boolean;
    /** How long its data may be behind: since its feed was lost or a read failed, or (no feed) since its last read. */
    ageSeconds: number | null;
    readAt: string | null;
    error: string | null;
    /** Until when its next read waits for the member's read budget (see read-budget.ts); null: none waits. */
    deferredUntil: string | null;
  }>;
  refreshSeconds: number;
}

/** One institution's part: whether it was read, and since when it may be behind. */
export interface PartState {
  institution: string;
  built: boolean;
  /** Followed by its feed and current, or (no feed) its last read succeeded. */
  current: boolean;
  /** Whether its shard serves a change feed (else its part is read again on a bound). */
  feed: boolean;
  staleSince: string | null;
  /** When its last whole read started. */
  readAt: string | null;
  error: string | null;
}

/**
 * The hub's catalogue of every member's public units, qualifications and institutions: lists and searches are
 * answered from it instead of waiting for every shard. It is filled from the shards and kept exact by their change
 * feeds, with the entity cache's rules: a write through the hub is in it before the write's answer returns; any other
 * writer's change arrives through the feed (within the feed's wait and grace); a feed gap or a lost feed marks the
 * institution stale (answers name it) and its part is read again once the shard answers. As a gateway part: its
 * plugin names stale institutions in answers, its route lets operators rebuild one institution.
 */
export interface Catalogue extends GatewayPart {
  readonly engine: CatalogueEngine;
  /** Whether it answers this root field now: every institution's part was read once (or failed to be). */
  answers(field: string): boolean;
  /** The notes of one answer of `context`, which its lists' searches gather; it carries them once committed. */
  notes(context: HubContext): CatalogueNotes;
  /**
   * A page of a list; `notes` gather the institutions whose part may be behind and, when a text search finds nothing
   * at all, the words like those no item holds (`path`: the list's place in the answer). Fails when the engine does
   * (it is down, say), noting nothing: the shards can answer instead.
   */
  search(notes: CatalogueNotes, request: SearchRequest, path: string[]): Promise<SearchPage>;
  /** Institution codes held, in code order; fails as `search` does. */
  institutions(notes: CatalogueNotes): Promise<string[]>;
  /** After a write through the hub at `shard`, before its answer returns: the records it changed, read again. */
  afterWrite(shard: Shard, response: GatewayGraphQLResponse | null): Promise<void>;
  /** Reads one institution's part again, whole (operators, a feed gap). */
  rebuild(institution: string): Promise<void>;
  states(): PartState[];
  health(): CatalogueHealth;
}

interface Part {
  shard: Shard;
  built: boolean;
  /** The first read finished, well or not: until every part's has, lists go to the shards. */
  tried: boolean;
  staleSince: number | null;
  /** When its last whole read that succeeded started (Date.now()): what it holds is at least that recent. */
  readAt: number | null;
  error: string | null;
  rebuilding: Promise<void> | null;
  /** Another rebuild was asked while one ran: it runs again once that one ends. */
  again: boolean;
  /** The records named since the read under way was sent: the next read takes them all. */
  pending: PendingRead | null;
  /** Reads of named records, one after another, while any are pending. */
  refreshing: Promise<void> | null;
  /**
   * While its next whole read waits for its member's read budget: until when (Date.now()), and how to end the wait at
   * once (an operator's rebuild); null when none waits.
   */
  deferred: { until: number; end: AbortController } | null;
  /** An operator asked for a read: the next one does not wait for the budget. */
  waived: boolean;
}

/** Records to read again, and everyone waiting for them to be applied. */
interface PendingRead {
  tags: Set<string>;
  done: Promise<void>;
  settle(error?: Error): void;
}

function pendingRead(): PendingRead {
  let settle: PendingRead['settle'] = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  return { tags: new Set(), done, settle };
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item): item is string => typeof item === 'string') ? value : null;
}

/** Errors after which a write may have committed though its answer names no changes (as for the entity cache). */
function outcomeUnknown(response: GatewayGraphQLResponse): boolean {
  return (response.errors ?? []).some((error) => {
    const extensions = (error as { extensions?: { code?: unknown; committed?: unknown } }).extensions;
    return (
      extensions?.committed === true ||
      ['SHARD_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'INTERNAL_SERVER_ERROR'].includes(String(extensions?.code))
    );
  });
}

export function createCatalogue(options: CatalogueOptions): Catalogue {
  const log = options.log.child({ component: 'catalogue' });
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const engine =
    options.engine ??
    (options.url
      ? // Another replica holds an institution for one read and its apply; a few such turns may come first.
        createPostgresEngine(options.url, { lockWaitMs: 3 * readTimeoutMs, log })
      : createSqliteThreadEngine(options.sqlitePath));
  const refreshMs = options.unfollowedRefreshMs ?? DEFAULT_UNFOLLOWED_REFRESH_MS;
  const budgetSettings = options.memberReadBudget ?? DEFAULT_MEMBER_READ_BUDGET;
  const budget = createReadBudget(budgetSettings);
  const reader = createShardReader({
    hopKey: options.hopKey,
    timeoutMs: readTimeoutMs,
    maxItems: options.maxItemsPerInstitution,
    onBytes: (shard, bytes) => budget.spend(shard.institution, bytes),
  });
  const shards = options.registry.shards(CATALOGUE_KIND);
  const parts = new Map<string, Part>(
    shards.map((shard) => [
      shard.institution,
      {
        shard,
        built: false,
        tried: false,
        staleSince: null,
        readAt: null,
        error: null,
        rebuilding: null,
        again: false,
        pending: null,
        refreshing: null,
        deferred: null,
        waived: false,
      },
    ]),
  );
  const notes = createAnswerNotes();
  const metrics = createCatalogueMetrics(
    options.metrics,
    engine,
    () => [...parts.values()].filter((part) => !isCurrent(part)).length,
  );
  /** Runs one update of a part, counted and timed. */
  const timed = async <T>(institution: string, kind: CatalogueUpdate, work: () => Promise<T>): Promise<T> => {
    const end = metrics.updateSeconds.startTimer({ kind });
    try {
      const result = await work();
      metrics.updates.inc({ institution, kind, outcome: 'ok' });
      return result;
    } catch (error) {
      metrics.updates.inc({ institution, kind, outcome: 'failed' });
      throw error;
    } finally {
      end();
    }
  };
  const stop = new AbortController();
  let closed = false;
  /** Feeds are followed from the positions stored in the engine, once it has started. */
  const resumed = new Map<string, PartPosition>();
  let hasStarted = false;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = () => {
      hasStarted = true;
      resolve();
    };
  });
  const wholeReads = bulkhead(WHOLE_READS_AT_ONCE, Number.MAX_SAFE_INTEGER);
  let engineLost: CatalogueHealth['engineLost'] = null;
  const engineLosses = () => engineLost?.times ?? 0;

  const markStale = (part: Part, error: string | null) => {
    part.staleSince ??= Date.now();
    if (error) part.error = error;
  };

  /**
   * Stores where the part stands in its feed, for a gateway that starts over this catalogue. A position that fails to
   * be stored costs such a start one whole read of the institution, not the part its currency now.
   */
  const storePosition = async (part: Part, position: FeedPosition, readAt: number) => {
    try {
      await engine.setPosition(part.shard.institution, { ...position, readAt, currentAt: Date.now() });
    } catch (error) {
      log.warn(
        { institution: part.shard.institution, error: (error as Error).message },
        'catalogue part position not stored: a restart reads the institution whole',
      );
    }
  };

  /** Why a read of the member waits, for its part's error and the log. */
  const deferral = (waitMs: number) =>
    `read deferred ${Math.ceil(waitMs / 1000)} s: its shard sent more than the catalogue reads of one member (${budgetSettings.bytes} bytes at once, then ${budgetSettings.bytesPerMinute} a minute)`;

  /**
   * Waits until the member's read budget lets its shard be read again (see read-budget.ts), the part stale meanwhile
   * and saying why; an operator's rebuild ends the wait.
   */
  const untilBudgetAllows = async (part: Part) => {
    const institution = part.shard.institution;
    for (let waitMs = budget.waitMs(institution); waitMs > 0 && !part.waived && !closed;) {
      const end = new AbortController();
      part.deferred = { until: Date.now() + waitMs, end };
      markStale(part, deferral(waitMs));
      metrics.readsDeferred.inc({ institution });
      log.warn({ institution, waitMs }, 'catalogue read of a member deferred: its read budget is spent');
      await sleep(waitMs, undefined, { signal: AbortSignal.any([stop.signal, end.signal]) }).catch(() => undefined);
      waitMs = budget.waitMs(institution);
    }
    Object.assign(part, { deferred: null, waived: false });
  };

  /**
   * Whether the member's budget is spent: then what a change or a write asks to read waits for the whole read its
   * budget allows next (which brings it too), asked for here; the part is stale meanwhile.
   */
  const overBudget = (part: Part): boolean => {
    const waitMs = budget.waitMs(part.shard.institution);
    if (waitMs <= 0) return false;
    markStale(part, deferral(waitMs));
    void rebuildPart(part);
    return true;
  };

  /** Reads the institution's part until it succeeds (the shard may be down: it is tried again, backing off). */
  const rebuildPart = (part: Part): Promise<void> => {
    if (part.rebuilding) {
      part.again = true;
      return part.rebuilding;
    }
    part.rebuilding = (async () => {
      let failures = 0;
      do {
        part.again = false;
        const losses = engineLosses();
        try {
          // A read of named records sent before this one would overwrite what this one finds with older data.
          await part.refreshing;
          await untilBudgetAllows(part);
          if (closed) return;
          // What was asked while the read waited, it reads: it starts only now.
          part.again = false;
          let startedAt = Date.now();
          const read = await wholeReads.execute(() =>
            timed(part.shard.institution, 'rebuild', async () =>
              engine.exclusive(part.shard.institution, async () => {
                startedAt = Date.now();
                const whole = await reader.readInstitution(part.shard);
                await engine.replaceInstitution(whole);
                // Every change the feed passed before the read started is in it, and one passed since would have
                // asked for another read: unless one did, the part holds every change up to where the feed is now.
                const position = feeds.positionOf(part.shard);
                if (position && !part.again) await storePosition(part, position, startedAt);
                return whole;
              }),
            ),
          );
          // A read that the engine's loss interrupted is run again (the loss asked for it): what it wrote may be gone.
          if (engineLosses() === losses) Object.assign(part, { built: true, readAt: startedAt, error: null });
          failures = 0;
          log.info({ institution: part.shard.institution, units: read.units.length }, 'catalogue part read');
        } catch (error) {
          failures += 1;
          markStale(part, (error as Error).message);
          if (failures === 1)
            log.warn(
              { institution: part.shard.institution, error: (error as Error).message },
              'catalogue part could not be read: it is marked stale and read again once its shard answers',
            );
          part.again = !closed;
          if (part.again)
            await sleep(Math.min(100 * 2 ** failures, DEFAULT_REBUILD_BACKOFF_MS), undefined, {
              signal: stop.signal,
            }).catch(() => undefined);
        } finally {
          if (engineLosses() === losses) part.tried = true;
        }
      } while (part.again && !closed);
    })().finally(() => {
      part.rebuilding = null;
    });
    return part.rebuilding;
  };

  // The engine lost what it held (its thread stopped): lists go to the shards, as before the first reads, until every
  // part is read again whole into the thread that took its place, or until a restart if none did.
  engine.onLost?.((reason, replaced) => {
    engineLost = { times: engineLosses() + 1, lastAt: new Date().toISOString(), error: reason.message, replaced };
    metrics.engineLosses.inc();
    log.error(
      { error: reason.message, replaced },
      replaced
        ? 'catalogue engine lost what it held: lists go to the shards until every part is read again'
        : 'catalogue engine gave up: lists go to the shards until the gateway restarts',
    );
    for (const part of parts.values()) {
      Object.assign(part, { built: false, tried: false, readAt: null, staleSince: null, error: reason.message });
      if (replaced && !closed) void rebuildPart(part);
    }
  });

  const partOfScope = (scope: string) => parts.get(scope.slice(CATALOGUE_KIND.length + 1));

  /** Applies what a change names: the records read again from the shard (or the whole part, for many). */
  const applyTags = async (part: Part, tags: readonly string[]) => {
    const named = tags.filter((tag) => tag.startsWith('Unit:') || tag.startsWith('Qualification:'));
    const institution = part.shard.institution;
    if (overBudget(part)) return;
    if (named.length > MAX_RECORDS_READ_BY_TAG) {
      await timed(institution, 'rebuild', async () =>
        engine.exclusive(institution, async () => engine.replaceInstitution(await reader.readInstitution(part.shard))),
      );
      return;
    }
    await timed(institution, 'refresh', async () =>
      engine.exclusive(institution, async () => engine.apply(institution, await reader.readChanged(part.shard, tags))),
    );
  };

  /**
   * Reads the records `tags` name again and applies them, one read at a time per institution (here, and through
   * `engine.exclusive` across replicas sharing the catalogue): two reads of one record in flight at once could be
   * applied in the other order, the older answer last. Records named while a read runs are read together by the
   * next one, sent after they were named, so a write's answer waits for a read that sees it.
   */
  const refreshPart = (part: Part, tags: readonly string[]): Promise<void> => {
    const pending = (part.pending ??= pendingRead());
    for (const tag of tags) pending.tags.add(tag);
    part.refreshing ??= (async () => {
      try {
        while (part.pending) {
          const batch = part.pending;
          part.pending = null;
          try {
            await applyTags(part, [...batch.tags]);
            batch.settle();
          } catch (error) {
            batch.settle(error instanceof Error ? error : new Error(String(error)));
          }
        }
      } finally {
        // In the same step as the last look at `pending`: records named from now on start the next read.
        part.refreshing = null;
      }
    })();
    return pending.done;
  };

  // The entity cache's feed follower, with the catalogue as its store: a change's tags are applied (read again),
  // a flush (a gap, a lost feed, a restored database) reads the institution again whole.
  const store: CacheStore = {
    read: async () => ({ epoch: 0, entry: undefined }),
    fill: async () => false,
    invalidate: async (scope, tags) => {
      const part = partOfScope(scope);
      // A read of the whole part under way may have started before this change: it runs once more.
      if (part?.rebuilding) part.again = true;
      // A write through this hub applied it already; reading it again is harmless and keeps the rule simple.
      else if (part?.built) await refreshPart(part, tags);
      return tags.length;
    },
    flush: async (scope) => {
      const part = partOfScope(scope);
      if (part) {
        // Before the read that replaces it: the position belongs to a feed that can no longer be followed from it.
        await engine
          .forgetPosition(part.shard.institution)
          .catch((error: unknown) =>
            log.warn(
              { institution: part.shard.institution, error: (error as Error).message },
              'catalogue part position not forgotten',
            ),
          );
        void rebuildPart(part);
      }
      return null;
    },
    // Where the part stood when a gateway last stopped over this catalogue: the feed is followed on from there.
    sharedCursor: async (scope) => {
      await started;
      if (closed) throw new Error('the catalogue is closed');
      const part = partOfScope(scope);
      return part ? (resumed.get(part.shard.institution) ?? null) : null;
    },
    // After the changes up to `position` were applied; a part with a read under way or due stores its own later.
    setSharedCursor: async (scope, position) => {
      const part = partOfScope(scope);
      if (part?.built && !part.rebuilding && !part.pending && !part.refreshing && part.readAt !== null)
        await storePosition(part, position, part.readAt);
    },
    close: async () => undefined,
  };
  const feeds = followChangeFeeds({
    shards,
    hopKey: options.hopKey,
    store,
    // Each invalidation is a read of the shard: a page of changes is read again at once, however many it holds.
    wholePages: true,
    waitMs: options.feedWaitMs ?? DEFAULT_CATALOGUE_FEED_WAIT_MS,
    graceMs: options.feedGraceMs ?? DEFAULT_CATALOGUE_FEED_GRACE_MS,
    log,
    onInvalidate: (shard: Shard, reason: DropReason) => {
      const part = parts.get(shard.institution);
      if (part && (reason === 'feed-lost' || reason === 'gap') && part.built) markStale(part, null);
    },
    onLag: () => undefined,
  });

  /** Whether a part is current: its feed vouches for it, or (no feed) its last read succeeded. */
  const isCurrent = (part: Part) =>
    part.built && (feeds.hasFeed(part.shard) ? !part.rebuilding && feeds.isCurrent(part.shard) : part.error === null);

  // A shard without a change feed is never flushed by one: its part is read here, first at once, then every
  // `refreshMs` (checked often enough that the bound is kept to within a few per cent). Not before the engine has
  // started: a part it held from an earlier gateway is not yet known, and would be read whole as never read.
  const refresher = setInterval(
    () => {
      if (!hasStarted) return;
      const now = Date.now();
      for (const part of parts.values())
        if (!feeds.hasFeed(part.shard) && !part.rebuilding && (part.readAt === null || now - part.readAt >= refreshMs))
          void rebuildPart(part);
    },
    Math.max(10, Math.min(1_000, refreshMs / 20)),
  );
  refresher.unref();

  let searchFailureLoggedAt = 0;
  /** The engine failed a list (it is down, say): counted, and logged at most every 10 s while it keeps failing. */
  const searchFailed = (list: string, error: unknown) => {
    metrics.searchFailures.inc({ engine: engine.name, list });
    if (Date.now() - searchFailureLoggedAt < 10_000) return;
    searchFailureLoggedAt = Date.now();
    log.warn(
      { engine: engine.name, list, error: (error as Error).message },
      'catalogue engine failed a list: the shards answer it',
    );
  };

  /** Institutions whose part may be behind now; a part that is current again is no longer named. */
  const staleParts = (): StaleInstitution[] => {
    const now = Date.now();
    const stale: StaleInstitution[] = [];
    const entry = (part: Part, reason: StaleReason, since: number | null): StaleInstitution => ({
      institution: part.shard.institution,
      reason,
      since: since === null ? null : new Date(since).toISOString(),
      ageSeconds: since === null ? null : Math.round((now - since) / 100) / 10,
    });
    for (const part of parts.values()) {
      const current = isCurrent(part);
      if (current) part.staleSince = null;
      else if (part.built) markStale(part, null);
      if (!part.built) stale.push(entry(part, 'NOT_READ', null));
      else if (!current) stale.push(entry(part, 'BEHIND', part.staleSince));
      else if (!feeds.hasFeed(part.shard))
        stale.push({ ...entry(part, 'NO_FEED', part.readAt), refreshSeconds: refreshMs / 1000 });
    }
    return stale;
  };

  return {
    name: 'catalogue',
    engine,
    answers: (field) =>
      CATALOGUE_LISTS.has(field) && engineLost?.replaced !== false && [...parts.values()].every((part) => part.tried),
    notes: (context) => notes.staged(context),
    search: async (answerNotes, request, path) => {
      // Named as they stand when the search starts; the answer says so only if the engine answers.
      const stale = staleParts();
      const end = metrics.searchSeconds.startTimer({ engine: engine.name, list: request.list });
      try {
        const page = await engine.search(request);
        const { words } = request.filter;
        const first = request.offset === 0 && Object.keys(request.after).length === 0;
        const suggested =
          first && page.items.length === 0 && words && words.length > 0
            ? await engine.suggest(request.list, words)
            : [];
        answerNotes.stale(stale);
        if (words && suggested.length > 0) answerNotes.suggest({ path, ...withText(words, suggested) });
        return page;
      } catch (error) {
        searchFailed(request.list, error);
        throw error;
      } finally {
        end();
      }
    },
    institutions: async (answerNotes) => {
      const stale = staleParts();
      try {
        const codes = await engine.institutions();
        answerNotes.stale(stale);
        return codes;
      } catch (error) {
        searchFailed('institutions', error);
        throw error;
      }
    },
    afterWrite: async (shard, response) => {
      const part = shard.kind === CATALOGUE_KIND ? parts.get(shard.institution) : undefined;
      if (!part) return;
      // The write's answer waits for a read of the whole part under way, run once more to include the write; not
      // longer than one read may take (a shard that fails keeps the part stale, and answers say so), nor for a read
      // that waits for the member's budget (the part is stale meanwhile).
      if (part.rebuilding) {
        part.again = true;
        if (part.deferred) return;
        await Promise.race([
          part.rebuilding,
          sleep(readTimeoutMs, undefined, { signal: stop.signal }).catch(() => undefined),
        ]);
        return;
      }
      if (!part.built) return;
      const changes = stringList((response?.extensions as { changes?: unknown } | undefined)?.changes);
      try {
        if (changes) await refreshPart(part, changes);
        else if (response && !outcomeUnknown(response) && !feeds.hasFeed(shard)) {
          // No feed and no list of changes: the part is read again whole before the write's answer returns (as
          // long as one read may take), unless the member's budget has that read wait.
          if (overBudget(part)) return;
          await Promise.race([
            rebuildPart(part),
            sleep(readTimeoutMs, undefined, { signal: stop.signal }).catch(() => undefined),
          ]);
        } else if (!response || outcomeUnknown(response)) {
          markStale(part, 'a write through the hub ended without saying what it changed');
          void rebuildPart(part);
        }
      } catch (error) {
        // The write happened; the feed brings its change (or a lost feed a rebuild). Until then, say so.
        markStale(part, (error as Error).message);
        void rebuildPart(part);
        log.error(
          { error: (error as Error).message, institution: shard.institution },
          'catalogue update after a write failed',
        );
      }
    },
    rebuild: async (institution) => {
      const part = parts.get(institution);
      if (part) await rebuildPart(part);
    },
    states: () =>
      [...parts.values()].map((part) => ({
        institution: part.shard.institution,
        built: part.built,
        current: isCurrent(part),
        feed: feeds.hasFeed(part.shard),
        staleSince: part.staleSince === null ? null : new Date(part.staleSince).toISOString(),
        readAt: part.readAt === null ? null : new Date(part.readAt).toISOString(),
        error: part.error,
      })),
    health: () => {
      const now = Date.now();
      const seconds = (since: number | null) => (since === null ? null : Math.round((now - since) / 100) / 10);
      const states = [...parts.values()].map((part) => {
        const current = isCurrent(part);
        const feed = feeds.hasFeed(part.shard);
        const state: CatalogueHealth['parts'][number]['state'] = !part.built
          ? 'not-read'
          : current
            ? 'current'
            : 'stale';
        return {
          institution: part.shard.institution,
          state,
          feed,
          ageSeconds: !part.built ? null : !current ? seconds(part.staleSince) : feed ? 0 : seconds(part.readAt),
          readAt: part.readAt === null ? null : new Date(part.readAt).toISOString(),
          error: part.error,
          deferredUntil: part.deferred ? new Date(part.deferred.until).toISOString() : null,
        };
      });
      const ages = states.flatMap((state) => (state.ageSeconds === null ? [] : [state.ageSeconds]));
      return {
        engine: engine.name,
        institutions: {
          current: states.filter((state) => state.state === 'current').length,
          stale: states.filter((state) => state.state === 'stale').length,
          notRead: states.filter((state) => state.state === 'not-read').length,
        },
        maxAgeSeconds: ages.length === 0 ? null : Math.max(...ages),
        engineLost,
        parts: states,
        refreshSeconds: refreshMs / 1000,
      };
    },
    plugins: [notes.plugin],
    routes: [
      flushRoute({
        path: '/catalogue/rebuild',
        operatorToken: options.operatorToken ?? null,
        registry: options.registry,
        flush: async (institution) => {
          const part = parts.get(institution);
          if (!part) return 0;
          markStale(part, null);
          part.waived = true;
          part.deferred?.end.abort();
          await rebuildPart(part);
          return null;
        },
      }),
    ],
    start: async () => {
      try {
        await engine.start();
        // Parts a gateway left over this catalogue (PostgreSQL, a SQLite file) are held as they were, and behind
        // since they were last known current, until their feeds bring what changed meanwhile; a feed that cannot
        // replay from there has the part read whole.
        for (const [institution, position] of await engine.positions()) {
          const part = parts.get(institution);
          if (!part) continue;
          Object.assign(part, { built: true, tried: true, readAt: position.readAt, staleSince: position.currentAt });
          resumed.set(institution, position);
        }
        if (resumed.size > 0) log.info({ institutions: resumed.size }, 'catalogue parts resumed from their feeds');
      } finally {
        markStarted();
      }
    },
    stop: async () => {
      closed = true;
      markStarted();
      clearInterval(refresher);
      stop.abort();
      await feeds.close();
      await Promise.allSettled([...parts.values()].flatMap((part) => [part.rebuilding, part.refreshing]));
      await engine.close();
    },
  };
}
