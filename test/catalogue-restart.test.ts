import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningGateway } from '../gateway';
import { createPostgresEngine } from '../gateway/catalogue/postgres-engine';
import { createSqliteEngine } from '../gateway/catalogue/sqlite-engine';
import { renameUnitAtShard } from './harness/cache';
import { catalogueReady, startCatalogueGateway, testCatalogue, type TestCatalogue } from './harness/catalogue';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/**
 * A gateway that starts over a catalogue another left (PostgreSQL with TEST_CATALOG_URL, else a SQLite file) follows
 * each institution's feed on from where its part stood, instead of reading every member whole again: the changes
 * made while no gateway ran arrive through the feed, and only an institution whose feed cannot replay from there
 * (here: its shard's database was replaced meanwhile) is read whole.
 */
const FOLLOWED = 'omnia.fi';
const REPLACED = 'rvt.lv';
let hub: TestHub;
let engine: TestCatalogue;
let sqlitePath: string;

beforeAll(async () => {
  engine = await testCatalogue();
  sqlitePath = join(tmpdir(), `catalogue-restart-${randomBytes(4).toString('hex')}.sqlite`);
  hub = await startTestHub({ institutions: [FOLLOWED, REPLACED] });
}, 60_000);
afterAll(async () => {
  await hub?.dispose();
  await engine?.dispose();
  for (const suffix of ['', '-wal', '-shm']) await rm(`${sqlitePath}${suffix}`, { force: true });
});

const startHub = () =>
  startCatalogueGateway(hub, {
    url: engine.url,
    sqlitePath,
    feedWaitMs: 1_000,
    feedGraceMs: 2_000,
    unfollowedRefreshMs: 600_000,
  });

interface PartHealth {
  institution: string;
  state: string;
  readAt: string | null;
}
const partsOf = async (gateway: RunningGateway): Promise<Map<string, PartHealth>> => {
  const ready = (await (await fetch(new URL('/health/ready', gateway.url))).json()) as {
    catalogue: { parts: PartHealth[] };
  };
  return new Map(ready.catalogue.parts.map((part) => [part.institution, part]));
};

const search = async (gateway: RunningGateway, text: string) => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($text: String) { units(filter: { text: $text }, first: 50) { nodes { id } } }',
      variables: { text },
    }),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  expect(body.errors).toBeUndefined();
  return {
    ids: (body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((node) => node.id),
    catalogue: response.headers.get('x-hub-catalogue'),
  };
};

test('a restart follows each feed on from where its part stood; only a feed that cannot replay is read whole', async () => {
  const [unit] = seedUnits([FOLLOWED]).map((seeded) => seeded.id) as [string];
  const first = await startHub();
  let before: Map<string, PartHealth>;
  try {
    await catalogueReady(first);
    before = await partsOf(first);
    expect(before.get(FOLLOWED)?.state).toBe('current');
  } finally {
    await first.close();
  }

  // While no gateway runs: a change at one shard, and the other's database replaced (a feed of another history).
  await renameUnitAtShard(hub, unit, 'Restartgamma renamed while the hub was down');
  const stored = engine.url ? createPostgresEngine(engine.url) : createSqliteEngine(sqlitePath);
  try {
    await stored.start();
    const positions = await stored.positions();
    expect([...positions.keys()].sort()).toEqual([FOLLOWED, REPLACED].sort());
    const position = positions.get(REPLACED);
    if (!position) throw new Error(`no position stored for ${REPLACED}`);
    await stored.setPosition(REPLACED, { ...position, feedId: 'a-database-since-replaced' });
  } finally {
    await stored.close();
  }

  const second = await startHub();
  try {
    // Answered from the catalogue at once: both parts are held, named as behind until their feeds catch up.
    const early = await search(second, 'restartgamma');
    expect(early.catalogue).toMatch(/^(current|stale)$/);
    await catalogueReady(second);
    expect((await search(second, 'restartgamma')).ids).toEqual([unit]);
    const after = await partsOf(second);
    // Not read again whole: its last whole read is the first gateway's.
    expect(after.get(FOLLOWED)).toEqual(
      expect.objectContaining({ state: 'current', readAt: before.get(FOLLOWED)?.readAt }),
    );
    // Its feed could not replay from the stored position: read whole again.
    expect(after.get(REPLACED)?.state).toBe('current');
    expect(Date.parse(after.get(REPLACED)?.readAt ?? '')).toBeGreaterThan(
      Date.parse(before.get(REPLACED)?.readAt ?? ''),
    );
  } finally {
    await second.close();
  }
});
