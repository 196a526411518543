import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateHopKeyPair, type HopKeyPair } from '../../platform/hop-keys';
import { parseRegistry, type Shard } from '../registry/registry';
import { ShardCallRefused } from '../resilience/resilience';
import { useShardIdentity } from './shard-identity';

/** What a shard's /health answers here; each test sets it. */
let health: Record<string, unknown> = {};
let asked = 0;
/** How long the shard takes to answer /health here. */
let answerAfterMs = 0;
let server: Server;
let shard: Shard;
let hub: HopKeyPair;
let other: HopKeyPair;
let service: HopKeyPair;

const registryWith = (url: string) =>
  parseRegistry(
    {
      institutions: [
        {
          code: 'rvt.lv',
          names: [{ lang: 'en', value: 'Riga State Technical School' }],
          country: 'LV',
          shards: { mobilities: url },
          serviceJwks: { mobilities: service.publicKeys },
        },
      ],
    },
    'test registry',
  );

beforeAll(async () => {
  [hub, other, service] = await Promise.all([generateHopKeyPair(), generateHopKeyPair(), generateHopKeyPair()]);
  server = createServer((_request, response) => {
    asked += 1;
    const answer = JSON.stringify(health);
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer);
    }, answerAfterMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  shard = {
    kind: 'mobilities',
    institution: 'rvt.lv',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
  };
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  asked = 0;
  answerAfterMs = 0;
});

const identity = () => useShardIdentity({ registry: registryWith(shard.url), hopKey: hub.key });

test("a shard of the registry's kind and institution, trusting this hub's key and holding the registered service key, is up", async () => {
  health = {
    status: 'ok',
    kind: 'mobilities',
    institution: 'rvt.lv',
    hopKeyIds: [other.key.kid, hub.key.kid],
    serviceKeyId: service.key.kid,
  };
  expect(await identity().verdict(shard)).toEqual({ status: 'up' });
});

test.each([
  [
    'another institution',
    { institution: 'omnia.fi', hopKeyIds: [] },
    /answers as mobilities@omnia\.fi, not as mobilities@rvt\.lv/,
  ],
  ['another kind', { kind: 'recognition' }, /answers as recognition@rvt\.lv, not as mobilities@rvt\.lv/],
  [
    "another hub's hop key",
    { hopKeyIds: ['other'] },
    /answers as mobilities@rvt\.lv trusting hop keys \[other…\], not this hub's key \[.{8}…\]: is another hub's demo running on that port\?/,
  ],
  ['another service key', { serviceKeyId: 'stranger' }, /with service key \[stranger…\], not the registry's \[.{8}…\]/],
])('a shard answering as %s is a wrong shard, and calls to it are refused', async (_name, change, error) => {
  health = {
    status: 'ok',
    kind: 'mobilities',
    institution: 'rvt.lv',
    hopKeyIds: [hub.key.kid],
    serviceKeyId: service.key.kid,
    ...change,
  };
  const checks = identity();
  const verdict = await checks.verdict(shard);
  expect(verdict).toEqual({ status: 'wrong shard', error: expect.stringMatching(error) as unknown });
  await expect(checks.assert(shard)).rejects.toBeInstanceOf(ShardCallRefused);
});

test('a shard that fetches its hop keys from a URL proves its kind and institution only', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: null, serviceKeyId: null };
  expect(await identity().verdict(shard)).toEqual({ status: 'up' });
});

test('the verdict is cached for calls, and asked again after a failed call', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: [hub.key.kid] };
  const checks = identity();
  for (let call = 0; call < 5; call += 1) await checks.assert(shard);
  expect(asked).toBe(1);
  health = { ...health, hopKeyIds: [other.key.kid] };
  checks.forget(shard);
  await expect(checks.assert(shard)).rejects.toThrow(/not this hub's key/);
  expect(asked).toBe(2);
});

