import { createHash } from 'node:crypto';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Registry as MetricsRegistry } from 'prom-client';
import { parseEntityId } from '../../schema/ids';
import type { HopSigningKey } from '../../platform/hop-keys';
import type { Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import type { Registry, Shard } from '../registry/registry';
import type { RoutingTable } from '../routing/routing-table';
import { createAnswerHint } from './answer-hint';
import { createAppliedWrites } from './applied-writes';
import { createCacheMetrics } from './cache-metrics';
import { followChangeFeeds, scopeOf, type FeedFollower } from './feed';
import { flushRoute } from './flush-route';
import { createMemoryStore } from './memory-store';
import { createRedisStore } from './redis-store';
import {
  DEFAULT_CACHED_TYPES,
  DEFAULT_FEED_GRACE_MS,
  DEFAULT_FEED_WAIT_MS,
  type EntityCacheSettings,
} from './settings';
import type { CacheStore, DropReason } from './store';

export interface EntityCacheOptions extends EntityCacheSettings {
  /** The supergraph's routing table: which root fields answer cacheable types. */
  routing: RoutingTable;
  registry: Registry;
  /** The hub's hop key, to sign the change-feed polls. */
  hopKey: HopSigningKey | null;
  /** The gateway's metrics registry; none: the cache counts nowhere. */
  metrics?: MetricsRegistry;
  log: Logger;
}

/** A miss the caller may fill once the shard has answered. */
export interface CacheMiss {
  shard: Shard;
  typeName: string;
  key: string;
  epoch: number;
  /** The tags of the entities asked for, so a "not found" is dropped when they are created. */
  requestedTags: string[];
  /** The request it belongs to: an answer the shard marks private makes the whole answer private. */
  context: HubContext;
}

export type CacheLookup = { hit: unknown } | { miss: CacheMiss };

/**
 * The hub's entity cache for public types, with exact invalidation. What is cached: the answer of one shard
 * call for by-ID root fields of cached types and for each shard's page of a list of them, and each
 * `_entities` representation of a cached type, keyed by the query sent to the shard (so the selection), its
 * variables and the owner. Only answers a shard marks
 * `public` (no access rule read the caller) are stored, tagged with every record they were read from.
 * Invalidation: a write through the hub drops its tags before its answer goes back; writes made anywhere
 * else reach us through the owner's change feed.
 * As a gateway part: its plugin sets the Cache-Control hint and X-Hub-Cache on every answer, its route is
 * `POST /cache/flush?institution=<code>` for operators, start waits for Redis (if used), stop ends the feeds.
 */
export interface EntityCache extends GatewayPart {
  /** The cached type all these root fields return, or null if any is not a cached by-ID field. */
  rootType(fieldNames: readonly string[]): string | null;
  /** Whether `_entities` answers of this type are cached. */
  cachesType(typeName: string): boolean;
  /**
   * Looks up one shard call (its query and variables: the key) whose answer is of `typeName`; null when it may
   * not be served from the cache now (the shard's feed is not followed, the store is away).
   */
  lookup(
    context: HubContext,
    shard: Shard,
    typeName: string,
    call: ShardCall,
    requestedIds: readonly string[],
  ): Promise<CacheLookup | null>;
  /** Stores the shard's answer (`value`) if the shard marked the response public and nothing was invalidated meanwhile. */
  fill(miss: CacheMiss, value: unknown, response: GatewayGraphQLResponse): Promise<void>;
  /** After a mutation at `shard`: drops what it changed (or, if its outcome is unknown, the institution's entries). */
  afterWrite(shard: Shard, response: GatewayGraphQLResponse | null): Promise<void>;
  /** Notes that a shard call of this request was not served or filled from the cache (personal data, lists). */
  bypass(context: HubContext): void;
  /** Drops one institution's entries; how many, or null where the store does not count them (Redis). */
  flush(institution: string, reason: DropReason): Promise<number | null>;
  /** The change feeds it follows, one per shard with public data (health). */
  feeds: FeedFollower;
}

/**
 * Root fields whose shard answers may be cached, with the type they count against: by-ID fields routed by
 * an `@owner(argument: "id")` hint, and lists without an owner (each shard's page of a fan-out) of a cached
 * type. Other owner-routed fields (the caller's institution, another argument) are left alone.
 */
export function cachedRootFields(routing: RoutingTable, types: ReadonlyMap<string, number>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [field, rule] of routing.query)
    if (rule.entityType && types.has(rule.entityType)) fields.set(field, rule.entityType);
  return fields;
}

