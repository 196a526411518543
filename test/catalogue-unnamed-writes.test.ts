import type { RunningGateway } from '../gateway';
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
import { seedUnits } from './seeds';

/**
 * An institution's own system may serve no change feed and answer its writes without saying what they changed (no
 * `extensions.changes`). A write through the hub then has its part read again whole before the write's answer
 * returns, so the writer's next search finds it; once the member's read budget is spent, that read waits for the
 * budget, and the write's answer does not: its part is stale meanwhile, saying why. The member is reached through a
 * gate that answers 404 for /changes and takes the list of changes out of write answers.
 */
const UNNAMED = 'omnia.fi';
/** A refresh that does not come within a test: the only reads are the first and those the writes ask for. */
const REFRESH_MS = 10 * 60_000;
let hub: TestHub;
const engines: TestCatalogue[] = [];
const gates: ReadGate[] = [];
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', UNNAMED] });
}, 60_000);
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  for (const gate of gates) await gate.close();
  await hub?.dispose();
  for (const engine of engines) await engine.dispose();
});

/** A catalogue gateway reaching the member through its own gate, with `memberReadBudget` (none: the default budget). */
async function startGateway(memberReadBudget?: { bytes: number; bytesPerMinute: number }) {
  const engine = await testCatalogue();
  engines.push(engine);
  const gate = await startReadGate(hub.shards.get(UNNAMED)?.url as string, { feed: false, writeChanges: false });
  gates.push(gate);
  const gateway = await startCatalogueGateway(
    hub,
    { url: engine.url, unfollowedRefreshMs: REFRESH_MS, readTimeoutMs: 10_000, memberReadBudget },
    registryThrough(hub, UNNAMED, gate.url),
  );
  gateways.push(gateway);
  await catalogueReady(gateway);
  /** Whole reads of the member that reached its shard (each asks for its institution record once). */
  const wholeReads = () => gate.calls.filter((call) => call === 'query CatalogueInstitution').length;
  return { gateway, gate, wholeReads };
}

const [first, second] = seedUnits().filter((unit) => unit.institution === UNNAMED);

/** Renames unit `id` through the hub, as a coordinator of the member: how long the write took, ms. */
const rename = async (gateway: RunningGateway, id: string, title: string) => {
  const started = Date.now();
  const written = await postGraphQL(
    gateway.url,
    'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
    { id, title },
    await hub.token(UNNAMED, ['coordinator']),
  );
  expect(written.body.errors).toBeUndefined();
  return Date.now() - started;
};

test('a write whose answer names no changes has its part read again whole before the answer returns', async () => {
  const { gateway, gate, wholeReads } = await startGateway();
  expect(wholeReads()).toBe(1);
  await rename(gateway, first?.id as string, 'Quokkawerkstatt named nowhere');
  // The gate took the list out: the catalogue could not read the unit alone, and read the part.
  expect(gate.calls).not.toContain('query CatalogueChanges');
  expect(wholeReads()).toBe(2);
  expect(await searchUnitIds(gateway.url, 'quokkawerkstatt')).toEqual([first?.id]);
});

test("once the member's budget is spent, such a write is not held for the read that waits for it: the part is stale, saying why", async () => {
  // Less than one whole read of the member (some tens of KB): its first read overdraws it for half an hour.
  const { gateway, wholeReads } = await startGateway({ bytes: 1_024, bytesPerMinute: 1_024 });
  expect(wholeReads()).toBe(1);
  const writeMs = await rename(gateway, second?.id as string, 'Wombatwerkstatt while deferred');
  // Not the 10 s one read may take, which such a write otherwise waits for.
  expect(writeMs).toBeLessThan(5_000);
  expect(wholeReads()).toBe(1);
  const part = gateway.catalogue?.states().find((state) => state.institution === UNNAMED);
  expect(part).toMatchObject({ current: false });
  expect(part?.error).toMatch(/^read deferred \d+ s: its shard sent more than the catalogue reads of one member/);
  // Answers say the member is behind; the write is not in the catalogue yet.
  const answer = await postGraphQL(gateway.url, '{ units(filter: { text: "wombatwerkstatt" }) { nodes { id } } }');
  expect(answer.body.data?.units).toEqual({ nodes: [] });
  const stale = (answer.body as { extensions?: { catalogue?: { stale?: Array<{ institution: string }> } } }).extensions
    ?.catalogue?.stale;
  expect(stale?.map((entry) => entry.institution)).toEqual([UNNAMED]);
});
