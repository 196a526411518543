import type { HopSigningKey } from '../../platform/hop-keys';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Counter, Histogram, type Registry as MetricsRegistry } from 'prom-client';
import { parseEntityId } from '../../schema/ids';
import { sendJson, type Route } from '../../platform/http';
import type { Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { Registry, Shard } from '../registry/registry';
import type { RoutingTable } from '../routing/routing-table';
import { followChangeFeeds, scopeOf, type FeedFollower } from './feed';
import { createMemoryStore } from './memory-store';
import { createRedisStore } from './redis-store';
import type { CacheStore, DropReason } from './store';

/** The public types cached by default, with the memory store's byte budget of each. */
export const DEFAULT_CACHED_TYPES: ReadonlyMap<string, number> = new Map([
  ['Institution', 1_000_000],
  ['Qualification', 8_000_000],
  ['Unit', 32_000_000],
  ['LearningOutcome', 16_000_000],
]);

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1_000, MB: 1_000_000, GB: 1_000_000_000 };

/**
 * Reads `Type:size,Type:size` (sizes in bytes, or with KB/MB/GB), e.g. "Unit:32MB,Qualification:8MB"; the
 * types listed are the ones cached. Throws with the entry at fault.
 */
export function parseCachedTypes(text: string): Map<string, number> {
  const types = new Map<string, number>();
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Za-z0-9_]*):(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(entry);
    if (!match) throw new Error(`"${entry}" is not Type:size (e.g. Unit:32MB)`);
    const [, typeName = '', amount = '0', unit = ''] = match;
    types.set(typeName, Math.round(Number(amount) * (UNITS[unit.toUpperCase()] ?? 1)));
  }
  return types;
}

export const DEFAULT_FEED_WAIT_MS = 10_000;
export const DEFAULT_FEED_GRACE_MS = 2_000;

/** What configuration sets (gateway options, environment). */
export type EntityCacheSettings = Omit<EntityCacheOptions, 'routing' | 'registry' | 'hopKey' | 'metrics' | 'log'>;

export interface EntityCacheOptions {
  /** The supergraph's routing table: which root fields answer cacheable types. */
  routing: RoutingTable;
  registry: Registry;
  /** The hub's hop key, to sign the change-feed polls. */
  hopKey: HopSigningKey | null;
  /** Cached types: each with its byte budget in memory, or its largest entry in Redis. */
  types?: ReadonlyMap<string, number>;
  /** Redis shared by the gateway replicas; in memory without it. */
  redisUrl?: string | null;
  /** Prefix of the cache's Redis keys, for hubs sharing one Redis. @default 'hub' */
  redisNamespace?: string;
  /** How long a shard may hold a change-feed poll open. @default 10_000 */
  feedWaitMs?: number;
  /** How much longer a silent feed is trusted before its institution's entries are dropped. @default 2_000 */
  feedGraceMs?: number;
  /** `max-age` of the Cache-Control hint on answers made only of public entities. @default 0 */
  clientMaxAgeSeconds?: number;
  /** Bearer token of operators allowed to flush an institution's entries (`POST /cache/flush`); none: no route. */
  operatorToken?: string | null;
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
 */
export interface EntityCache {
  /** The cached type all these root fields return, or null if any is not a cached by-ID field. */
  rootType(fieldNames: readonly string[]): string | null;
  /** Whether `_entities` answers of this type are cached. */
  cachesType(typeName: string): boolean;
  /**
   * Looks up one shard call (its query and variables: the key) whose answer is of `typeName`; null when it may
   * not be served from the cache now (the shard's feed is not followed, the store is away).
   */
  lookup(context: HubContext, shard: Shard, typeName: string, call: ShardCall, requestedIds: readonly string[]): Promise<CacheLookup | null>;
  /** Stores the shard's answer (`value`) if the shard marked the response public and nothing was invalidated meanwhile. */
  fill(miss: CacheMiss, value: unknown, response: GatewayGraphQLResponse): Promise<void>;
  /** After a mutation at `shard`: drops what it changed (or, if its outcome is unknown, the institution's entries). */
  afterWrite(shard: Shard, response: GatewayGraphQLResponse | null): Promise<void>;
  /** Notes that a shard call of this request was not served or filled from the cache (personal data, lists). */
  bypass(context: HubContext): void;
  /** Drops one institution's entries; how many, or null where the store does not count them (Redis). */
  flush(institution: string, reason: DropReason): Promise<number | null>;
  /** Sets the Cache-Control hint and X-Hub-Cache on every answer. */
  plugin: ApolloServerPlugin<HubContext>;
  /** `POST /cache/flush?institution=<code>` for operators. */
  route: Route;
  feeds: FeedFollower;
  ready: Promise<void>;
  close(): Promise<void>;
}

/** What the shard calls of one request did with the cache: the answer's hint follows from it. */
interface RequestTally {
  hits: number;
  misses: number;
  bypassed: number;
}

/**
 * Root fields whose shard answers may be cached, with the type they count against: by-ID fields routed by
 * an `@owner(argument: "id")` hint, and lists without an owner (each shard's page of a fan-out) of a cached
 * type. Other owner-routed fields (the caller's institution, another argument) are left alone.
 */
export function cachedRootFields(routing: RoutingTable, types: ReadonlyMap<string, number>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [field, rule] of routing.query) if (rule.entityType && types.has(rule.entityType)) fields.set(field, rule.entityType);
  return fields;
}