test('callers asking at the same time share one ask, and a verdict younger than their bound', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: [hub.key.kid] };
  const checks = identity();
  const verdicts = await Promise.all(Array.from({ length: 20 }, () => checks.verdict(shard, 5_000)));
  expect(verdicts).toEqual(Array.from({ length: 20 }, () => ({ status: 'up' })));
  await checks.verdict(shard, 5_000);
  expect(asked).toBe(1);
  await checks.verdict(shard, 0); // no older than now: asked again
  expect(asked).toBe(2);
});

test('the state readiness shows waits for a slow /health a while, then shows the last known, or down before any', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: [hub.key.kid] };
  answerAfterMs = 400;
  const checks = identity();
  expect(await checks.state(shard, 5_000, 50)).toEqual({
    status: 'down',
    reason: 'its /health has not answered within 50 ms',
  });
  expect(await checks.state(shard, 5_000, 2_000)).toEqual({ status: 'up' }); // the same ask, waited for
  health = { ...health, institution: 'omnia.fi' };
  expect(await checks.state(shard, 0, 50)).toEqual({ status: 'up' }); // asked again: the last known meanwhile
  expect(await checks.state(shard, 5_000, 2_000)).toMatchObject({ status: 'wrong shard' });
  expect(asked).toBe(2);
});

test('a shard takes batched hops once its /health says "hopBatches": true, while it is asked again, and not after a failed call', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: [hub.key.kid], hopBatches: true };
  const checks = identity();
  expect(checks.acceptsHopBatches(shard)).toBe(false); // not asked yet
  await checks.assert(shard);
  expect(checks.acceptsHopBatches(shard)).toBe(true);
  // Asked again (as every recheckAfterMs, or by readiness): still batched meanwhile, and no more once the shard stops saying so.
  const again = checks.verdict(shard, 0);
  expect(checks.acceptsHopBatches(shard)).toBe(true);
  await again;
  expect(checks.acceptsHopBatches(shard)).toBe(true);
  health = { ...health, hopBatches: undefined };
  await checks.verdict(shard, 0);
  expect(checks.acceptsHopBatches(shard)).toBe(false);
  health = { ...health, hopBatches: true };
  await checks.verdict(shard, 0);
  checks.forget(shard);
  expect(checks.acceptsHopBatches(shard)).toBe(false);
});

test.each([
  ['does not say so', {}],
  ['says something else', { hopBatches: 'yes' }],
  ['names no kind or institution', { kind: undefined, institution: undefined }],
  ['is another shard', { institution: 'omnia.fi' }],
])('a shard that %s gets one signature per call', async (_name, change) => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopBatches: true, ...change };
  if (!('hopBatches' in change)) delete health.hopBatches;
  const checks = identity();
  await checks.assert(shard).catch(() => undefined);
  expect(checks.acceptsHopBatches(shard)).toBe(false);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Checks asking a shard again after 1 s, a call waiting for an unknown verdict up to 5 s. */
const checksRecheckingEverySecond = () =>
  useShardIdentity({ registry: registryWith(shard.url), hopKey: hub.key, recheckAfterMs: 1_000, callWaitMs: 5_000 });

test('a shard that was up is called on while it is asked again, and what the new answer says holds from then on', async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'rvt.lv', hopKeyIds: [hub.key.kid], hopBatches: true };
  const checks = checksRecheckingEverySecond();
  await checks.assert(shard);
  await sleep(1_050);
  // The shard has been replaced by another institution's, slow to answer.
  health = { ...health, institution: 'omnia.fi' };
  answerAfterMs = 300;
  const started = Date.now();
  await checks.assert(shard); // starts the recheck, and is not held by it
  await checks.assert(shard); // nor is a call while it goes on, which asks no second time
  expect(Date.now() - started).toBeLessThan(250);
  expect(checks.acceptsHopBatches(shard)).toBe(true); // a fan-out meanwhile keeps its hops in one batch
  await sleep(500);
  expect(asked).toBe(2);
  expect(checks.acceptsHopBatches(shard)).toBe(false);
  await expect(checks.assert(shard)).rejects.toThrow(/answers as mobilities@omnia\.fi, not as mobilities@rvt\.lv/);
});

