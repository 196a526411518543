import type { Client } from 'graphql-ws';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { startTestHub, type TestHub } from './harness/hub';
import { correctDemoAssessment } from './harness/demo-assessments';
import { waitFor } from './harness/wait';
import { socketClient } from './harness/socket-client';

/** Subscribers with the same caller and operation share one upstream per shard: every event once, none they may not see. */
const INSTITUTIONS = ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'];
let hub: TestHub;
const clients: Client[] = [];
beforeAll(async () => {
  hub = await startTestHub({ institutions: INSTITUTIONS, mobilities: true });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await hub?.dispose();
});

const SUBSCRIBE = `subscription($after: String) {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }, after: $after) {
    cursor type
    assessment { grade }
    learningAgreement { id }
  }
}`;

interface Event {
  cursor: string;
  type: string;
  assessment: { grade: string };
}

/** One subscriber on its own socket, collecting what arrives until `stop()`. */
function subscribe(token: string, after: string | null = null) {
  const client = socketClient(hub.url, token);
  clients.push(client);
  const events: Event[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<{ assessmentRecorded: Event }>(
    { query: SUBSCRIBE, variables: { after } },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.assessmentRecorded);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { events, errors, stop };
}

/** Subscriptions to shards this hub's gateway holds open: what sharing saves. */
const openUpstreamCount = () => hub.gateway.subscriptions.stats().upstreams;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a subscriber's replayed history to stop growing: its length depends on the tests before. */
async function historySettled(subscriber: { events: Event[] }, quietMs = 750): Promise<number> {
  await waitFor('the history has begun', () => subscriber.events.length >= 2, 15_000);
  let seen = -1;
  while (subscriber.events.length !== seen) {
    seen = subscriber.events.length;
    await sleep(quietMs);
  }
  return seen;
}
const LA = 'rvt.lv:LA-2026-001';

const correct = (grade: string) => correctDemoAssessment(hub, grade, 'rvt.lv:WELD-U4', LA);

test('subscribers of one caller share an upstream per shard; late joiners get the history and every live event, each once', async () => {
  const baseline = openUpstreamCount();
  const token = await hub.token('rvt.lv', ['coordinator']);
  const first = subscribe(token);
  // The history: the demo's recorded assessments, replayed to a subscriber that gives no cursor.
  const history = await historySettled(first);

  const late = Array.from({ length: 4 }, () => subscribe(token));
  await waitFor('late joiners catch up', () => late.every((s) => s.events.length >= history), 15_000);
  await waitFor('the catch-ups are closed', () => openUpstreamCount() === baseline + INSTITUTIONS.length, 15_000);

  // One more joins while events are being written: it must neither miss nor repeat any.
  const writes = correct('6/10');
  const racing = subscribe(token);
  await writes;
  await correct('7/10');
  await correct('8/10');
  const all = [first, ...late, racing];
  await waitFor(
    'three live events are at every subscriber',
    () => all.every((s) => s.events.length >= history + 3),
    15_000,
  );
  await sleep(500);

  expect(all.flatMap((s) => s.errors)).toEqual([]);
  const cursors = first.events.map((e) => e.cursor);
  expect(new Set(cursors).size).toBe(history + 3);
  for (const subscriber of all) expect(subscriber.events.map((e) => e.cursor)).toEqual(cursors);
  expect(first.events.slice(-3).map((e) => e.type)).toEqual([
    'ASSESSMENT_CORRECTED',
    'ASSESSMENT_CORRECTED',
    'ASSESSMENT_CORRECTED',
  ]);
  // Six subscribers, three shards: three upstream sockets instead of eighteen.
  expect(openUpstreamCount()).toBe(baseline + INSTITUTIONS.length);

  for (const subscriber of all) subscriber.stop();
  await waitFor('the last one out has closed the upstreams', () => openUpstreamCount() === baseline, 15_000);
});

test('a subscriber resuming from a cursor joins the shared feed and gets exactly what it missed', async () => {
  const baseline = openUpstreamCount();
  const token = await hub.token('rvt.lv', ['viewer']);
  const live = subscribe(token);
  const before = await historySettled(live);
  const cursor = live.events.at(-1)?.cursor ?? null;
  await correct('5/10');
  await waitFor('a live event is in', () => live.events.length === before + 1, 15_000);
  const resumed = subscribe(token, cursor);
  await correct('4/10');
  await waitFor(
    'the missed and the next event are in',
    () => resumed.events.length >= 2 && live.events.length === before + 2,
    15_000,
  );
  await sleep(500);
  expect(resumed.events.map((e) => e.cursor)).toEqual(live.events.slice(before).map((e) => e.cursor));
  expect(resumed.errors).toEqual([]);
  live.stop();
  resumed.stop();
  await waitFor('the upstreams are closed', () => openUpstreamCount() === baseline, 15_000);
});

test('subscribers of other callers, with the same operation, never see what they may not', async () => {
  const baseline = openUpstreamCount();
  const party = subscribe(await hub.token('rvt.lv', ['coordinator']));
  const outsiders = [
    subscribe(await hub.token('omnia.fi', ['coordinator'])),
    subscribe(await hub.token('omnia.fi', ['coordinator'])),
    subscribe(await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-99')),
  ];
  const before = await historySettled(party);
  // Three callers, three feeds (the two omnia.fi subscribers share theirs).
  await waitFor(
    'there is one feed per caller',
    () => openUpstreamCount() === baseline + 3 * INSTITUTIONS.length,
    15_000,
  );
  await correct('9/10');
  await waitFor('the party sees the event', () => party.events.length > before, 15_000);
  await sleep(1_000);
  expect(party.events.slice(before).map((e) => e.assessment.grade)).toEqual(['9/10']);
  for (const outsider of outsiders) {
    expect(outsider.events).toEqual([]);
    expect(outsider.errors).toEqual([]);
  }
  for (const subscriber of [party, ...outsiders]) subscriber.stop();
  await waitFor('the upstreams are closed', () => openUpstreamCount() === baseline, 15_000);
});
