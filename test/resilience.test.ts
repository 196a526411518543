import { LEAKED, metricSum, startFaultyShard, startGatewayOver, type FaultyShard } from './faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/** Partners that fail cost only their own data, and fast: circuit breakers, retries, garbage. (Hangs and bulkheads: bulkhead.test.ts.) */
let hub: TestHub;
const faulty: FaultyShard[] = [];
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => {
  for (const close of closers) await close();
  for (const shard of faulty) await shard.close();
  await hub?.dispose();
});

const omniaUnit = () => seedUnits(['omnia.fi'])[0]?.id as string;
const LIST = '{ units(first: 100) { nodes { id } } }';
const idsOf = (answer: GraphQLAnswer) =>
  ((answer.body.data?.units as { nodes: Array<{ id: string }> } | null)?.nodes ?? []).map((n) => n.id);
const causeOf = (answer: GraphQLAnswer) => answer.body.errors?.[0]?.extensions?.cause;

async function gatewayWith(omniaUrl: string | null, options: Parameters<typeof startGatewayOver>[2]) {
  const gateway = await startGatewayOver(hub, omniaUrl ? { 'omnia.fi': omniaUrl } : {}, {
    rateLimit: false,
    ...options,
  });
  closers.push(() => gateway.close());
  return gateway;
}
async function faultyOmnia(behaviour: Parameters<typeof startFaultyShard>[1]) {
  const shard = await startFaultyShard(hub.shards.get('omnia.fi')?.url ?? '', behaviour);
  faulty.push(shard);
  return shard;
}

test('a shard that answers garbage: its data is missing (cause "malformed"), nothing of the garbage reaches the client', async () => {
  const gateway = await gatewayWith((await faultyOmnia('garbage')).url, {});
  const answer = await gateway.request(LIST);
  expect(idsOf(answer).sort()).toEqual(
    seedUnits(['rvt.lv'])
      .map((u) => u.id)
      .sort(),
  );
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      extensions: expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'omnia.fi', cause: 'malformed' }),
    }),
  ]);
  for (const secret of LEAKED) expect(JSON.stringify(answer.body)).not.toContain(secret);
});

test('the breaker opens after repeated failures (the shard is then skipped without a call) and closes after recovery', async () => {
  const shard = await faultyOmnia('fail');
  const gateway = await gatewayWith(shard.url, {
    resilience: { retries: 0, breakerThreshold: 3, halfOpenAfterMs: 500 },
  });
  for (let i = 0; i < 3; i += 1) {
    const answer = await gateway.request(LIST);
    expect(causeOf(answer)).toBe('unavailable');
    expect(answer.body.errors?.[0]?.message).toContain('(HTTP 503)');
  }
  expect(shard.calls).toBe(3);

  const started = Date.now();
  const skipped = await gateway.request(LIST);
  // Skipped without a call: the count is the proof; the time only has to be far from the shard's timeout.
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(shard.calls).toBe(3);
  expect(idsOf(skipped)).toHaveLength(seedUnits(['rvt.lv']).length);
  expect(skipped.body.errors).toEqual([
    expect.objectContaining({
      extensions: expect.objectContaining({
        code: 'SHARD_UNAVAILABLE',
        institution: 'omnia.fi',
        cause: 'circuit-open',
      }),
    }),
  ]);
  const ready = (await (await fetch(new URL('/health/ready', gateway.url))).json()) as {
    shards: Array<{ institution: string; circuit: string }>;
  };
  expect(ready.shards).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ institution: 'omnia.fi', circuit: 'open' }),
      expect.objectContaining({ institution: 'rvt.lv', circuit: 'closed' }),
    ]),
  );
  expect(await metricSum(gateway.url, 'hub_shard_circuit_state', 'institution="omnia.fi"')).toBe(1);

  // Still failing when the half-open trial comes: open again. Until then every request is skipped without a call.
  await waitFor(
    'the half-open trial reaches the failing shard',
    async () => causeOf(await gateway.request(LIST)) === 'unavailable',
  );
  expect(causeOf(await gateway.request(LIST))).toBe('circuit-open');
  expect(shard.calls).toBe(4);

  // Recovered: the next trial succeeds and the circuit closes.
  shard.behaviour = 'pass';
  await waitFor(
    'the next trial closes the circuit',
    async () => (await gateway.request(LIST)).body.errors === undefined,
  );
  const back = await gateway.request(LIST);
  expect(back.body.errors).toBeUndefined();
  expect(idsOf(back)).toHaveLength(seedUnits(['rvt.lv', 'omnia.fi']).length);
  expect(await metricSum(gateway.url, 'hub_shard_circuit_state', 'institution="omnia.fi"')).toBe(0);
});

test('a query is retried after a cut connection; a mutation never is', async () => {
  const shard = await faultyOmnia('reset');
  const gateway = await gatewayWith(shard.url, { resilience: { retries: 2, retryInitialDelayMs: 10 } });
  shard.remaining = 1;
  const query = await gateway.request(`{ unit(id: "${omniaUnit()}") { id } }`);
  expect(query.body).toEqual({ data: { unit: { id: omniaUnit() } } });
  expect(shard.calls).toBe(2);

  shard.remaining = 1;
  const token = await gateway.token('omnia.fi', ['coordinator']);
  const mutation = await gateway.request(
    `mutation { updateUnit(id: "${omniaUnit()}", input: { validUntil: "2031-01-31" }) { validUntil } }`,
    undefined,
    token,
  );
  expect(mutation.body.data).toBeNull();
  expect(mutation.body.errors?.[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'omnia.fi', cause: 'unavailable' }),
  );
  expect(shard.calls).toBe(3);
});
