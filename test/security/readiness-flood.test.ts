import { startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from '../faults';
import { startTestHub, type TestHub } from '../harness/hub';
import { waitFor } from '../harness/wait';

/**
 * `/health/ready` is open to anyone (load balancers ask it), and lists every shard's state: a flood of readiness
 * requests must not become a flood of /health requests at every member's shards. The gateway asks a shard at most
 * every 5 s for it, and readiness requests at the same time share one ask. Nor may one member's hanging shard make
 * the hub look unready: readiness waits for a shard's /health 500 ms at most. Omnia's qualifications shard is reached
 * through a stand-in that counts the /health requests it gets, and answers them as slowly as a test says.
 */
const MEMBER = 'omnia.fi';
let hub: TestHub;
let member: FaultyShard;
let gateway: ExtraGateway;

beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', MEMBER], shards: 'in-process' });
  member = await startFaultyShard(hub.shards.get(MEMBER)?.url ?? '', 'pass');
  gateway = await startGatewayOver(hub, { [MEMBER]: member.url }, { rateLimit: false, entityCache: false });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await member?.close();
  await hub?.dispose();
});

interface Readiness {
  status: string;
  shards: Array<{ institution: string; kind: string; status: string }>;
}

const readiness = async (): Promise<Readiness> => {
  const answer = await fetch(new URL('/health/ready', gateway.url));
  expect(answer.status).toBe(200);
  return (await answer.json()) as Readiness;
};

const memberState = (ready: Readiness) =>
  ready.shards.find((shard) => shard.institution === MEMBER && shard.kind === 'qualifications')?.status;

test("a flood of readiness requests asks a member's shard for its /health once per 5 s", async () => {
  // The first answer takes what the gateway asked as it started, or asks if that was more than 5 s ago (a slow start);
  // from then on, 5 s count.
  await readiness();
  const before = member.healthChecks;
  const started = Date.now();
  const flood = await Promise.all(Array.from({ length: 50 }, readiness));
  for (let request = 0; request < 50; request += 1) flood.push(await readiness());
  expect(flood.map(memberState)).toEqual(Array.from({ length: 100 }, () => 'up'));
  // 100 requests in well under 5 s on any machine this runs on; if not, one more ask is allowed, no more.
  const periods = Math.floor((Date.now() - started) / 5_000) + 1;
  expect(member.healthChecks - before).toBeLessThanOrEqual(periods);

  // Past 5 s the member is asked again, once for a burst of requests at the same time.
  await new Promise((resolve) => setTimeout(resolve, 5_100));
  const asked = member.healthChecks;
  const burst = await Promise.all(Array.from({ length: 20 }, readiness));
  expect(burst.map(memberState)).toEqual(Array.from({ length: 20 }, () => 'up'));
  expect(member.healthChecks - asked).toBe(1);
});

test("a member's shard whose /health hangs holds readiness 500 ms at most, and is shown down once its check gave up", async () => {
  member.healthDelayMs = 60_000;
  try {
    // Past 5 s since the last ask: the next readiness asks again, and the member does not answer.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const started = Date.now();
    const ready = await readiness();
    // Not the 2 s the gateway gives a /health before it counts the shard as down.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ready.status).toBe('ready');
    expect(memberState(ready)).toBe('up'); // the last state known, while the new one is asked for
    await waitFor('the member is shown down', async () => memberState(await readiness()) === 'down', 10_000);
  } finally {
    member.healthDelayMs = 0;
  }
});
