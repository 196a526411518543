import { memoryLogger, startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from './faults';
import { startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * A gateway asks every shard of the registry who it is as it starts, not at the first call to it: the operator sees a
 * wrong shard in the log before any request, readiness's first answer waits for no shard, and the first requests
 * neither wait for a shard's /health nor sign their hops one by one. Omnia's qualifications shard is reached through
 * a stand-in that counts its /health requests; the registry names Omnia's shard for Riga's qualifications too.
 */
const MEMBER = 'omnia.fi';
let hub: TestHub;
let member: FaultyShard;
let gateway: ExtraGateway;
const log = memoryLogger();

beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', MEMBER], shards: 'in-process' });
  member = await startFaultyShard(hub.shards.get(MEMBER)?.url ?? '', 'pass');
  gateway = await startGatewayOver(
    hub,
    { [MEMBER]: member.url, 'rvt.lv': hub.shards.get(MEMBER)?.url ?? '' },
    { rateLimit: false, entityCache: false, logger: log.logger },
  );
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await member?.close();
  await hub?.dispose();
});

const shardCount = () => hub.gateway.registry.kinds().flatMap((kind) => hub.gateway.registry.shards(kind)).length;

test('every shard is asked once as the gateway starts, and a wrong one is in the log before any request', async () => {
  await waitFor('the shards are asked', () => log.lines().some((line) => line.msg === 'shards asked who they are'));
  expect(log.lines().find((line) => line.msg === 'shards asked who they are')).toMatchObject({
    up: shardCount() - 1,
    down: 0,
    wrongShard: 1,
  });
  expect(log.lines().filter((line) => line.msg === 'wrong shard')).toEqual([
    expect.objectContaining({
      institution: 'rvt.lv',
      kind: 'qualifications',
      error: expect.stringMatching(/answers as qualifications@omnia\.fi, not as qualifications@rvt\.lv/),
    }),
  ]);
  expect(member.healthChecks).toBe(1);
});

test('readiness and the first calls take what the start asked: no shard is asked again', async () => {
  const ready = (await (await fetch(new URL('/health/ready', gateway.url))).json()) as {
    shards: Array<{ institution: string; kind: string; status: string }>;
  };
  expect(ready.shards.filter((shard) => shard.kind === 'qualifications')).toEqual([
    expect.objectContaining({ institution: MEMBER, status: 'up' }),
    expect.objectContaining({ institution: 'rvt.lv', status: 'wrong shard' }),
  ]);
  const answer = await gateway.request('{ units(first: 3) { nodes { id } } }');
  expect(answer.body.errors).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'SHARD_UNAVAILABLE' }) }),
  ]);
  expect(member.calls).toBeGreaterThan(0);
  expect(member.healthChecks).toBe(1);
});
