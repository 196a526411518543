import Redis from 'ioredis';
import type { CacheStore, CachedEntry } from './store';

/**
 * Keys of one shard's scope, all under one hash tag `{kind/institution}` so each script stays in one Redis
 * Cluster slot (the scripts build entry and tag-set names from the scope's prefix):
 * - `epoch`: moves on with every invalidation; a fill that read another epoch is refused;
 * - `gen`: moves on with every flush; entries and tag sets of older generations are left to expire;
 * - `v:<gen>:<key>`: an entry ("<type>\n<JSON>"); `t:<gen>:<tag>`: the entry names that carry a tag;
 * - `cursor`: "<feedId> <seq>", the change-feed position the entries are current with.
 */
const scopePrefix = (namespace: string, scope: string) => `${namespace}:entity-cache:{${scope}}:`;

/** ARGV[1] is the scope's prefix, KEYS[1] its epoch, KEYS[2] its generation. Returns {epoch, entry or false}. */
const READ = `
local gen = redis.call('GET', KEYS[2]) or '0'
return { redis.call('GET', KEYS[1]) or '0', redis.call('GET', ARGV[1] .. 'v:' .. gen .. ':' .. ARGV[2]) }`;

/**
 * Stores an entry only while the epoch is the one its lookup read. A tag set that reached MAX_TAGGED entries
 * is emptied first (its entries dropped): that only costs hits, and it bounds what one invalidation deletes.
 */
const FILL = `
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[2]) then return 0 end
local gen = redis.call('GET', KEYS[2]) or '0'
local entry = ARGV[1] .. 'v:' .. gen .. ':' .. ARGV[3]
for i = 7, #ARGV do
  local set = ARGV[1] .. 't:' .. gen .. ':' .. ARGV[i]
  if redis.call('SCARD', set) >= tonumber(ARGV[6]) then
    for _, name in ipairs(redis.call('SMEMBERS', set)) do redis.call('DEL', name) end
    redis.call('DEL', set)
  end
  redis.call('SADD', set, entry)
  redis.call('PEXPIRE', set, ARGV[5])
end
redis.call('SET', entry, ARGV[4], 'PX', ARGV[5])
return 1`;

/**
 * Moves the epoch on, then drops the entries of every tag given (ARGV[2…]). Allowed when Redis is full
 * (noeviction): an invalidation refused there would leave stale entries served.
 */
const INVALIDATE = `#!lua flags=allow-oom
redis.call('INCR', KEYS[1])
local gen = redis.call('GET', KEYS[2]) or '0'
local dropped = 0
for i = 2, #ARGV do
  local set = ARGV[1] .. 't:' .. gen .. ':' .. ARGV[i]
  for _, name in ipairs(redis.call('SMEMBERS', set)) do dropped = dropped + redis.call('DEL', name) end
  redis.call('DEL', set)
end
return dropped`;

/** A new generation and epoch, and no cursor; allowed when Redis is full, for the reason INVALIDATE is. */
const FLUSH = `#!lua flags=allow-oom
redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[3])
return 0`;

/**
 * The cursor is "<feedId> <seq>": raised within one feed, replaced by another feed's. Allowed when Redis is full:
 * a cursor that cannot move would make the feed follower give up the shard's entries again and again.
 */
const RAISE_CURSOR = `#!lua flags=allow-oom
local current = redis.call('GET', KEYS[1])
if current then
  local space = string.find(current, ' ', 1, true)
  if string.sub(current, 1, space - 1) == ARGV[1] and tonumber(string.sub(current, space + 1)) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
return 1`;

/**
 * The scripts that must run when Redis is full carry `#!lua flags=allow-oom`, which Redis reads from 7.0 on; an
 * older one refuses them. Says what is wrong with the server's `INFO server`, or null when it will do.
 */
export function unsupportedRedis(info: string): string | null {
  const version = /^redis_version:(\d+)\.(\d+)/m.exec(info);
  if (!version) return 'the server did not say its version (INFO server)';
  return Number(version[1]) >= 7
    ? null
    : `Redis ${version[1]}.${version[2]} cannot run the cache's scripts: the entity cache needs Redis 7 or later`;
}

/** Most entries one tag set holds before it is emptied (one invalidation deletes at most this many). */
export const DEFAULT_MAX_TAGGED = 10_000;

