import type { Worker } from 'node:worker_threads';
import type { RunningGateway } from '../gateway';
import { createSqliteThreadEngine } from '../gateway/catalogue';
import { catalogueReady, startCatalogueGateway } from './harness/catalogue';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/**
 * The embedded catalogue's thread stops (as a crash or a thread out of memory would; here the test stops it): the
 * hub keeps answering lists, from the shards while it reads every part again into the thread that took its place,
 * then from the catalogue. Readiness says what happened. When threads keep stopping, the catalogue gives up and lists
 * go to the shards until the gateway restarts.
 */
const INSTITUTIONS = ['rvt.lv', 'omnia.fi'];
let hub: TestHub;
let gateway: RunningGateway;
const threads: Worker[] = [];

beforeAll(async () => {
  hub = await startTestHub({ institutions: INSTITUTIONS });
  gateway = await startCatalogueGateway(hub, {
    engine: createSqliteThreadEngine(':memory:', { onThread: (thread) => threads.push(thread) }),
    feedWaitMs: 1_000,
    feedGraceMs: 2_000,
  });
  await catalogueReady(gateway);
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await hub?.dispose();
});

/** Every seeded unit's ID, and where the answer came from: a catalogue state, or null when it fanned out. */
const allUnits = async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ units(first: 100) { totalCount nodes { id } } }' }),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  expect(body.errors).toBeUndefined();
  const units = body.data?.units as { totalCount: number; nodes: Array<{ id: string }> };
  return {
    ids: units.nodes.map((node) => node.id).sort(),
    totalCount: units.totalCount,
    catalogue: response.headers.get('x-hub-catalogue'),
  };
};

interface EngineLost {
  times: number;
  lastAt: string;
  error: string;
  replaced: boolean;
}
const readiness = async () => {
  const response = await fetch(new URL('/health/ready', gateway.url));
  const body = (await response.json()) as {
    status: string;
    catalogue: { engineLost: EngineLost | null; institutions: Record<string, number> };
  };
  return { httpStatus: response.status, ...body };
};

/** The value of an unlabelled metric, from GET /metrics (which must answer). */
const metric = async (name: string) => {
  const response = await fetch(new URL('/metrics', gateway.url));
  expect(response.status).toBe(200);
  const line = (await response.text()).split('\n').find((one) => one.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
};

/** Stops the engine's running thread, as a crash would, and waits until it has stopped. */
const crash = async () => {
  const thread = threads.at(-1);
  if (!thread) throw new Error('the engine started no thread');
  await thread.terminate();
};

const seeded = seedUnits(INSTITUTIONS)
  .map((unit) => unit.id)
  .sort();

test('a stopped thread: lists go to the shards until every part is read again into a new thread', async () => {
  expect(await allUnits()).toEqual({ ids: seeded, totalCount: seeded.length, catalogue: 'current' });
  expect((await readiness()).catalogue.engineLost).toBeNull();

  await crash();
  const lost = await readiness();
  expect(lost.httpStatus).toBe(200);
  expect(lost.catalogue.engineLost).toEqual({
    times: 1,
    lastAt: expect.any(String),
    error: "the catalogue's SQLite thread stopped (exit code 1)",
    replaced: true,
  });
  // Its thread holds nothing yet: the same list, from the shards (no catalogue header).
  expect(gateway.catalogue?.answers('units')).toBe(false);
  expect(await allUnits()).toEqual({ ids: seeded, totalCount: seeded.length, catalogue: null });

  await catalogueReady(gateway);
  expect(threads).toHaveLength(2);
  expect(await allUnits()).toEqual({ ids: seeded, totalCount: seeded.length, catalogue: 'current' });
  expect((await readiness()).catalogue.institutions).toEqual({ current: 2, stale: 0, notRead: 0 });
  expect(await metric('hub_catalogue_engine_losses_total')).toBe(1);
});

test('threads that keep stopping: the catalogue gives up, lists go to the shards, readiness says why', async () => {
  // The thread of the test before lived less than a minute: this is the second quick stop, then the third.
  await crash();
  await catalogueReady(gateway);
  await crash();
  await waitFor('readiness names the engine that gave up', async () => {
    const lost = (await readiness()).catalogue.engineLost;
    return lost?.replaced === false;
  });
  const ready = await readiness();
  expect(ready.httpStatus).toBe(200);
  expect(ready.catalogue.engineLost).toMatchObject({ times: 3, replaced: false });
  expect(ready.catalogue.institutions).toEqual({ current: 0, stale: 0, notRead: 2 });
  expect(threads).toHaveLength(3);
  expect(await allUnits()).toEqual({ ids: seeded, totalCount: seeded.length, catalogue: null });
  // The engine answers no more, and the scrape leaves its rows out.
  expect(await metric('hub_catalogue_engine_losses_total')).toBe(3);
  expect(await metric('hub_catalogue_stale_institutions')).toBe(2);
});
