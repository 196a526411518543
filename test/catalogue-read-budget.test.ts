import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningGateway } from '../gateway';
import {
  startCatalogueGateway,
  registryThrough,
  startReadGate,
  testCatalogue,
  type ReadGate,
  type TestCatalogue,
} from './harness/catalogue';
import { postGraphQL, startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/**
 * A member whose change feed restarts at every poll asks the catalogue to read it whole again and again, and a hostile
 * one can send up to MAX_READ_BYTES_PER_INSTITUTION at each read for the hub to parse. Its read budget holds it: once
 * spent, its next read waits (its part stale, saying why), while every other member is answered as before, a write
 * through the hub is not held for the waiting read, and an operator's rebuild still reads it at once. The member's
 * shard is reached through a gate that answers its change feed itself and counts the reads that pass.
 */
const RESTARTING = 'omnia.fi';
const OPERATOR = 'operator-token-for-the-budget-test';
let hub: TestHub;
let engine: TestCatalogue;
let gate: ReadGate;
let gateway: RunningGateway;
let polls = 0;
/**
 * What the member's feed does at each poll: restart (a new history), hold the poll for its wait and answer that nothing
 * changed (as a conforming feed does), or name a change of one of its units at once.
 */
let feedMode: 'restart' | 'quiet' | 'change' = 'restart';
/** The last change of the member's steady history (quiet and change). */
let seq = 0;
const CHANGED_UNIT = (seedUnits().find((unit) => unit.institution === RESTARTING)?.id as string).split(':')[1];

/** The member's feed, as `feedMode` has it answer a poll. */
async function feedPage(poll: URL): Promise<unknown> {
  polls += 1;
  if (feedMode === 'restart') return { feedId: `restored-${polls}`, first: null, last: 0, changes: [] };
  if (feedMode === 'quiet') {
    await sleep(Number(poll.searchParams.get('waitMs') ?? 0));
    return { feedId: 'steady', first: null, last: seq, changes: [] };
  }
  seq += 1;
  const changes = [{ seq, tags: [`Unit:${CHANGED_UNIT}`], occurredAt: new Date().toISOString() }];
  return { feedId: 'steady', first: seq, last: seq, changes };
}
/** Whole reads of the member that reached its shard (each asks for its institution record once). */
const wholeReads = () => gate.calls.filter((call) => call === 'query CatalogueInstitution').length;
/** Reads of the records a change names. */
const namedReads = () => gate.calls.filter((call) => call === 'query CatalogueChanges').length;

beforeAll(async () => {
  engine = await testCatalogue();
  hub = await startTestHub({ institutions: ['rvt.lv', RESTARTING] });
  gate = await startReadGate(hub.shards.get(RESTARTING)?.url as string, { changes: feedPage });
  gateway = await startCatalogueGateway(
    hub,
    {
      url: engine.url,
      feedWaitMs: 1_000,
      feedGraceMs: 2_000,
      readTimeoutMs: 10_000,
      operatorToken: OPERATOR,
      // Less than one whole read of the member (some tens of KB): its first read overdraws it for half an hour.
      memberReadBudget: { bytes: 1_024, bytesPerMinute: 1_024 },
    },
    registryThrough(hub, RESTARTING, gate.url),
  );
  await waitFor(
    'every part read once',
    async () => gateway.catalogue?.states().every((state) => state.built) ?? false,
    30_000,
  );
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await gate?.close();
  await hub?.dispose();
  await engine?.dispose();
});

const health = async () =>
  (await (await fetch(new URL('/health/ready', gateway.url))).json()) as {
    catalogue: {
      parts: Array<{ institution: string; state: string; error: string | null; deferredUntil: string | null }>;
    };
  };
const deferredReads = async () => {
  const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
  const line = metrics
    .split('\n')
    .find((row) => row.startsWith(`hub_catalogue_reads_deferred_total{institution="${RESTARTING}"}`));
  return Number(line?.split(' ').at(-1) ?? 0);
};

test('a member whose feed restarts at every poll is read whole once, then waits for its budget, stale and saying why', async () => {
  // Four restarts of its feed (some 200, 400, 800 and 1,600 ms apart), each asking for a whole read, and the reads after
  // the first deferred. Waited for, not slept: on a busy machine the restarts come later.
  await waitFor(
    'four restarts of its feed, a read deferred',
    async () => polls >= 4 && (await deferredReads()) >= 1,
    20_000,
    () => ({ polls, wholeReads: wholeReads() }),
  );
  expect(wholeReads()).toBe(1);
  const parts = (await health()).catalogue.parts;
  expect(parts.find((part) => part.institution === 'rvt.lv')).toMatchObject({
    state: 'current',
    error: null,
    deferredUntil: null,
  });
  const restarting = parts.find((part) => part.institution === RESTARTING);
  expect(restarting?.state).toBe('stale');
  expect(restarting?.error).toMatch(
    /^read deferred \d+ s: its shard sent more than the catalogue reads of one member \(1024 bytes at once, then 1024 a minute\)$/,
  );
  // Some half an hour ahead: tens of KB overdrawn, refilled at 1,024 bytes a minute.
  expect(Date.parse(restarting?.deferredUntil ?? '') - Date.now()).toBeGreaterThan(10 * 60_000);

  // Lists are answered from the catalogue all the same, naming the member as behind.
  const answer = await postGraphQL(gateway.url, '{ units(first: 100) { totalCount } }');
  expect(answer.body.errors).toBeUndefined();
  expect((answer.body.data?.units as { totalCount: number }).totalCount).toBe(
    seedUnits().filter((unit) => ['rvt.lv', RESTARTING].includes(unit.institution)).length,
  );
  const stale = (
    answer.body as { extensions?: { catalogue?: { stale?: Array<{ institution: string; reason: string }> } } }
  ).extensions?.catalogue?.stale;
  expect(stale?.map(({ institution, reason }) => ({ institution, reason }))).toEqual([
    { institution: RESTARTING, reason: 'BEHIND' },
  ]);
});

test("a write through the hub to the member is not held for the read that waits for the member's budget", async () => {
  const id = seedUnits().find((unit) => unit.institution === RESTARTING)?.id as string;
  const started = Date.now();
  const written = await postGraphQL(
    gateway.url,
    'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Written while deferred" }] }) { id } }',
    { id },
    await hub.token(RESTARTING, ['coordinator']),
  );
  expect(written.body.errors).toBeUndefined();
  // Not the 10 s one read may take, which a write waits for a read under way.
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(wholeReads()).toBe(1);
});

test("an operator's rebuild reads the member at once, whatever its budget", async () => {
  // A feed that behaves from now on: its first page is one more restart (a pause of up to 2 s), then polls are held.
  feedMode = 'quiet';
  const switchedAt = polls;
  await waitFor('the feed polled past its restart', async () => polls >= switchedAt + 2, 10_000);
  const response = await fetch(new URL(`/catalogue/rebuild?institution=${RESTARTING}`, gateway.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR}` },
  });
  expect(response.status).toBe(200);
  expect(wholeReads()).toBe(2);
  const found = await postGraphQL(
    gateway.url,
    '{ units(filter: { text: "written while deferred" }) { nodes { id } } }',
  );
  expect(found.body.data?.units).toEqual({
    nodes: [{ id: seedUnits().find((unit) => unit.institution === RESTARTING)?.id }],
  });
  // Nothing asked for another read meanwhile: the part is current, and its budget overdrawn again.
  expect((await health()).catalogue.parts.find((part) => part.institution === RESTARTING)).toMatchObject({
    state: 'current',
    error: null,
  });
});

test('a member over its budget whose feed names a change at every poll has none of them read: they wait for its next whole read', async () => {
  const [pollsBefore, wholeBefore, namedBefore] = [polls, wholeReads(), namedReads()];
  const switchedAt = Date.now();
  feedMode = 'change';
  // The poll held now ends within its wait (1 s); then a change at every poll, five of them waited for.
  await waitFor('five polls naming a change', () => polls - pollsBefore >= 5, 20_000);
  // Ten polls a second at most (the held poll, then one each 100 ms), however long the five took.
  expect(polls - pollsBefore).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - switchedAt) / 100));
  expect({ whole: wholeReads() - wholeBefore, named: namedReads() - namedBefore }).toEqual({ whole: 0, named: 0 });
  const restarting = (await health()).catalogue.parts.find((part) => part.institution === RESTARTING);
  expect(restarting?.state).toBe('stale');
  expect(restarting?.error).toMatch(/^read deferred \d+ s: /);
});
