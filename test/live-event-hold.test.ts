import type { Client } from 'graphql-ws';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { correctDemoAssessment } from './harness/demo-assessments';
import { startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { socketClient } from './harness/socket-client';

/**
 * A live event whose payload needs a shard that is down is held, never delivered incomplete: within
 * LIVE_EVENT_HOLD_MS it arrives once, complete; past it the subscription ends with SHARD_UNAVAILABLE, and
 * subscribing again with `after:` the last cursor received brings the event complete once the shard is back.
 */

const LA = 'rvt.lv:LA-2026-001';
// Unit titles come from the qualifications shard of the unit's owner, rvt.lv.
const UNIT_OWNER = 'rvt.lv';
const SUBSCRIBE = `subscription($after: String) {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }, after: $after) {
    cursor type
    assessment { grade unit { title } }
  }
}`;

interface Event {
  cursor: string;
  type: string;
  assessment: { grade: string; unit: { title: string } | null };
}
interface Received {
  event?: Event;
  errors?: unknown;
}

async function startHub(liveEventHoldMs: number): Promise<TestHub> {
  // A short half-open time: the shard's circuit, opened by the failed tries, lets calls through soon after it is back.
  const hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    gateway: { liveEventHoldMs, resilience: { halfOpenAfterMs: 500 } },
  });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
  return hub;
}

/** A subscription read in the background: every result as it comes, and whether it ended with an error. */
function listen(clients: Client[], hub: TestHub, token: string, after: string | null) {
  const client = socketClient(hub.url, token);
  clients.push(client);
  const received: Received[] = [];
  const outcome: { ended: boolean; error: unknown } = { ended: false, error: null };
  const iterator = client.iterate<{ assessmentRecorded: Event }>({ query: SUBSCRIBE, variables: { after } });
  void (async () => {
    try {
      for await (const result of iterator)
        received.push({
          ...(result.data ? { event: result.data.assessmentRecorded } : {}),
          ...(result.errors ? { errors: result.errors } : {}),
        });
    } catch (error) {
      outcome.error = error;
    }
    outcome.ended = true;
  })();
  return { received, outcome, stop: () => iterator.return?.() };
}

/** The position in rvt.lv's mobilities outbox that a hub cursor holds. */
const sequence = (cursor: string) =>
  Number(
    String(JSON.parse(Buffer.from(cursor.slice('hub1.'.length), 'base64url').toString())['rvt.lv']).slice('e1.'.length),
  );
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until the hub answers the unit's title again: the shard is back and its circuit closed. */
async function unitTitleAnswered(hub: TestHub): Promise<void> {
  await waitFor(
    'the hub answers unit titles of rvt.lv again',
    async () => {
      const answer = await hub.request('{ unit(id: "rvt.lv:WELD-U4") { title } }');
      return !answer.body.errors && Boolean((answer.body.data?.unit as { title?: string } | null)?.title);
    },
    20_000,
  );
}

describe('a shard back within the hold', () => {
  let hub: TestHub;
  const clients: Client[] = [];
  beforeAll(async () => {
    hub = await startHub(30_000);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await hub?.dispose();
  });

  test('events recorded while it was down arrive once each, complete and in order, after it is back', async () => {
    const dashboard = listen(clients, hub, await hub.token('rvt.lv', ['coordinator']), null);
    await waitFor('the demo assessments arrive', () => dashboard.received.length >= 2, 15_000);
    expect(dashboard.received.every((r) => !r.errors && r.event?.assessment.unit?.title)).toBe(true);
    const shard = hub.shards.get(UNIT_OWNER);
    await shard?.stop();
    const correct = (grade: string) => correctDemoAssessment(hub, grade, 'rvt.lv:WELD-U4', LA);
    await correct('7/10');
    await correct('8/10');
    // Held: nothing incomplete goes out meanwhile.
    await pause(2_000);
    expect(dashboard.received).toHaveLength(2);
    await shard?.restart();
    await waitFor('the held events arrive', () => dashboard.received.length >= 4, 25_000);
    await pause(1_000);
    const late = dashboard.received.slice(2);
    expect(late).toEqual([
      {
        event: expect.objectContaining({
          type: 'ASSESSMENT_CORRECTED',
          assessment: { grade: '8/10', unit: { title: expect.any(String) } },
        }),
      },
      {
        event: expect.objectContaining({
          type: 'ASSESSMENT_CORRECTED',
          assessment: { grade: '8/10', unit: { title: expect.any(String) } },
        }),
      },
    ]);
    const [first, second] = late.map((r) => sequence(r.event?.cursor ?? ''));
    expect(second).toBe((first ?? 0) + 1);
    expect(dashboard.outcome.ended).toBe(false);
    await dashboard.stop();
  });
});

describe('a shard down for longer than the hold', () => {
  let hub: TestHub;
  const clients: Client[] = [];
  beforeAll(async () => {
    hub = await startHub(1_500);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await hub?.dispose();
  });

  test('the subscription ends with SHARD_UNAVAILABLE naming the institution; resuming after the last cursor brings the event complete', async () => {
    const token = await hub.token('rvt.lv', ['coordinator']);
    const dashboard = listen(clients, hub, token, null);
    await waitFor('the demo assessments arrive', () => dashboard.received.length >= 2, 15_000);
    const lastCursor = dashboard.received.at(-1)?.event?.cursor ?? null;
    const shard = hub.shards.get(UNIT_OWNER);
    await shard?.stop();
    const started = Date.now();
    await correctDemoAssessment(hub, '6/10', 'rvt.lv:WELD-U4', LA);
    await waitFor('the subscription ends', () => dashboard.outcome.ended, 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(dashboard.received).toHaveLength(2);
    expect(dashboard.outcome.error).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/rvt\.lv.*`after:` the last cursor you received/),
        extensions: expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'rvt.lv', after: lastCursor }),
      }),
    ]);

    await shard?.restart();
    await unitTitleAnswered(hub);
    const resumed = listen(clients, hub, token, lastCursor);
    await waitFor('the resumed subscription gets the event', () => resumed.received.length >= 1, 15_000);
    await pause(500);
    expect(resumed.received).toEqual([
      {
        event: expect.objectContaining({
          type: 'ASSESSMENT_CORRECTED',
          assessment: { grade: '6/10', unit: { title: expect.any(String) } },
        }),
      },
    ]);
    expect(sequence(resumed.received[0]?.event?.cursor ?? '')).toBeGreaterThan(sequence(lastCursor ?? ''));
    await resumed.stop();
  });
});