export interface RedisStoreOptions {
  url: string;
  /** Put before every key, so several hubs (or test runs) can share one Redis. @default 'hub' */
  namespace?: string;
  /** Byte limit of one entry per type; a type without one is not stored. */
  maxEntryBytes: ReadonlyMap<string, number>;
  /** Entries (and tag sets) expire this long after they were last stored. @default one day */
  ttlMs?: number;
  /** Most entries under one tag; a fuller tag set is emptied before the next fill. @default 10_000 */
  maxTagged?: number;
}

/**
 * The shared store: one copy for every gateway replica, invalidated atomically by a script, so a write
 * acknowledged through one replica is never followed by a stale read through another. Run Redis with
 * `maxmemory-policy noeviction`: an evicted tag set would leave its entries where no invalidation finds them.
 * Memory is bounded by each entry's expiry; when Redis is full, fills fail (and are skipped), reads go on, and
 * invalidations and flushes still run (their scripts are flagged allow-oom; Redis 7 or later).
 */
export function createRedisStore(options: RedisStoreOptions): CacheStore & { ready: Promise<void> } {
  // No offline queue: while Redis is away a lookup fails at once (the shard answers) instead of waiting.
  const redis = new Redis(options.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  // Failures reach callers through their commands (the cache logs and asks the shard); reconnecting goes on.
  redis.on('error', () => undefined);
  const namespace = options.namespace ?? 'hub';
  const ttl = String(options.ttlMs ?? 86_400_000);
  const prefixOf = (scope: string) => scopePrefix(namespace, scope);
  // A Redis that cannot run every script is not used at all: one that could read and fill but not invalidate would
  // serve stale entries. Each (re)connection is checked; until a check passes, every call fails (the cache asks the shards).
  let refusal: Error | null = new Error('the entity cache has not checked its Redis yet');
  const usable = () => {
    if (refusal) throw refusal;
  };
  const check = async () => {
    const problem = unsupportedRedis(await redis.info('server'));
    refusal = problem ? new Error(problem) : null;
    if (refusal) throw refusal;
  };
  redis.on('ready', () => void check().catch(() => undefined));
  const ready = redis.connect().then(check);
  return {
    ready,
    read: async (scope, key) => {
      usable();
      const p = prefixOf(scope);
      const [epoch, value] = (await redis.eval(READ, 2, `${p}epoch`, `${p}gen`, p, key)) as [string, string | null];
      if (!value) return { epoch: Number(epoch), entry: undefined };
      const split = value.indexOf('\n');
      return { epoch: Number(epoch), entry: { typeName: value.slice(0, split), value: value.slice(split + 1) } };
    },
    fill: async (scope, epoch, key, entry: CachedEntry, tags) => {
      usable();
      const limit = options.maxEntryBytes.get(entry.typeName);
      if (limit === undefined || entry.value.length > limit) return false;
      const p = prefixOf(scope);
      const stored = await redis.eval(
        FILL,
        2,
        `${p}epoch`,
        `${p}gen`,
        p,
        String(epoch),
        key,
        `${entry.typeName}\n${entry.value}`,
        ttl,
        String(options.maxTagged ?? DEFAULT_MAX_TAGGED),
        ...tags,
      );
      return stored === 1;
    },
    invalidate: async (scope, tags) => {
      usable();
      const p = prefixOf(scope);
      return Number(await redis.eval(INVALIDATE, 2, `${p}epoch`, `${p}gen`, p, ...tags));
    },
    // A new generation: every entry of the older one is unreachable at once and expires on its own.
    flush: async (scope) => {
      usable();
      const p = prefixOf(scope);
      await redis.eval(FLUSH, 3, `${p}epoch`, `${p}gen`, `${p}cursor`);
      return null;
    },
    sharedCursor: async (scope) => {
      usable();
      const value = await redis.get(`${prefixOf(scope)}cursor`);
      const [feedId, seq] = value?.split(' ') ?? [];
      return feedId && seq ? { feedId, seq: Number(seq) } : null;
    },
    setSharedCursor: async (scope, position) => {
      usable();
      await redis.eval(RAISE_CURSOR, 1, `${prefixOf(scope)}cursor`, position.feedId, String(position.seq));
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
