import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningGateway } from '../gateway';
import { Registry } from '../gateway/registry/registry';
import { renameUnitAtShard } from './harness/cache';
import {
  catalogueReady,
  startCatalogueGateway,
  startReadGate,
  testCatalogue,
  type ReadGate,
  type TestCatalogue,
  searchUnitIds,
} from './harness/catalogue';
import { postGraphQL, startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/**
 * Two gateway replicas in front of one shard, sharing one catalogue (PostgreSQL with TEST_CATALOG_URL; without it
 * each fills its own SQLite catalogue, and what they share is nothing). Replica A reaches the shard through a gate
 * that holds the answers of its catalogue reads: a read answered before a change reaches A after the change, and
 * after replica B could read the change. Whatever order the answers arrive in, the catalogue must end holding the
 * newer record, and never go back to an older one once it held a newer.
 */
const INSTITUTION = 'omnia.fi';
/** Long enough that B, were it free to, reads and applies the change meanwhile (it does in milliseconds). */
const B_HAS_ITS_CHANCE_MS = 1_500;
let hub: TestHub;
let engine: TestCatalogue;

beforeAll(async () => {
  engine = await testCatalogue();
  hub = await startTestHub({ institutions: [INSTITUTION] });
}, 60_000);
afterAll(async () => {
  await hub?.dispose();
  await engine?.dispose();
});

interface Replicas {
  a: RunningGateway;
  b: RunningGateway;
  /** A's way to the shard. */
  gate: ReadGate;
  close(): Promise<void>;
}

/** Replicas A (through a gate) and B; `feed: false`, both reach a shard that serves no change feed. */
async function startReplicas(feed: boolean): Promise<Replicas> {
  const shardUrl = hub.shards.get(INSTITUTION)?.url as string;
  const gate = await startReadGate(shardUrl, { feed });
  const plain = feed ? null : await startReadGate(shardUrl, { feed });
  const replica = (url: string) =>
    startCatalogueGateway(
      hub,
      // No part is read again on a timer during a test; a held read stays within its timeout.
      { url: engine.url, feedWaitMs: 1_000, feedGraceMs: 2_000, readTimeoutMs: 30_000, unfollowedRefreshMs: 600_000 },
      new Registry(
        hub.gateway.registry.institutions.map((entry) => ({
          ...entry,
          shards: { ...entry.shards, qualifications: url },
        })),
      ),
    );
  const [a, b] = await Promise.all([replica(gate.url), replica(plain?.url ?? shardUrl)]);
  await catalogueReady(a);
  await catalogueReady(b);
  return {
    a,
    b,
    gate,
    close: async () => {
      gate.openAll();
      await Promise.all([a.close(), b.close()]);
      await Promise.all([gate.close(), plain?.close()]);
    },
  };
}

/** What A's gate let through and held, and A's parts: a wait that times out says it. */
const seenAtA = ({ gate, a }: Replicas) => ({
  held: gate.held.length,
  calls: gate.calls,
  parts: a.catalogue?.states(),
});

const rename = (replica: RunningGateway, id: string, title: string, token: string): Promise<GraphQLAnswer> =>
  postGraphQL(
    replica.url,
    'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
    { id, title },
    token,
  );

const [followedUnit, unfollowedUnit] = seedUnits([INSTITUTION]).map((unit) => unit.id) as [string, string];

test('replicas following the feed: once a newer record was found, an older one never comes back', async () => {
  const replicas = await startReplicas(true);
  try {
    const { a, b, gate } = replicas;
    const id = followedUnit;
    /** Which title a replica's search finds the unit by: 0 the seeded one, 1 the first rename, 2 the second. */
    const version = async (replica: RunningGateway) =>
      (await searchUnitIds(replica.url, 'replicabeta')).includes(id)
        ? 2
        : (await searchUnitIds(replica.url, 'replicaalpha')).includes(id)
          ? 1
          : 0;
    const seen: Array<{ a: number; b: number }> = [];
    const look = async () => seen.push({ a: await version(a), b: await version(b) });

    gate.holding = true;
    await renameUnitAtShard(hub, id, 'Replicaalpha renamed elsewhere');
    await waitFor(
      "A's read of the first rename is answered (and held)",
      () => gate.held.length === 1,
      undefined,
      () => seenAtA(replicas),
    );
    await renameUnitAtShard(hub, id, 'Replicabeta renamed elsewhere');
    // B reads the second rename at once, unless it must wait for A's read under way.
    const chance = Date.now() + B_HAS_ITS_CHANCE_MS;
    while (Date.now() < chance && (await version(b)) < 2) await sleep(50);
    await look();
    gate.held[0]?.release();
    // A reads again only once its first read is applied; that next read is held too.
    await waitFor(
      'A applied its first read and read the second rename',
      () => gate.held.length === 2,
      undefined,
      () => seenAtA(replicas),
    );
    await look();
    gate.openAll();
    await waitFor(
      'both replicas find the second rename',
      async () => (await version(a)) === 2 && (await version(b)) === 2,
    );
    await look();
    for (const replica of ['a', 'b'] as const) {
      const found = seen.map((one) => one[replica]);
      expect({ replica, found }).toEqual({ replica, found: [...found].sort() });
    }
    expect(await searchUnitIds(a.url, 'replicaalpha')).toEqual([]);
    expect(await searchUnitIds(b.url, 'replicaalpha')).toEqual([]);
  } finally {
    await replicas.close();
  }
});

test('replicas without a feed: once both writes are answered, the catalogue holds the later one', async () => {
  const replicas = await startReplicas(false);
  try {
    const { a, b, gate } = replicas;
    const id = unfollowedUnit;
    const token = await hub.token(INSTITUTION, ['coordinator']);
    gate.holding = true;
    // A's write is answered once A read it back: its read, answered before B's write, is held.
    let firstAnswered: GraphQLAnswer['body'] | null = null;
    const first = rename(a, id, 'Replicagamma written through A', token).then((answer) => {
      firstAnswered = answer.body;
      return answer;
    });
    await waitFor(
      "A's read of its write is answered (and held)",
      () => gate.held.length === 1,
      undefined,
      () => ({ ...seenAtA(replicas), answered: firstAnswered }),
    );
    const second = rename(b, id, 'Replicadelta written through B', token);
    // B's write is answered at once, unless B must wait for A's read under way.
    await Promise.race([second, sleep(B_HAS_ITS_CHANCE_MS, undefined, { ref: false })]);
    gate.openAll();
    expect((await first).body.errors).toBeUndefined();
    expect((await second).body.errors).toBeUndefined();
    // No feed and no timed read will bring the later title again: what is held now stays.
    expect(await searchUnitIds(b.url, 'replicadelta')).toEqual([id]);
    expect(await searchUnitIds(b.url, 'replicagamma')).toEqual([]);
  } finally {
    await replicas.close();
  }
});
