import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ErrorCode } from '../../schema/errors';
import type { Shard } from '../registry/registry';
import { createResilience } from '../resilience/resilience';
import { createShardCaller } from './shard-call';
import { createShardClients, type IncomingOptions } from './shard-client';
import { failureCause, shardFailure } from './shard-errors';

/** Timers on a busy machine run a little late: no answer may come later than this past its deadline. */
const LATE_MS = 100;
const QUERY = '{ unit(id: "rvt.lv:U1") { id } }';

/** A shard that answers every call after `delayMs`, and counts the calls it received. */
async function slowShard(
  delayMs: number,
): Promise<{ shard: Shard; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    received += 1;
    request.resume();
    const timer = setTimeout(
      () =>
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { unit: { id: 'rvt.lv:U1' } } })),
      delayMs,
    );
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    shard: { institution: 'rvt.lv', kind: 'qualifications', url: `http://127.0.0.1:${port}/graphql` },
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the gateway hands a data source for a request that arrived at `receivedAt`; only what the caller reads is filled in. */
const incoming = (receivedAt: number) =>
  ({
    kind: 'incoming operation',
    request: { query: QUERY },
    context: { requestId: 'r-1', caller: null, receivedAt },
    incomingRequestContext: {},
  }) as unknown as IncomingOptions;

let shard: Awaited<ReturnType<typeof slowShard>>;
let clients: ReturnType<typeof createShardClients>;
const TIMEOUT_MS = 1_000;

beforeEach(async () => {
  shard = await slowShard(600);
  clients = createShardClients({ timeoutMs: TIMEOUT_MS, connectionsPerShard: 4, hopKey: null });
});
afterEach(async () => {
  await clients.close();
  await shard.close();
});

test("queued calls get what is left of the request's deadline; one still queued at it is dropped, never sent", async () => {
  const resilience = createResilience({
    maxConcurrentPerShard: 1,
    maxQueuedPerShard: 4,
    retries: 0,
    breakerThreshold: 100,
  });
  const arrived = performance.now();
  const caller = createShardCaller(
    { shardSource: clients.sourceFor, timeoutMs: TIMEOUT_MS, resilience },
    incoming(arrived),
  );
  const deadline = arrived + TIMEOUT_MS;
  const results = await Promise.all(
    [0, 1, 2].map(async () => {
      const result = await caller.call(shard.shard, { query: QUERY, variables: {} }, 'query');
      return { result, at: performance.now() };
    }),
  );
  // The first answers in 600 ms; the second gets the slot then and is cut at the deadline; the third never gets one.
  expect(results.map(({ result }) => ('failure' in result ? failureCause(result.failure) : 'ok'))).toEqual([
    'ok',
    'timeout',
    'timeout',
  ]);
  for (const { at } of results) expect(at).toBeLessThan(deadline + LATE_MS);
  expect(shard.received()).toBe(2);
  expect(caller.expired()).toBe(true);
  const dropped = results[2]?.result;
  expect(dropped && 'failure' in dropped && shardFailure(dropped.shard, dropped.failure, ['unit'])).toEqual(
    expect.objectContaining({
      path: ['unit'],
      extensions: { code: ErrorCode.GATEWAY_TIMEOUT, institution: 'rvt.lv', kind: 'qualifications', cause: 'timeout' },
    }),
  );
});

test('a call made late in a request is cut when the request is due, not a whole timeout later', async () => {
  const arrived = performance.now() - (TIMEOUT_MS - 100);
  const caller = createShardCaller({ shardSource: clients.sourceFor, timeoutMs: TIMEOUT_MS }, incoming(arrived));
  const result = await caller.call(shard.shard, { query: QUERY, variables: {} }, 'query');
  expect('failure' in result && failureCause(result.failure)).toBe('timeout');
  expect(performance.now()).toBeLessThan(arrived + TIMEOUT_MS + LATE_MS);
});

test('a call made after the deadline is not sent', async () => {
  const caller = createShardCaller(
    { shardSource: clients.sourceFor, timeoutMs: TIMEOUT_MS },
    incoming(performance.now() - TIMEOUT_MS - 1),
  );
  const result = await caller.call(shard.shard, { query: QUERY, variables: {} }, 'query');
  expect('failure' in result && failureCause(result.failure)).toBe('timeout');
  expect(shard.received()).toBe(0);
});
