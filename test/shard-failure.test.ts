import { startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/** A shard that is down or hangs costs only its own data; the answer says which institution and why. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ shardTimeoutMs: 1_000 });
  // Every shard answers once before one is made to hang: a cold shard missing the short timeout on a busy machine
  // is not the failure under test.
  await waitFor(
    'every shard answers the list',
    async () => (await hub.request(LIST)).body.errors === undefined,
    60_000,
  );
}, 120_000);
afterAll(async () => {
  hub?.shards.get('omnia.fi')?.resume();
  await hub?.dispose();
});

const LIST = '{ units(first: 100) { totalCount nodes { id } } }';
const unitsOf = (code: string) => seedUnits().filter((u) => u.institution === code);

test('a hanging shard times out: the others answer, with a GATEWAY_TIMEOUT error naming the institution', async () => {
  const omnia = hub.shards.get('omnia.fi');
  omnia?.pause();
  try {
    const started = Date.now();
    const answer = await hub.request(`${LIST.slice(0, -1)} one: unit(id: "${unitsOf('omnia.fi')[0]?.id}") { id } }`);
    expect(Date.now() - started).toBeLessThan(4_000);
    const ids = (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    expect(ids.length).toBe(seedUnits().length - unitsOf('omnia.fi').length);
    expect(ids.some((id) => id.startsWith('omnia.fi:'))).toBe(false);
    expect(answer.body.data?.one).toBeNull();
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'GATEWAY_TIMEOUT',
            institution: 'omnia.fi',
            kind: 'qualifications',
          }),
        }),
        expect.objectContaining({
          path: ['one'],
          extensions: expect.objectContaining({ code: 'GATEWAY_TIMEOUT', institution: 'omnia.fi' }),
        }),
      ]),
    );
  } finally {
    omnia?.resume();
  }
  const recovered = await hub.request(LIST);
  expect(recovered.body.errors).toBeUndefined();
  expect((recovered.body.data?.units as { totalCount: number }).totalCount).toBe(seedUnits().length);
});

test("a stopped shard's institution is missing with a SHARD_UNAVAILABLE error; the rest is served", async () => {
  await hub.shards.get('cifp-aviles.es')?.stop();
  const answer = await hub.request(LIST);
  const ids = (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
  expect(new Set(ids.map((id) => id.split(':')[0]))).toEqual(new Set(['bbs-hannover.de', 'omnia.fi', 'rvt.lv']));
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      message: expect.stringContaining('cifp-aviles.es'),
      extensions: expect.objectContaining({
        code: 'SHARD_UNAVAILABLE',
        institution: 'cifp-aviles.es',
        cause: 'unavailable',
      }),
    }),
  ]);
  const byId = await hub.request(`{ unit(id: "${unitsOf('cifp-aviles.es')[0]?.id}") { id } }`);
  expect(byId.body.data).toEqual({ unit: null });
  expect(byId.body.errors?.[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'cifp-aviles.es' }),
  );
});