/** What a shard was asked: the text sent and its variables (for `_entities`, one representation's). */
export interface ShardCall {
  query: string;
  variables: unknown;
}

/** The entry's key within its shard's scope (the store keeps scopes apart). */
function keyOf(call: ShardCall): string {
  return createHash('sha256')
    .update(call.query)
    .update('\u0000')
    .update(JSON.stringify(call.variables))
    .digest('base64url');
}

function localTag(typeName: string, id: string, institution: string): string | null {
  const parsed = parseEntityId(id);
  if (!parsed || parsed.institution !== institution) return null;
  return typeName === 'Institution' ? 'Institution' : `${typeName}:${parsed.localId}`;
}

interface ShardHints {
  cache?: { scope?: unknown; tags?: unknown };
  changes?: unknown;
  changeSeqs?: unknown;
}

/**
 * Errors after which a write may have committed though its answer names no changes: the shard or its database
 * failed mid-way, or an Idempotency-Key retry is told its first attempt committed. A refusal (bad input,
 * forbidden, conflict) changed nothing.
 */
function outcomeUnknown(response: GatewayGraphQLResponse): boolean {
  return (response.errors ?? []).some((error) => {
    const extensions = (error as { extensions?: { code?: unknown; committed?: unknown } }).extensions;
    return extensions?.committed === true || UNKNOWN_OUTCOME_CODES.has(String(extensions?.code));
  });
}
const UNKNOWN_OUTCOME_CODES = new Set(['SHARD_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'INTERNAL_SERVER_ERROR']);

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item): item is string => typeof item === 'string') ? value : null;
}

