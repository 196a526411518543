import { startGatewayOver } from './faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** A shard that hangs (SIGSTOP) ties up only its own bulkhead: the gateway keeps serving the other shards. */
let hub: TestHub;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'] });
});
afterAll(async () => {
  hub?.shards.get('omnia.fi')?.resume();
  await close?.();
  await hub?.dispose();
});

const omniaUnit = () => seedUnits(['omnia.fi'])[0]?.id as string;
const rvtUnit = () => seedUnits(['rvt.lv'])[0]?.id as string;
const causeOf = (answer: GraphQLAnswer) => answer.body.errors?.[0]?.extensions?.cause;

test('a shard that hangs: its calls end at the timeout, calls over its bulkhead are refused at once, other shards keep serving', async () => {
  const gateway = await startGatewayOver(
    hub,
    {},
    {
      rateLimit: false,
      shardTimeoutMs: 2_500,
      resilience: { maxConcurrentPerShard: 2, maxQueuedPerShard: 1, breakerThreshold: 100 },
    },
  );
  close = () => gateway.close();
  const omnia = hub.shards.get('omnia.fi');
  omnia?.pause();
  try {
    const started = Date.now();
    const timed = (query: string) => gateway.request(query).then((answer) => ({ answer, ms: Date.now() - started }));
    const hanging = Array.from({ length: 6 }, () => timed(`{ unit(id: "${omniaUnit()}") { id } }`));
    const other = await timed(`{ unit(id: "${rvtUnit()}") { id } }`);
    expect(other.answer.body).toEqual({ data: { unit: { id: rvtUnit() } } });
    // Well before the hanging shard's timeout: not held up behind it (a wide margin, for a busy 2-core machine).
    expect(other.ms).toBeLessThan(2_000);
    const results = await Promise.all(hanging);
    const overloaded = results.filter((r) => causeOf(r.answer) === 'overloaded');
    const timedOut = results.filter((r) => causeOf(r.answer) === 'timeout');
    expect({ overloaded: overloaded.length, timedOut: timedOut.length }).toEqual({ overloaded: 3, timedOut: 3 });
    for (const { answer, ms } of overloaded) {
      expect(ms).toBeLessThan(2_000);
      expect(answer.body.data).toEqual({ unit: null });
      expect(answer.body.errors?.[0]?.extensions).toEqual(
        expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'omnia.fi', cause: 'overloaded' }),
      );
    }
    for (const { answer } of timedOut)
      expect(answer.body.errors?.[0]?.extensions).toEqual(
        expect.objectContaining({ code: 'GATEWAY_TIMEOUT', institution: 'omnia.fi' }),
      );
  } finally {
    omnia?.resume();
  }
  const recovered = await gateway.request(`{ unit(id: "${omniaUnit()}") { id } }`);
  expect(recovered.body).toEqual({ data: { unit: { id: omniaUnit() } } });
});
