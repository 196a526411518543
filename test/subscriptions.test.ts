import type { Client } from 'graphql-ws';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { startTestHub, type TestHub } from './harness/hub';
import { correctDemoAssessment } from './harness/demo-assessments';
import { socketClient } from './harness/socket-client';

/** Live assessment updates through the gateway's WebSocket: federated payloads, party rules, nothing lost. */
let hub: TestHub;
const clients: Client[] = [];
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    mobilities: true,
    recognition: true,
  });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await hub?.dispose();
});

const LA = 'rvt.lv:LA-2026-001';
const SUBSCRIBE = `subscription($after: String) {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }, after: $after) {
    cursor type
    assessment { result grade unit { title } }
    learningAgreement { id hostingInstitution { name country } }
  }
}`;

interface Event {
  cursor: string;
  type: string;
  assessment: { result: string; grade: string; unit: { title: string } };
  learningAgreement: { id: string; hostingInstitution: { name: string; country: string } };
}

function connect(token?: string): Client {
  const client = socketClient(hub.url, token);
  clients.push(client);
  return client;
}

/** Reads `count` events (or fewer if `waitMs` passes first), then unsubscribes. */
async function take(
  client: Client,
  count: number,
  after: string | null,
  waitMs = 10_000,
): Promise<{ events: Event[]; errors: unknown[] }> {
  const events: Event[] = [];
  const errors: unknown[] = [];
  const iterator = client.iterate<{ assessmentRecorded: Event }>({ query: SUBSCRIBE, variables: { after } });
  const timer = setTimeout(() => void iterator.return?.(), waitMs);
  try {
    for await (const result of iterator) {
      if (result.errors) errors.push(...result.errors);
      if (result.data) events.push(result.data.assessmentRecorded);
      if (events.length >= count || errors.length > 0) break;
    }
  } catch (error) {
    errors.push(error);
  } finally {
    clearTimeout(timer);
  }
  return { events, errors };
}

const correct = (grade: string) => correctDemoAssessment(hub, grade, 'rvt.lv:WELD-U4', LA);

test('an event carries fields from two subgraphs: the assessment (mobilities) and unit titles and institutions (qualifications)', async () => {
  const { events, errors } = await take(connect(await hub.token('rvt.lv', ['coordinator'])), 2, null);
  expect(errors).toEqual([]);
  expect(events.map((e) => [e.type, e.assessment.unit.title, e.learningAgreement.hostingInstitution.country])).toEqual([
    ['ASSESSMENT_RECORDED', 'Manual metal arc welding with covered electrodes (111)', 'ES'],
    ['ASSESSMENT_RECORDED', 'MAG welding with solid and flux-cored wire (135, 136)', 'ES'],
  ]);
  expect(events[1]?.cursor.startsWith('hub1.')).toBe(true);
});

test("a cursor padded with made-up institutions' positions reads from the start, and no event's cursor hands them back", async () => {
  const made = Object.fromEntries(Array.from({ length: 5_000 }, (_, n) => [`x${n}.example`, 'e1.1']));
  const padded = `hub1.${Buffer.from(JSON.stringify(made)).toString('base64url')}`;
  const token = await hub.token('rvt.lv', ['coordinator']);
  const [plain, from] = [await take(connect(token), 2, null), await take(connect(token), 2, padded)];
  expect(from.errors).toEqual([]);
  expect(from.events).toEqual(plain.events);
  for (const event of from.events)
    expect(Object.keys(JSON.parse(Buffer.from(event.cursor.slice('hub1.'.length), 'base64url').toString()))).toEqual([
      'rvt.lv',
    ]);
});

test('a subscriber that is not a party gets no events; one without a token is refused', async () => {
  const outsider = take(connect(await hub.token('omnia.fi', ['coordinator'])), 1, null, 3_000);
  await correct('9/10');
  expect((await outsider).events).toEqual([]);
  const anonymous = await take(connect(), 1, null, 3_000);
  expect(anonymous.events).toEqual([]);
  expect(JSON.stringify(anonymous.errors)).toMatch(/UNAUTHENTICATED|signed-in caller/);
});