/** What a shard was asked: the text sent and its variables (for `_entities`, one representation's). */
export interface ShardCall {
  query: string;
  variables: unknown;
}

/** The entry's key within its shard's scope (the store keeps scopes apart). */
function keyOf(call: ShardCall): string {
  return createHash('sha256').update(call.query).update('\u0000').update(JSON.stringify(call.variables)).digest('base64url');
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

/** Most change numbers remembered per shard between a write's answer and the feed bringing the change. */
const APPLIED_MEMORY = 1_000;

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
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
}

export function createEntityCache(options: EntityCacheOptions): EntityCache {
  const types = options.types ?? DEFAULT_CACHED_TYPES;
  const rootFields = cachedRootFields(options.routing, types);
  const log = options.log;
  const registers = options.metrics ? [options.metrics] : [];
  const hits = new Counter({ name: 'hub_entity_cache_hits_total', help: 'Shard calls answered from the entity cache, by type', labelNames: ['type'], registers });
  const misses = new Counter({ name: 'hub_entity_cache_misses_total', help: 'Cacheable shard calls sent to the shard, by type', labelNames: ['type'], registers });
  const evictions = new Counter({ name: 'hub_entity_cache_evictions_total', help: 'Entries pushed out to stay within a type budget', labelNames: ['type'], registers });
  const invalidations = new Counter({
    name: 'hub_entity_cache_invalidations_total',
    help: 'Invalidations by source (write through the hub, change feed, feed gap, operator flush, feed lost)',
    labelNames: ['source'],
    registers,
  });
  const dropped = new Counter({ name: 'hub_entity_cache_dropped_entries_total', help: 'Entries dropped by invalidations, by source', labelNames: ['source'], registers });
  const staleness = new Histogram({
    name: 'hub_entity_cache_staleness_seconds',
    help: "From a change's commit at its shard to its invalidation here: how stale a cached read could have been",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  const redis = options.redisUrl ? createRedisStore({ url: options.redisUrl, namespace: options.redisNamespace, maxEntryBytes: types }) : null;
  const store: CacheStore = redis ?? createMemoryStore({ budgets: types, onEvict: (type) => evictions.inc({ type }) });
  // Changes this gateway dropped as their writes answered, by shard: the feed brings them again later.
  const appliedByWrite = new Map<string, Set<number>>();
  const onInvalidate = (shard: Shard, reason: DropReason, count: number | null) => {
    invalidations.inc({ source: reason });
    if (count !== null) dropped.inc({ source: reason }, count);
    // Whatever drops a shard's entries wholesale also ends what was remembered of its writes (a restore may reuse numbers).
    if (reason !== 'write' && reason !== 'feed') {
      appliedByWrite.delete(scopeOf(shard));
      log.info({ kind: shard.kind, institution: shard.institution, reason, dropped: count }, 'entity cache entries of a shard dropped');
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
    onLag: (seconds) => staleness.observe(seconds),
    alreadyApplied: (shard, seq) => appliedByWrite.get(scopeOf(shard))?.delete(seq) ?? false,
  });
  const tallies = new WeakMap<HubContext, RequestTally>();
  const tallyOf = (context: HubContext): RequestTally => {
    let tally = tallies.get(context);
    if (!tally) {
      tally = { hits: 0, misses: 0, bypassed: 0 };
      tallies.set(context, tally);
    }
    return tally;
  };
  const rememberApplied = (shard: Shard, seqs: unknown) => {
    if (!Array.isArray(seqs)) return;
    const scope = scopeOf(shard);
    const applied = appliedByWrite.get(scope) ?? new Set<number>();
    // Changes the feed brought already (it often beats the write's own answer) will not come again.
    const delivered = feeds.cursorOf(shard) ?? Number.POSITIVE_INFINITY;
    for (const seq of seqs) if (typeof seq === 'number' && seq > delivered) applied.add(seq);
    // Oldest first out: a change the feed never brought back (the feed was lost meanwhile) must not pile up.
    for (const seq of applied) {
      if (applied.size <= APPLIED_MEMORY) break;
      applied.delete(seq);
    }
    appliedByWrite.set(scope, applied);
  };
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
  const operatorToken = options.operatorToken ? Buffer.from(`Bearer ${options.operatorToken}`) : null;
  const maxAge = options.clientMaxAgeSeconds ?? 0;

  return {
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
          hits.inc({ type: typeName });
          tallyOf(context).hits += 1;
          return { hit: JSON.parse(entry.value) as unknown };
        }
        misses.inc({ type: typeName });
        tallyOf(context).misses += 1;
        const requestedTags = requestedIds.map((id) => localTag(typeName, id, shard.institution)).filter((tag): tag is string => tag !== null);
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
        tallyOf(miss.context).bypassed += 1;
        return;
      }
      if (!tags || (response.errors?.length ?? 0) > 0 || !feeds.isCurrent(miss.shard)) return;
      const all = [...tags, ...miss.requestedTags];
      try {
        await store.fill(scopeOf(miss.shard), miss.epoch, miss.key, { typeName: miss.typeName, value: JSON.stringify(value) }, all);
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
          rememberApplied(shard, hints?.changeSeqs);
        }
        // No answer, or one that cannot say what happened: the write may have committed without naming its changes.
        else if (!response || outcomeUnknown(response)) await flushShard(shard, 'write-unknown');
      } catch (error) {
        // The write happened; the feed delivers its change once the store is back (the cursor waits for it).
        log.error({ error: (error as Error).message, institution: shard.institution }, 'entity cache invalidation after a write failed');
      }
    },
    bypass: (context) => {
      tallyOf(context).bypassed += 1;
    },
    flush,
    plugin: {
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response, operation }) {
            const tally = tallies.get(contextValue);
            if (operation?.operation !== 'query' || !tally) return;
            const served = tally.hits + tally.misses;
            // A partial answer (a shard failed) is not one to keep anywhere.
            const complete = response.body.kind === 'single' && !response.body.singleResult.errors?.length;
            if (tally.bypassed === 0 && served > 0 && complete) {
              response.http.headers.set('cache-control', `public, max-age=${maxAge}`);
              response.http.headers.set('x-hub-cache', tally.misses === 0 ? 'hit' : tally.hits === 0 ? 'miss' : 'partial');
            } else {
              response.http.headers.set('cache-control', 'private, no-store');
              response.http.headers.set('x-hub-cache', 'bypass');
            }
          },
        };
      },
    },
    route: (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/cache/flush') return false;
      return (async () => {
        const presented = Buffer.from(request.headers.authorization ?? '');
        if (!operatorToken || request.method !== 'POST' || presented.length !== operatorToken.length || !timingSafeEqual(presented, operatorToken)) {
          sendJson(response, operatorToken ? 403 : 404, { error: operatorToken ? 'POST with the operator token (HUB_OPERATOR_TOKEN) as bearer' : 'No operator token is configured' });
          return true;
        }
        const institution = url.searchParams.get('institution') ?? '';
        if (!options.registry.institutions.some((known) => known.code === institution)) {
          sendJson(response, 400, { error: `institution "${institution}" is not in the registry` });
          return true;
        }
        sendJson(response, 200, { institution, dropped: await flush(institution, 'flush') });
        return true;
      })();
    },
    feeds,
    // Redis away at start costs the cache, not the gateway: lookups go to the shards until it answers.
    ready: redis ? redis.ready.catch((error: unknown) => log.warn({ error: (error as Error).message }, 'entity cache: Redis not usable; reads go to the shards until it is')) : Promise.resolve(),
    close: async () => {
      await feeds.close();
      await store.close();
    },
  };
}
