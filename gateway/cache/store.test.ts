import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/processes';
import Redis from 'ioredis';
import { parseCachedTypes } from './settings';
import { createMemoryStore } from './memory-store';
import { createRedisStore, unsupportedRedis } from './redis-store';
import type { CacheStore } from './store';

const entry = (value: string) => ({ typeName: 'Unit', value });
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespace = `hubtest-${randomBytes(4).toString('hex')}`;

/** Both stores keep the same contract: tags, scopes, epochs and flushes behave alike. */
const stores: Array<[string, () => Promise<CacheStore>]> = [
  ['memory', async () => createMemoryStore({ budgets: new Map([['Unit', 10_000]]) })],
  [
    'Redis',
    async () => {
      const store = createRedisStore({ url: REDIS_URL, namespace, maxEntryBytes: new Map([['Unit', 10_000]]) });
      await store.ready;
      return store;
    },
  ],
];
afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.each(stores)('the %s store', (_name, open) => {
  let store: CacheStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => store.close());
  const scope = () => `qualifications/rvt.lv-${randomBytes(3).toString('hex')}`;
  const valueOf = async (s: string, key: string) => (await store.read(s, key)).entry?.value;
  const epochOf = async (s: string) => (await store.read(s, '-')).epoch;

  test('an entry is dropped by any of its tags, and only in its own scope', async () => {
    const [rvt, omnia] = [scope(), scope()];
    await store.fill(rvt, 0, 'a', entry('"A"'), ['Unit:A', 'Qualification:Q']);
    await store.fill(rvt, 0, 'b', entry('"B"'), ['Unit:B', 'Qualification:Q']);
    await store.fill(omnia, 0, 'a', entry('"A at omnia"'), ['Unit:A']);
    expect(await store.invalidate(rvt, ['Unit:A'])).toBe(1);
    expect(await valueOf(rvt, 'a')).toBeUndefined();
    expect(await valueOf(rvt, 'b')).toBe('"B"');
    expect(await valueOf(omnia, 'a')).toBe('"A at omnia"');
    expect(await store.invalidate(rvt, ['Qualification:Q'])).toBe(1);
    await store.flush(omnia);
    expect(await valueOf(omnia, 'a')).toBeUndefined();
  });

  test('a fill is refused when an invalidation happened since the epoch it read', async () => {
    const s = scope();
    const epoch = await epochOf(s);
    await store.invalidate(s, ['Unit:A']);
    expect(await store.fill(s, epoch, 'a', entry('"old"'), ['Unit:A'])).toBe(false);
    expect(await valueOf(s, 'a')).toBeUndefined();
    expect(await store.fill(s, await epochOf(s), 'a', entry('"new"'), ['Unit:A'])).toBe(true);
    expect(await valueOf(s, 'a')).toBe('"new"');
  });

  test('after a flush nothing of the scope is found, its shared cursor is gone, and new entries are kept', async () => {
    const s = scope();
    await store.fill(s, 0, 'a', entry('"A"'), ['Unit:A']);
    await store.setSharedCursor(s, { feedId: 'f1', seq: 7 });
    const before = await epochOf(s);
    await store.flush(s);
    expect(await valueOf(s, 'a')).toBeUndefined();
    expect(await store.fill(s, before, 'a', entry('"stale"'), ['Unit:A'])).toBe(false);
    expect(await store.fill(s, await epochOf(s), 'a', entry('"fresh"'), ['Unit:A'])).toBe(true);
    expect(await valueOf(s, 'a')).toBe('"fresh"');
    expect(await store.invalidate(s, ['Unit:A'])).toBe(1);
  });

  test('the shared cursor rises within one feed and another feed replaces it', async () => {
    const s = scope();
    await store.setSharedCursor(s, { feedId: 'f1', seq: 5 });
    await store.setSharedCursor(s, { feedId: 'f1', seq: 3 });
    const shared = await store.sharedCursor(s);
    // One replica has nobody to share with; Redis keeps the highest position of the feed.
    if (shared !== null) {
      expect(shared).toEqual({ feedId: 'f1', seq: 5 });
      await store.setSharedCursor(s, { feedId: 'f2', seq: 1 });
      expect(await store.sharedCursor(s)).toEqual({ feedId: 'f2', seq: 1 });
    }
  });
});

test('a Redis tag set that reached its bound is emptied before the next fill: one invalidation deletes a bounded number', async () => {
  const store = createRedisStore({
    url: REDIS_URL,
    namespace,
    maxEntryBytes: new Map([['Unit', 10_000]]),
    maxTagged: 2,
  });
  await store.ready;
  try {
    const s = `qualifications/bound-${randomBytes(3).toString('hex')}`;
    for (const key of ['a', 'b', 'c']) await store.fill(s, 0, key, entry(`"${key}"`), ['UnitList', `Unit:${key}`]);
    expect((await store.read(s, 'a')).entry).toBeUndefined();
    expect((await store.read(s, 'b')).entry).toBeUndefined();
    expect((await store.read(s, 'c')).entry?.value).toBe('"c"');
    expect(await store.invalidate(s, ['UnitList'])).toBe(1);
  } finally {
    await store.close();
  }
});

