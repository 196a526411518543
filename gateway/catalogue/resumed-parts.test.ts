import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { moduleLogger } from '../../platform/logger';
import { Registry } from '../registry/registry';
import { createCatalogue, type Catalogue } from './catalogue';
import type { CatalogueEngine } from './engine';
import { createSqliteEngine } from './sqlite-engine';

/**
 * A gateway that starts over a catalogue file holds the parts left in it as they were, until their feeds (or, for
 * a shard without one, the timed read) bring them up to date. Its engine may take longer to start than a check of
 * the parts takes to come: no part is read whole meanwhile as if it had never been read, only to be marked as
 * resumed under that read's feet (a write then waited for the needless read, and for one more).
 */
const SCHOOL = 'rvt.lv';
/** The engine's start takes longer than the first check of the parts (at most a second, with this refresh). */
const SLOW_START_MS = 1_500;

const calls: string[] = [];
const server = createServer((request: IncomingMessage, response) => {
  calls.push(`${request.method ?? ''} ${request.url ?? ''}`);
  // A shard without a change feed, whose part is read again only every `unfollowedRefreshMs`.
  response.writeHead(404).end();
});
const folder = mkdtempSync(join(tmpdir(), 'catalogue-resumed-'));
let catalogue: Catalogue | undefined;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await catalogue?.stop?.();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  rmSync(folder, { recursive: true, force: true });
});

test('a part resumed at start is not read whole while the engine starts, nor after, before its refresh is due', async () => {
  const path = join(folder, 'catalogue.db');
  const readAt = Date.now() - 5_000;
  const left = createSqliteEngine(path);
  await left.start();
  await left.setPosition(SCHOOL, { feedId: 'f1', seq: 3, readAt, currentAt: readAt + 1_000 });
  await left.close();

  const engine = createSqliteEngine(path);
  const slow: CatalogueEngine = {
    ...engine,
    start: async () => {
      await sleep(SLOW_START_MS);
      await engine.start();
    },
  };
  const { port } = server.address() as AddressInfo;
  catalogue = createCatalogue({
    registry: new Registry([
      {
        code: SCHOOL,
        names: [{ lang: 'en', value: 'Riga State Technical School' }],
        country: 'LV',
        shards: { qualifications: `http://127.0.0.1:${port}/graphql` },
      },
    ]),
    hopKey: null,
    log: moduleLogger('catalogue-test'),
    engine: slow,
    readTimeoutMs: 10_000,
    unfollowedRefreshMs: 60_000,
  });
  await catalogue.start?.();
  // Past another check of the parts.
  await sleep(1_200);

  // The feed was asked for (404); the shard was not read.
  expect(calls.filter((call) => !call.startsWith('GET /changes'))).toEqual([]);
  expect(calls.length).toBeGreaterThan(0);
  expect(catalogue.states()).toEqual([
    expect.objectContaining({
      institution: SCHOOL,
      built: true,
      current: true,
      feed: false,
      readAt: new Date(readAt).toISOString(),
    }),
  ]);
});
