import { metricSum, startFaultyShard, startGatewayOver, type FaultyShard } from './faults';
import { startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';
import { waitFor } from './harness/wait';

/** Identical queries in flight at once share one shard call; other callers, other queries and later calls do not. */
let hub: TestHub;
let shard: FaultyShard;
let gateway: Awaited<ReturnType<typeof startGatewayOver>>;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  shard = await startFaultyShard(hub.shards.get('omnia.fi')?.url ?? '', 'slow');
  shard.delayMs = 300;
  // No entity cache: every read goes to the shard, so what reaches it is the sharing alone.
  gateway = await startGatewayOver(hub, { 'omnia.fi': shard.url }, { rateLimit: false, entityCache: false });
});
afterAll(async () => {
  await gateway?.close();
  await shard?.close();
  await hub?.dispose();
});

const omniaUnit = () => seedUnits(['omnia.fi'])[0]?.id as string;
const UNIT = 'query Unit($id: ID!) { unit(id: $id) { id title(lang: "en") } }';

test('five identical queries at once reach the shard once; each client gets the whole answer and is counted', async () => {
  const before = { calls: shard.calls, metric: await metricSum(gateway.url, 'hub_shard_calls_total', 'omnia.fi') };
  const answers = await Promise.all(Array.from({ length: 5 }, () => gateway.request(UNIT, { id: omniaUnit() })));
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data?.unit as { id: string }).id).toBe(omniaUnit());
  }
  expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
  expect(shard.calls - before.calls).toBe(1);
  // Metrics count calls as the clients made them: five.
  expect((await metricSum(gateway.url, 'hub_shard_calls_total', 'omnia.fi')) - before.metric).toBe(5);
});

test('different callers, different variables and calls one after another are each sent', async () => {
  const before = shard.calls;
  const coordinator = await gateway.token('omnia.fi', ['coordinator']);
  const [second] = seedUnits(['omnia.fi']).slice(1);
  await Promise.all([
    gateway.request(UNIT, { id: omniaUnit() }),
    gateway.request(UNIT, { id: omniaUnit() }, coordinator),
    gateway.request(UNIT, { id: second?.id }),
  ]);
  expect(shard.calls - before).toBe(3);
  await gateway.request(UNIT, { id: omniaUnit() });
  await gateway.request(UNIT, { id: omniaUnit() });
  expect(shard.calls - before).toBe(5);
});

test('a read made after a write was answered never joins a read sent before it: it sees the write', async () => {
  const coordinator = await gateway.token('omnia.fi', ['coordinator']);
  const before = shard.calls;
  // Only the first call (the early read) is slow: the write and the later read pass at once.
  shard.delayMs = 800;
  shard.remaining = 1;
  const early = gateway.request(UNIT, { id: omniaUnit() });
  await waitFor('the early read to reach the shard', async () => shard.calls > before);
  const written = await gateway.request(
    'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Written while a read was on its way" }] }) { title } }',
    { id: omniaUnit() },
    coordinator,
  );
  expect(written.body.errors).toBeUndefined();
  const later = await gateway.request(UNIT, { id: omniaUnit() });
  expect((later.body.data?.unit as { title: string }).title).toBe('Written while a read was on its way');
  await early;
  // The early read, the write and the later read each reached the shard.
  expect(shard.calls - before).toBe(3);
  shard.delayMs = 300;
  shard.remaining = Infinity;
});

test("a read that joined a call cut at the first caller's deadline sends its own with the time it has left", async () => {
  const short = await startGatewayOver(
    hub,
    { 'omnia.fi': shard.url },
    { rateLimit: false, entityCache: false, shardTimeoutMs: 1_000, resilience: { breakerThreshold: 100 } },
  );
  try {
    const before = shard.calls;
    // Only the first call is slow, past the first caller's deadline; the one sent after it passes at once.
    shard.delayMs = 2_000;
    shard.remaining = 1;
    const first = short.request(UNIT, { id: omniaUnit() });
    await waitFor('the first read to reach the shard', async () => shard.calls > before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const joiner = await short.request(UNIT, { id: omniaUnit() });
    expect((await first).body.errors?.[0]?.extensions?.code).toBe('GATEWAY_TIMEOUT');
    expect(joiner.body.errors).toBeUndefined();
    expect((joiner.body.data?.unit as { id: string }).id).toBe(omniaUnit());
    expect(shard.calls - before).toBe(2);
  } finally {
    shard.delayMs = 300;
    shard.remaining = Infinity;
    await short.close();
  }
});

test('with sharing off (SHARD_SHARE_INFLIGHT=off) every query is sent on its own', async () => {
  const unshared = await startGatewayOver(
    hub,
    { 'omnia.fi': shard.url },
    { rateLimit: false, entityCache: false, shareInflight: false },
  );
  try {
    const before = shard.calls;
    await Promise.all(Array.from({ length: 3 }, () => unshared.request(UNIT, { id: omniaUnit() })));
    expect(shard.calls - before).toBe(3);
  } finally {
    await unshared.close();
  }
});
