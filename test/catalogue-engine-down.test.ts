import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { RunningGateway } from '../gateway';
import { catalogueReady, startCatalogueGateway, testCatalogue, type TestCatalogue } from './harness/catalogue';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/**
 * While the catalogue's engine cannot answer (its PostgreSQL refuses connections; the embedded engine's tables are
 * gone from its file), every list is answered by the shards, exactly as the catalogue answers it: a failed engine
 * costs speed, not answers. `/metrics` counts the lists it failed. Once the engine is back, the catalogue answers
 * again.
 */
const INSTITUTIONS = ['rvt.lv', 'omnia.fi'];
let hub: TestHub;
let catalogue: TestCatalogue;
let gateway: RunningGateway;
const sqlitePath = join(tmpdir(), `catalogue-down-${randomBytes(4).toString('hex')}.sqlite`);

beforeAll(async () => {
  catalogue = await testCatalogue();
  hub = await startTestHub({ institutions: INSTITUTIONS });
  gateway = await startCatalogueGateway(hub, {
    url: catalogue.url,
    sqlitePath,
    feedWaitMs: 1_000,
    feedGraceMs: 2_000,
  });
  await catalogueReady(gateway);
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await hub?.dispose();
  await catalogue?.dispose();
  for (const suffix of ['', '-wal', '-shm']) await rm(`${sqlitePath}${suffix}`, { force: true });
});

/** Takes the engine's store away, or gives it back. */
async function engineStore(available: boolean): Promise<void> {
  if (catalogue.url) {
    const database = new URL(catalogue.url).pathname.slice(1);
    const admin = new Client({ connectionString: catalogue.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS ${available}`);
      if (!available)
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    } finally {
      await admin.end();
    }
    return;
  }
  const db = new Database(sqlitePath, { timeout: 10_000 });
  try {
    const [from, to] = available ? ['_away', ''] : ['', '_away'];
    db.exec(`ALTER TABLE unit${from} RENAME TO unit${to}; ALTER TABLE institution${from} RENAME TO institution${to}`);
  } finally {
    db.close();
  }
}

/** Takes the engine's qualifications table away, or gives it back: its units still answer. */
async function qualificationsStore(available: boolean): Promise<void> {
  const [from, to] = available ? ['_away', ''] : ['', '_away'];
  const rename = `ALTER TABLE qualification${from} RENAME TO qualification${to}`;
  if (catalogue.url) {
    const client = new Client({ connectionString: catalogue.url });
    await client.connect();
    try {
      await client.query(rename);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(sqlitePath, { timeout: 10_000 });
  try {
    db.exec(rename);
  } finally {
    db.close();
  }
}

const QUERY = `{
  units(filter: { eqfLevel: 4 }, first: 100) { totalCount nodes { id } }
  institutions { id }
}`;

/** The answer to `query`, and where it came from: a catalogue state, or null when the shards answered. */
const ask = async (query = QUERY) => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  expect(body.errors).toBeUndefined();
  return { data: body.data, extensions: body.extensions, catalogue: response.headers.get('x-hub-catalogue') };
};

const failures = async () => {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('hub_catalogue_search_failures_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
};

test('an engine that cannot answer: the shards answer every list the same; the catalogue again once it is back', async () => {
  const before = await ask();
  expect(before.catalogue).toBe('current');
  const atLevel4 = seedUnits(INSTITUTIONS).filter((unit) => unit.eqfLevel === 4);
  expect(before.data?.units).toEqual({
    totalCount: atLevel4.length,
    nodes: expect.arrayContaining(atLevel4.map((unit) => ({ id: unit.id }))),
  });
  expect(before.data?.institutions).toEqual(INSTITUTIONS.toSorted().map((code) => ({ id: code })));
  expect(await failures()).toBe(0);

  await engineStore(false);
  try {
    const during = await ask();
    expect(during).toEqual({ data: before.data, catalogue: null });
    expect(await failures()).toBeGreaterThan(0);
  } finally {
    await engineStore(true);
  }

  // Back: parts the outage left stale are read again, and the catalogue answers once more.
  await catalogueReady(gateway);
  expect(await ask()).toEqual(before);
});

test('a query of two lists whose second the engine cannot answer: the shards answer both, and the answer says nothing of the catalogue', async () => {
  const twoLists = `{
    units(filter: { eqfLevel: 4 }, first: 100) { totalCount nodes { id } }
    qualifications(first: 100) { nodes { id } }
  }`;
  const before = await ask(twoLists);
  expect(before.catalogue).toBe('current');
  await qualificationsStore(false);
  try {
    // The units list was found first; its notes go with the catalogue's answer, which is given up for the shards':
    // no header, no extensions.
    expect(await ask(twoLists)).toEqual({ data: before.data, catalogue: null });
  } finally {
    await qualificationsStore(true);
  }
  await catalogueReady(gateway);
  expect(await ask(twoLists)).toEqual(before);
});
