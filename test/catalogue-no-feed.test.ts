import type { RunningGateway } from '../gateway';
import { renameUnitAtShard } from './harness/cache';
import {
  catalogueReady,
  startCatalogueGateway,
  registryThrough,
  startReadGate,
  testCatalogue,
  type ReadGate,
  type TestCatalogue,
  searchUnitIds,
} from './harness/catalogue';
import { postGraphQL, startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/**
 * An institution whose qualifications shard serves no change feed (its own system, say: 404 on /changes) is in the
 * catalogue all the same: read at once, read again every `unfollowedRefreshMs`, and named in answers with that
 * bound. Its shard is reached through a gate that answers 404 for /changes and passes everything else on.
 */
const NO_FEED = 'omnia.fi';
const REFRESH_MS = 1_500;
/** How long one read of the institution may take on a busy machine: the age is at most the bound plus that. */
const READ_ALLOWANCE_S = 5;
let hub: TestHub;
let engine: TestCatalogue;
let gate: ReadGate;
let gateway: RunningGateway;

beforeAll(async () => {
  engine = await testCatalogue();
  hub = await startTestHub({ institutions: ['rvt.lv', NO_FEED] });
  gate = await startReadGate(hub.shards.get(NO_FEED)?.url as string, { feed: false });
  // A followed feed is trusted long enough that a busy machine does not make the other institution stale here.
  gateway = await startCatalogueGateway(
    hub,
    { url: engine.url, feedWaitMs: 1_000, feedGraceMs: 2_000, unfollowedRefreshMs: REFRESH_MS },
    registryThrough(hub, NO_FEED, gate.url),
  );
  await catalogueReady(gateway);
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await gate?.close();
  await hub?.dispose();
  await engine?.dispose();
});

interface Stale {
  institution: string;
  reason: string;
  since: string | null;
  ageSeconds: number | null;
  refreshSeconds?: number;
}

const units = seedUnits().filter((unit) => unit.institution === NO_FEED);

test('an institution without a change feed is read at once and answered, its answers naming the bound', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ units(filter: { institution: "${NO_FEED}" }, first: 100) { totalCount } }` }),
  });
  const body = (await response.json()) as {
    data: { units: { totalCount: number } };
    extensions: { catalogue: { stale: Stale[] } };
  };
  expect(response.headers.get('x-hub-catalogue')).toBe('bounded');
  expect(body.data.units.totalCount).toBe(units.length);
  expect(body.extensions.catalogue.stale).toEqual([
    {
      institution: NO_FEED,
      reason: 'NO_FEED',
      since: expect.any(String),
      ageSeconds: expect.any(Number),
      refreshSeconds: REFRESH_MS / 1000,
    },
  ]);
  expect(body.extensions.catalogue.stale[0]?.ageSeconds).toBeLessThanOrEqual(REFRESH_MS / 1000 + READ_ALLOWANCE_S);
  const ready = (await (await fetch(`${gateway.url.replace(/\/graphql$/, '')}/health/ready`)).json()) as {
    catalogue: { institutions: unknown; refreshSeconds: number; parts: Array<Record<string, unknown>> };
  };
  expect(ready.catalogue.institutions).toEqual({ current: 2, stale: 0, notRead: 0 });
  expect(ready.catalogue.refreshSeconds).toBe(REFRESH_MS / 1000);
  const part = ready.catalogue.parts.find((one) => one.institution === NO_FEED);
  expect(part).toMatchObject({ state: 'current', feed: false, readAt: expect.any(String) });
  expect(part?.ageSeconds).toBeLessThanOrEqual(REFRESH_MS / 1000 + READ_ALLOWANCE_S);
});

test('a change by another writer arrives within the bound; a write through the hub at once', async () => {
  const [elsewhere, throughHub] = units.map((unit) => unit.id);
  await renameUnitAtShard(hub, elsewhere as string, 'Xylophonewerk made elsewhere');
  const changedAt = Date.now();
  await waitFor(
    'the re-read brings the change',
    async () => (await searchUnitIds(gateway.url, 'xylophonewerk')).length > 0,
    10_000,
  );
  // Within the bound, plus one read.
  expect(Date.now() - changedAt).toBeLessThan(REFRESH_MS + READ_ALLOWANCE_S * 1000);
  const token = await hub.token(NO_FEED, ['coordinator']);
  const written = await postGraphQL(
    gateway.url,
    'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Yodelwerkstatt through the hub" }] }) { id } }',
    { id: throughHub },
    token,
  );
  expect(written.body.errors).toBeUndefined();
  expect(await searchUnitIds(gateway.url, 'yodelwerkstatt')).toEqual([throughHub]);
});