export function createEntityCache(options: EntityCacheOptions): EntityCache {
  const types = options.types ?? DEFAULT_CACHED_TYPES;
  const rootFields = cachedRootFields(options.routing, types);
  const log = options.log;
  const metrics = createCacheMetrics(options.metrics);
  const redis = options.redisUrl
    ? createRedisStore({ url: options.redisUrl, namespace: options.redisNamespace, maxEntryBytes: types })
    : null;
  const store: CacheStore =
    redis ?? createMemoryStore({ budgets: types, onEvict: (type) => metrics.evictions.inc({ type }) });
  const applied = createAppliedWrites();
  const onInvalidate = (shard: Shard, reason: DropReason, count: number | null) => {
    metrics.invalidations.inc({ source: reason });
    if (count !== null) metrics.dropped.inc({ source: reason }, count);
    // Whatever drops a shard's entries wholesale also ends what was remembered of its writes (a restore may reuse numbers).
    if (reason !== 'write' && reason !== 'feed') {
      applied.forget(shard);
      log.info(
        { kind: shard.kind, institution: shard.institution, reason, dropped: count },
        'entity cache entries of a shard dropped',
      );
    }
  };
  const feeds = followChangeFeeds({
    shards: options.registry.kinds().flatMap((kind) => options.registry.shards(kind)),
    hopKey: options.hopKey,
    store,
    waitMs: options.feedWaitMs ?? DEFAULT_FEED_WAIT_MS,
    graceMs: options.feedGraceMs ?? DEFAULT_FEED_GRACE_MS,
    log: log.child({ component: 'entity-cache' }),
    onInvalidate,
    onLag: (seconds) => metrics.staleness.observe(seconds),
    alreadyApplied: (shard, seq) => applied.take(shard, seq),
  });
  const hint = createAnswerHint(options.clientMaxAgeSeconds ?? 0);
  const flushShard = async (shard: Shard, reason: DropReason) => {
    const count = await store.flush(scopeOf(shard));
    onInvalidate(shard, reason, count);
    return count;
  };
  const flush = async (institution: string, reason: DropReason): Promise<number | null> => {
    let count: number | null = 0;
    for (const kind of options.registry.kinds()) {
      const shard = options.registry.shard(kind, institution);
      if (!shard || !feeds.hasFeed(shard)) continue;
      const dropped = await flushShard(shard, reason);
      count = count === null || dropped === null ? null : count + dropped;
    }
    return count;
  };

  return {
    name: 'entity-cache',
    rootType: (fieldNames) => {
      const found = new Set(fieldNames.map((name) => rootFields.get(name) ?? null));
      const [only] = found;
      return found.size === 1 && only ? only : null;
    },
    cachesType: (typeName) => types.has(typeName),
    lookup: async (context, shard, typeName, call, requestedIds) => {
      if (!feeds.isCurrent(shard)) return null;
      const key = keyOf(call);
      try {
        // The epoch is read with the entry: an invalidation after it makes the fill refuse, never the reverse.
        const { epoch, entry } = await store.read(scopeOf(shard), key);
        if (entry) {
          metrics.hits.inc({ type: typeName });
          hint.tallyOf(context).hits += 1;
          return { hit: JSON.parse(entry.value) as unknown };
        }
        metrics.misses.inc({ type: typeName });
        hint.tallyOf(context).misses += 1;
        const requestedTags = requestedIds
          .map((id) => localTag(typeName, id, shard.institution))
          .filter((tag): tag is string => tag !== null);
        return { miss: { shard, typeName, key, epoch, requestedTags, context } };
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'entity cache unavailable: asking the shard');
        return null;
      }
    },
    fill: async (miss, value, response) => {
      const hints = response.extensions as ShardHints | undefined;
      const tags = stringList(hints?.cache?.tags);
      if (hints?.cache?.scope !== 'public') {
        // The shard read the caller for this answer: the whole answer is private.
        hint.tallyOf(miss.context).bypassed += 1;
        return;
      }
      if (!tags || (response.errors?.length ?? 0) > 0 || !feeds.isCurrent(miss.shard)) return;
      const all = [...tags, ...miss.requestedTags];
      try {
        await store.fill(
          scopeOf(miss.shard),
          miss.epoch,
          miss.key,
          { typeName: miss.typeName, value: JSON.stringify(value) },
          all,
        );
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'entity cache fill failed');
      }
    },
    afterWrite: async (shard, response) => {
      if (!feeds.hasFeed(shard)) return;
      const hints = response?.extensions as ShardHints | undefined;
      const changes = stringList(hints?.changes);
      try {
        if (changes) {
          onInvalidate(shard, 'write', await store.invalidate(scopeOf(shard), changes));
          applied.remember(shard, hints?.changeSeqs, feeds.cursorOf(shard));
        }
        // No answer, or one that cannot say what happened: the write may have committed without naming its changes.
        else if (!response || outcomeUnknown(response)) await flushShard(shard, 'write-unknown');
      } catch (error) {
        // The write happened; the feed delivers its change once the store is back (the cursor waits for it).
        log.error(
          { error: (error as Error).message, institution: shard.institution },
          'entity cache invalidation after a write failed',
        );
      }
    },
    bypass: (context) => {
      hint.tallyOf(context).bypassed += 1;
    },
    flush,
    plugins: [hint.plugin],
    routes: [
      flushRoute({
        operatorToken: options.operatorToken ?? null,
        registry: options.registry,
        flush: (institution) => flush(institution, 'flush'),
      }),
    ],
    feeds,
    // Redis away at start costs the cache, not the gateway: lookups go to the shards until it answers.
    start: async () => {
      await redis?.ready.catch((error: unknown) =>
        log.warn(
          { error: (error as Error).message },
          'entity cache: Redis not usable; reads go to the shards until it is',
        ),
      );
    },
    stop: async () => {
      await feeds.close();
      await store.close();
    },
  };
}
