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
      shardTimeoutMs: 5_000,
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
    const results = await Promise.all(hanging);
    const overloaded = results.filter((r) => causeOf(r.answer) === 'overloaded');
    const timedOut = results.filter((r) => causeOf(r.answer) === 'timeout');
    expect({ overloaded: overloaded.length, timedOut: timedOut.length }).toEqual({ overloaded: 3, timedOut: 3 });
    // Not held up behind the hanging shard, and refused at once: all answered before its first call timed out. An
    // order, not a number of milliseconds: a busy 2-core machine slows the timers and the answers alike.
    const firstTimeout = Math.min(...timedOut.map((r) => r.ms));
    expect(other.ms).toBeLessThan(firstTimeout);
    for (const { answer, ms } of overloaded) {
      expect(ms).toBeLessThan(firstTimeout);
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
