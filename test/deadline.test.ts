import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from './faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Under overload, no answer comes later than its request's deadline: SHARD_TIMEOUT_MS after it arrived. */
let hub: TestHub;
let slow: FaultyShard;
let gateway: ExtraGateway;
const TIMEOUT_MS = 1_600;
/** The bound the issue sets: the deadline plus 100 ms. */
const LATE_MS = 100;
const SLOTS = 2;
const QUEUED = 4;
const REQUESTS = 16;

beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  slow = await startFaultyShard(hub.shards.get('omnia.fi')?.url ?? '', 'slow');
  // Two answers in a row do not fit in one deadline: a call that waited for a slot must be cut, not run in full.
  slow.delayMs = 1_000;
  gateway = await startGatewayOver(
    hub,
    { 'omnia.fi': slow.url },
    {
      rateLimit: false,
      entityCache: false,
      shardTimeoutMs: TIMEOUT_MS,
      resilience: { maxConcurrentPerShard: SLOTS, maxQueuedPerShard: QUEUED, breakerThreshold: 1_000 },
    },
  );
});
afterAll(async () => {
  await gateway?.close();
  await slow?.close();
  await hub?.dispose();
});

test('more concurrent requests than slots and queue places: every answer comes by the deadline + 100 ms, naming the slow institution', async () => {
  const unit = seedUnits(['omnia.fi'])[0]?.id as string;
  // The same operation once through a healthy shard first: a cold gateway's first plan is not what is measured.
  const other = seedUnits(['rvt.lv'])[0]?.id as string;
  expect((await gateway.request(`{ unit(id: "${other}") { id } }`)).body).toEqual({ data: { unit: { id: other } } });
  // Client, gateway and shards share this process: time each answer at the gateway, from its request's arrival to
  // the last byte of its response, so that the client's own work in this busy process is not counted.
  const answered = new Map<string, number>();
  gateway.gateway.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const arrived = performance.now();
    response.once('finish', () => answered.set(String(request.headers['x-request-id']), performance.now() - arrived));
  });
  const results = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const id = `deadline-${i}`;
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ query: `{ unit(id: "${unit}") { id } }` }),
      });
      const body = (await response.json()) as GraphQLAnswer['body'];
      return { body, ms: answered.get(id) ?? Number.NaN };
    }),
  );
  const slowest = Math.max(...results.map((r) => r.ms));
  expect(slowest).toBeLessThanOrEqual(TIMEOUT_MS + LATE_MS);
  const causes = results.map(({ body }) => (body.errors?.[0]?.extensions?.cause as string | undefined) ?? 'ok');
  const count = (cause: string) => causes.filter((c) => c === cause).length;
  // The first calls answer; those that waited for a slot are cut at the deadline or dropped from the queue; the rest are refused at once.
  expect({ ok: count('ok'), timeout: count('timeout'), overloaded: count('overloaded') }).toEqual({
    ok: SLOTS,
    timeout: QUEUED,
    overloaded: REQUESTS - SLOTS - QUEUED,
  });
  for (const { body } of results) {
    if (body.errors) {
      expect(body.data).toEqual({ unit: null });
      expect(body.errors[0]?.extensions).toEqual(
        expect.objectContaining({ institution: 'omnia.fi', kind: 'qualifications' }),
      );
    } else expect(body.data).toEqual({ unit: { id: unit } });
  }
});
