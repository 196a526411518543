import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { MoreThan } from 'typeorm';
import { startGateway, type RunningGateway } from '../gateway';
import { PublicChangeRecord } from '../subgraphs/shared/changes/change.entity';
import { feedsCurrent, renameUnitAtShard } from './harness/cache';
import { postGraphQL, ROOT, startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { requireRedis, TEST_REDIS_URL } from './harness/redis';
import { seedUnits } from './seeds';

/**
 * The entity cache shared by gateway replicas through Redis: a write acknowledged through one replica is
 * never followed by a stale read through another, and a replica that starts later replays the change feed
 * from the replicas' shared cursor, or drops the institution's entries when the feed cannot replay.
 */
const namespace = `hubtest-${randomBytes(4).toString('hex')}`;
const supergraphSdl = readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8');

let hub: TestHub;
const replicas: RunningGateway[] = [];
beforeAll(async () => {
  await requireRedis();
  // The test hub's own gateway stays out of the shared cache: each test decides which replicas run.
  hub = await startTestHub({
    institutions: ['rvt.lv', 'omnia.fi'],
    shards: 'in-process',
    gateway: { entityCache: false },
  });
});
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  // Without a hub (Redis did not answer, or the hub did not start) no replica wrote to Redis.
  if (!hub) return;
  await hub.dispose();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function replica(): Promise<RunningGateway> {
  const gateway = await startGateway({
    supergraphSdl,
    registry: hub.gateway.registry,
    hopKey: hub.hopKeys.key,
    demoTokenSecret: hub.tokenSecret,
    port: 0,
    entityCache: { redisUrl: TEST_REDIS_URL, redisNamespace: namespace },
  });
  replicas.push(gateway);
  await feedsCurrent(gateway);
  return gateway;
}

const [unitA, unitB] = seedUnits(['rvt.lv']).map((unit) => unit.id) as [string, string];
const READ = 'query($id: ID!) { unit(id: $id) { id title } }';
const UPDATE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';

async function read(gateway: RunningGateway, id: string): Promise<{ title: string | undefined; cache: string | null }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: READ, variables: { id } }),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  return { title: (body.data?.unit as { title?: string } | null)?.title, cache: response.headers.get('x-hub-cache') };
}

test('reads through one replica never lag writes acknowledged through another (mixed run, 0 stale reads)', async () => {
  const [writeThrough, other] = [await replica(), await replica()];
  const token = await hub.token('rvt.lv', ['coordinator']);
  const version = (title: string | undefined) => Number(/revision (\d+)$/.exec(title ?? '')?.[1] ?? 0);
  let acknowledged = 0;
  let stale = 0;
  let hits = 0;
  let reads = 0;
  let writing = true;
  const writer = (async () => {
    for (let revision = 1; revision <= 25; revision += 1) {
      const written = await postGraphQL(
        writeThrough.url,
        UPDATE,
        { id: unitA, title: `Shared-cache welding, revision ${revision}` },
        token,
      );
      expect(written.body.errors).toBeUndefined();
      acknowledged = revision;
      // Reads outnumber writes in the field: leave room for the entry to be filled and served between writes.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    writing = false;
  })();
  const reader = async () => {
    while (writing) {
      const floor = acknowledged;
      const { title, cache } = await read(other, unitA);
      reads += 1;
      if (cache === 'hit') hits += 1;
      if (version(title) < floor) stale += 1;
    }
  };
  await Promise.all([writer, reader(), reader()]);
  expect(stale).toBe(0);
  expect(reads).toBeGreaterThan(25);
  // Between writes the entry is filled and served: the cache is in use, not bypassed.
  expect(hits).toBeGreaterThan(0);
  expect(version((await read(other, unitA)).title)).toBe(25);
  await Promise.all([writeThrough.close(), other.close()]);
});

test('a replica that starts later replays the change feed from the shared cursor and keeps what is still current', async () => {
  const first = await replica();
  await read(first, unitA);
  await read(first, unitB);
  expect((await read(first, unitB)).cache).toBe('hit');
  await first.close();

  // Nobody follows the feed while this happens.
  await renameUnitAtShard(hub, unitA, 'Changed while no gateway was looking');
  const later = await replica();
  expect(await read(later, unitA)).toEqual({ title: 'Changed while no gateway was looking', cache: 'miss' });
  expect((await read(later, unitB)).cache).toBe('hit');
  await later.close();
});

test('a replica whose cursor the feed can no longer replay from drops the institution and reads fresh data', async () => {
  const first = await replica();
  await read(first, unitB);
  expect((await read(first, unitB)).cache).toBe('hit');
  await first.close();

  await renameUnitAtShard(hub, unitB, 'Changed, and its change pruned from the feed');
  // The shard's retention passed: the change is gone from the feed, so no replica can learn of it.
  const db = hub.shards.get('rvt.lv')?.db;
  await db?.dataSource.manager.delete(PublicChangeRecord, { seq: MoreThan(0) });
  const later = await replica();
  expect(await read(later, unitB)).toEqual({ title: 'Changed, and its change pruned from the feed', cache: 'miss' });
  const metrics = await (await fetch(new URL('/metrics', later.url))).text();
  expect(metrics).toMatch(/hub_entity_cache_invalidations_total\{source="gap"\} [1-9]/);
});