test('a client that disconnects, misses three events and reconnects with its cursor gets exactly those three, in order', async () => {
  const token = await hub.token('rvt.lv', ['viewer']);
  const before = await take(connect(token), 3, null);
  const cursor = before.events.at(-1)?.cursor ?? null;
  expect(before.events.map((e) => e.type)).toEqual([
    'ASSESSMENT_RECORDED',
    'ASSESSMENT_RECORDED',
    'ASSESSMENT_CORRECTED',
  ]);
  for (const grade of ['6/10', '7/10', '8/10']) await correct(grade);
  const after = await take(connect(token), 4, cursor, 3_000);
  expect(after.events.map((e) => [e.type, e.assessment.grade])).toEqual([
    ['ASSESSMENT_CORRECTED', '8/10'],
    ['ASSESSMENT_CORRECTED', '8/10'],
    ['ASSESSMENT_CORRECTED', '8/10'],
  ]);
  // Payloads show each assessment as it is now; the cursors show the three events, one after another.
  const seqs = after.events.map((e) =>
    Number(
      JSON.parse(Buffer.from(e.cursor.slice('hub1.'.length), 'base64url').toString())['rvt.lv'].slice('e1.'.length),
    ),
  );
  expect(seqs).toEqual([seqs[0] ?? 0, (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2]);
  const live = take(connect(token), 1, after.events.at(-1)?.cursor ?? null);
  await correct('5/10');
  expect((await live).events.map((e) => e.assessment.grade)).toEqual(['5/10']);
});

test('recognition decisions reach the learner they concern, with the units resolved from the qualifications kind', async () => {
  const client = connect(await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-17'));
  const events: Array<{ type: string; recognitionDecision: { decision: string; unit: { title: string } } }> = [];
  const iterator = client.iterate<{ recognitionDecided: (typeof events)[number] }>({
    query: 'subscription { recognitionDecided { type recognitionDecision { decision ecvetPoints unit { title } } } }',
  });
  for await (const result of iterator) {
    if (result.data) events.push(result.data.recognitionDecided);
    if (events.length === 2 || result.errors) break;
  }
  expect(events.map((e) => [e.type, e.recognitionDecision.decision, e.recognitionDecision.unit.title])).toEqual([
    ['RECOGNITION_DECIDED', 'RECOGNISED', 'Manual metal arc welding with covered electrodes (111)'],
    ['RECOGNITION_DECIDED', 'RECOGNISED', 'MAG welding with solid and flux-cored wire (135, 136)'],
  ]);
});

test('/metrics counts the connections, subscriptions and shard upstreams open, and counts them down when they close', async () => {
  const open = async () => {
    const text = await (await fetch(new URL('/metrics', hub.url))).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    return {
      connections: value('hub_subscription_connections_open'),
      subscriptions: value('hub_subscriptions_open'),
      upstreams: value('hub_subscription_upstreams_open'),
    };
  };
  const client = connect(await hub.token('rvt.lv', ['coordinator']));
  const iterator = client.iterate({ query: SUBSCRIBE, variables: { after: null } });
  await iterator.next();
  const during = await open();
  expect(during.connections).toBeGreaterThanOrEqual(1);
  expect(during.subscriptions).toBeGreaterThanOrEqual(1);
  expect(during.upstreams).toBeGreaterThanOrEqual(1);
  await iterator.return?.();
  await client.dispose();
  const deadline = Date.now() + 5_000;
  let after = await open();
  while (
    (after.subscriptions >= during.subscriptions || after.connections >= during.connections) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    after = await open();
  }
  expect(after.subscriptions).toBe(during.subscriptions - 1);
  expect(after.connections).toBe(during.connections - 1);
});