test("a wrong shard's call waits for its recheck, so a shard put right is called at once", async () => {
  health = { status: 'ok', kind: 'mobilities', institution: 'omnia.fi', hopKeyIds: [hub.key.kid] };
  const checks = checksRecheckingEverySecond();
  await expect(checks.assert(shard)).rejects.toThrow(/not as mobilities@rvt\.lv/);
  await sleep(1_050);
  health = { ...health, institution: 'rvt.lv' };
  answerAfterMs = 300;
  const started = Date.now();
  await checks.assert(shard);
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect(asked).toBe(2);
});

/** `count` shards of `count` members, each its own server answering /health as that member after `answerAfterMs`. */
async function membersShards(count: number) {
  const servers: Server[] = [];
  const answers = new Set<NodeJS.Timeout>();
  const stats = { asked: 0, atOnce: 0, mostAtOnce: 0 };
  const institutions = [];
  for (let n = 0; n < count; n += 1) {
    const code = `school-${n}.eu`;
    const server = createServer((_request, response) => {
      stats.asked += 1;
      stats.atOnce += 1;
      stats.mostAtOnce = Math.max(stats.mostAtOnce, stats.atOnce);
      const answer = setTimeout(() => {
        answers.delete(answer);
        stats.atOnce -= 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'ok', kind: 'mobilities', institution: code, hopBatches: true }));
      }, answerAfterMs);
      answers.add(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    institutions.push({ code, names: [{ lang: 'en', value: code }], country: 'FI', shards: { mobilities: url } });
  }
  const registry = parseRegistry({ institutions }, 'test registry');
  return {
    registry,
    shards: registry.shards('mobilities'),
    stats,
    close: async () => {
      for (const answer of answers) clearTimeout(answer);
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise((resolve) => server.close(resolve));
        }),
      );
    },
  };
}

test('a warm-up asks every shard once, a few at a time, and calls after it neither wait nor go unbatched', async () => {
  answerAfterMs = 100;
  const members = await membersShards(20);
  try {
    const checks = useShardIdentity({ registry: members.registry, hopKey: hub.key });
    const answered = await checks.warm(members.shards, 4);
    expect(answered.map(({ shard, verdict }) => [shard.institution, verdict.status])).toEqual(
      members.shards.map((shard) => [shard.institution, 'up']),
    );
    expect(members.stats.asked).toBe(20);
    // Four at most; more than one, as each answer takes 100 ms.
    expect(members.stats.mostAtOnce).toBeLessThanOrEqual(4);
    expect(members.stats.mostAtOnce).toBeGreaterThan(1);
    // The first calls take the verdicts the warm-up left: nothing more is asked, and their hops go in one batch.
    await Promise.all(members.shards.map((shard) => checks.assert(shard)));
    expect(members.shards.every((shard) => checks.acceptsHopBatches(shard))).toBe(true);
    // Nor is a shard already known asked again by a second warm-up.
    expect(await checks.warm(members.shards)).toEqual([]);
    expect(members.stats.asked).toBe(20);
  } finally {
    await members.close();
  }
});

test('closing ends a warm-up at once: the asks under way give up, the rest are never made', async () => {
  answerAfterMs = 60_000; // /health hangs
  const members = await membersShards(6);
  try {
    const checks = useShardIdentity({ registry: members.registry, hopKey: hub.key, timeoutMs: 30_000 });
    const warming = checks.warm(members.shards, 2);
    await waitUntil(() => members.stats.atOnce === 2);
    const started = Date.now();
    checks.close();
    expect(await warming).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000); // not the asks' 30 s
    expect(members.stats.asked).toBe(2);
  } finally {
    await members.close();
  }
});

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await sleep(5);
}