test('a full Redis (noeviction) still takes invalidations, cursor moves and flushes, so nothing stale is served', async () => {
  const port = await freePort();
  // A Redis of its own (Debian's redis-server), so that filling it up disturbs no other test.
  const server = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory',
    '4mb',
    '--maxmemory-policy',
    'noeviction',
  ]);
  const started = new Promise<never>((_resolve, reject) =>
    server.once('error', (error) => reject(new Error(`this test starts redis-server from PATH: ${error.message}`))),
  );
  const url = `redis://127.0.0.1:${port}`;
  // The admin client waits (offline queue) until the new server listens; the store is opened after that.
  const admin = new Redis(url, { retryStrategy: (times) => (times < 100 ? 50 : null) });
  let store: CacheStore | null = null;
  try {
    await Promise.race([admin.ping(), started]);
    const redisStore = createRedisStore({ url, namespace: 'full', maxEntryBytes: new Map([['Unit', 10_000]]) });
    store = redisStore;
    await redisStore.ready;
    const scope = 'qualifications/rvt.lv';
    const fillOne = async (key: string, tag: string) =>
      redisStore.fill(scope, (await redisStore.read(scope, key)).epoch, key, entry(key), [tag]);
    expect(await fillOne('a', 'Unit:A')).toBe(true);
    expect(await fillOne('b', 'Unit:B')).toBe(true);
    const pad = 'x'.repeat(50_000);
    let full = false;
    for (let i = 0; !full && i < 1_000; i += 1) {
      full = await admin.set(`pad:${i}`, pad).then(
        () => false,
        (error: Error) => {
          if (!/OOM/.test(error.message)) throw error;
          return true;
        },
      );
    }
    expect(full).toBe(true);
    expect(await redisStore.invalidate(scope, ['Unit:A'])).toBe(1);
    expect((await redisStore.read(scope, 'a')).entry).toBeUndefined();
    await redisStore.setSharedCursor(scope, { feedId: 'history-1', seq: 7 });
    expect(await redisStore.sharedCursor(scope)).toEqual({ feedId: 'history-1', seq: 7 });
    await redisStore.flush(scope);
    expect((await redisStore.read(scope, 'b')).entry).toBeUndefined();
  } finally {
    await store?.close();
    admin.disconnect();
    server.kill();
  }
});

test('the memory store keeps each type to its byte budget: the least recently used entries go, and their tags with them', async () => {
  const evicted: string[] = [];
  const store = createMemoryStore({ budgets: new Map([['Unit', 30]]), onEvict: (type) => evicted.push(type) });
  for (const key of ['a', 'b', 'c']) await store.fill('s', 0, key, entry(`"${key.repeat(10)}"`), [`Unit:${key}`]);
  expect((await store.read('s', 'a')).entry).toBeUndefined();
  expect(evicted).toEqual(['Unit']);
  // The evicted entry's tag index is gone too: invalidating it drops nothing.
  expect(await store.invalidate('s', ['Unit:a'])).toBe(0);
  const epoch = (await store.read('s', '-')).epoch;
  expect(await store.fill('s', epoch, 'big', entry('x'.repeat(31)), ['Unit:big'])).toBe(false);
  expect(await store.fill('s', epoch, 'q', { typeName: 'Qualification', value: '"q"' }, [])).toBe(false);
});

test('cached types are read as Type:size with optional units, and a bad entry is named', () => {
  expect(parseCachedTypes('Unit:32MB, Qualification:512KB,Institution:1000')).toEqual(
    new Map([
      ['Unit', 32_000_000],
      ['Qualification', 512_000],
      ['Institution', 1_000],
    ]),
  );
  expect(() => parseCachedTypes('Unit:lots')).toThrow('"Unit:lots" is not Type:size (e.g. Unit:32MB)');
});

test('a Redis older than 7 is refused with the reason: it cannot run the scripts that must work when it is full', () => {
  expect(unsupportedRedis('# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n')).toBeNull();
  expect(unsupportedRedis('# Server\r\nredis_version:8.2.1\r\n')).toBeNull();
  expect(unsupportedRedis('# Server\r\nredis_version:6.2.14\r\n')).toBe(
    "Redis 6.2 cannot run the cache's scripts: the entity cache needs Redis 7 or later",
  );
  expect(unsupportedRedis('# Server\r\n')).toBe('the server did not say its version (INFO server)');
});
