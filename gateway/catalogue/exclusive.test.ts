import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { CATALOG_BASE_URL, testCatalogue, type TestCatalogue } from '../../test/harness/catalogue';
import type { CatalogueEngine } from './engine';
import { createPostgresEngine } from './postgres-engine';
import { createSqliteEngine } from './sqlite-engine';

/**
 * `engine.exclusive` on the configured engine (PostgreSQL with TEST_CATALOG_URL: two engines on one database, as
 * two replicas have; otherwise one embedded engine, shared by nothing else).
 */
let catalogue: TestCatalogue;
let first: CatalogueEngine;
let second: CatalogueEngine;

beforeAll(async () => {
  catalogue = await testCatalogue();
  first = catalogue.url ? createPostgresEngine(catalogue.url, { lockWaitMs: 5_000 }) : createSqliteEngine();
  second = catalogue.url ? createPostgresEngine(catalogue.url, { lockWaitMs: 5_000 }) : first;
  await first.start();
  await second.start();
}, 30_000);
afterAll(async () => {
  await first?.close();
  if (second !== first) await second?.close();
  await catalogue?.dispose();
});

test("work on one institution never overlaps another's, whichever engine runs it; other institutions' runs beside it", async () => {
  const running = new Set<string>();
  const overlaps: string[] = [];
  const work = (engine: CatalogueEngine, institution: string, label: string) =>
    engine.exclusive(institution, async () => {
      for (const other of running) if (other.startsWith(`${institution}/`)) overlaps.push(`${label} with ${other}`);
      running.add(`${institution}/${label}`);
      await sleep(30);
      running.delete(`${institution}/${label}`);
      return label;
    });
  const started = Date.now();
  const done = await Promise.all([
    work(first, 'rvt.lv', 'a1'),
    work(second, 'rvt.lv', 'b1'),
    work(first, 'rvt.lv', 'a2'),
    work(second, 'rvt.lv', 'b2'),
    work(first, 'omnia.fi', 'a3'),
    work(second, 'bbs-hannover.de', 'b3'),
  ]);
  expect(done).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  expect(overlaps).toEqual([]);
  // Four turns of 30 ms on rvt.lv, the others beside them (not after them).
  expect(Date.now() - started).toBeLessThan(4 * 30 + 1_000);
});

test('a failed work lets the next one on the institution run', async () => {
  await expect(
    first.exclusive('rvt.lv', async () => {
      throw new Error('the shard did not answer');
    }),
  ).rejects.toThrow('the shard did not answer');
  expect(await second.exclusive('rvt.lv', async () => 'ran')).toBe('ran');
});

// An embedded engine has no connection to lose: this case exists with PostgreSQL alone (CI's first Node.js line
// sets TEST_CATALOG_URL; the second runs the embedded engine).
if (CATALOG_BASE_URL)
  test('a hold lost with its connection: the work fails and its writes are not applied', async () => {
    const admin = new Client({ connectionString: catalogue.url as string });
    await admin.connect();
    try {
      const work = first.exclusive('cifp-aviles.es', async () => {
        // The connection that holds the lock ends, as a restarted or failed-over PostgreSQL ends it.
        await admin.query(
          `SELECT pg_terminate_backend(pid, 5000) FROM pg_locks
         WHERE locktype = 'advisory' AND classid = 20021 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        await first.apply('cifp-aviles.es', { institution: { code: 'cifp-aviles.es', country: 'ES' } });
      });
      await expect(work).rejects.toThrow(/lock on cifp-aviles.es was lost/);
      expect(await first.institutions()).not.toContain('cifp-aviles.es');
      // The engine holds institutions again, on a new connection, and the other engine is not kept out.
      await first.exclusive('cifp-aviles.es', async () =>
        first.apply('cifp-aviles.es', { institution: { code: 'cifp-aviles.es', country: 'ES' } }),
      );
      expect(await second.exclusive('cifp-aviles.es', async () => second.institutions())).toContain('cifp-aviles.es');
    } finally {
      await admin.end();
    }
  });

// The engine's pooled connections, idle between statements, ended by the server (a restart, a failover, an
// administrator, idle_session_timeout): PostgreSQL alone.
if (CATALOG_BASE_URL)
  test('idle connections the server ends do not end the process: the next statements open others', async () => {
    expect(await first.institutions()).toContain('cifp-aviles.es');
    const admin = new Client({ connectionString: catalogue.url as string });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'`,
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Each client learns of its end as it comes: give the messages a moment to arrive.
    await sleep(200);
    expect(await first.institutions()).toContain('cifp-aviles.es');
    await first.exclusive('omnia.fi', async () =>
      first.apply('omnia.fi', { institution: { code: 'omnia.fi', country: 'FI' } }),
    );
    expect(await second.institutions()).toContain('omnia.fi');
  });
