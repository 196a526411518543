import type { RunningHttpServer } from '../platform/http';
import { startTestHub, type TestHub } from './harness/hub';
import { startShowcaseSubgraph } from './harness/showcase';
import { seedUnits } from './seeds';

/** By-ID fields go to the owner only; `_entities` batches are split by owner and come back in order. */
let hub: TestHub;
let showcase: RunningHttpServer;
beforeAll(async () => {
  showcase = await startShowcaseSubgraph();
  hub = await startTestHub({
    extraSubgraphs: [
      { name: 'showcase', url: showcase.url, sdl: (showcase as RunningHttpServer & { sdl: string }).sdl },
    ],
  });
});
afterAll(async () => {
  await hub?.dispose();
  await showcase?.close();
});

const units = seedUnits();
const byInstitution = (code: string) => units.filter((u) => u.institution === code);

test('aliased by-ID lookups in one query each reach their own owner', async () => {
  const [lv, fi, de] = [byInstitution('rvt.lv')[0], byInstitution('omnia.fi')[1], byInstitution('bbs-hannover.de')[2]];
  const answer = await hub.request(
    `query($fi: ID!) {
      lv: unit(id: "${lv?.id}") { id institution { id } }
      fi: unit(id: $fi) { id institution { id } }
      de: qualification(id: "${de?.qualificationId}") { id units { id } }
      none: unit(id: "rvt.lv:NO-SUCH-UNIT") { id }
    }`,
    { fi: fi?.id },
  );
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data).toEqual({
    lv: { id: lv?.id, institution: { id: 'rvt.lv' } },
    fi: { id: fi?.id, institution: { id: 'omnia.fi' } },
    de: { id: de?.qualificationId, units: expect.arrayContaining([{ id: de?.id }]) },
    none: null,
  });
});

test('an _entities batch mixing owners is split, and answers come back in the original order', async () => {
  const ids = [
    byInstitution('rvt.lv')[0]?.id,
    byInstitution('omnia.fi')[0]?.id,
    byInstitution('rvt.lv')[1]?.id,
    'zz.example:UNKNOWN-OWNER',
    byInstitution('cifp-aviles.es')[0]?.id,
    'omnia.fi:NO-SUCH-UNIT',
    byInstitution('bbs-hannover.de')[0]?.id,
  ];
  const answer = await hub.request(
    'query($ids: [ID!]!) { showcase(ids: $ids) { title units { id eqfLevel institution { id } learningOutcomes { category } } } }',
    { ids },
  );
  const showcaseUnits = (
    answer.body.data?.showcase as {
      units: Array<{ id: string; institution: { id: string }; learningOutcomes: unknown[] } | null>;
    }
  ).units;
  expect(showcaseUnits.map((u) => u?.id ?? null)).toEqual([ids[0], ids[1], ids[2], null, ids[4], null, ids[6]]);
  for (const unit of showcaseUnits.filter((u) => u !== null)) {
    expect(unit.id.startsWith(`${unit.institution.id}:`)).toBe(true);
    expect(unit.learningOutcomes.length).toBeGreaterThan(0);
  }
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      path: ['showcase', 'units', 3],
      extensions: expect.objectContaining({ code: 'NOT_FOUND', institution: 'zz.example' }),
    }),
  ]);
});

test('a malformed or unknown-owner ID is a clear error, not a crash', async () => {
  const answer = await hub.request(
    '{ a: unit(id: "no-colon") { id } b: unit(id: "unknown.example:U1") { id } c: institution(id: "omnia.fi") { id } }',
  );
  expect(answer.body.data).toEqual({ a: null, b: null, c: { id: 'omnia.fi' } });
  const codes = Object.fromEntries((answer.body.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code]));
  expect(codes).toEqual({ a: 'BAD_USER_INPUT', b: 'NOT_FOUND' });
  expect(answer.body.errors?.find((e) => e.path?.[0] === 'b')?.message).toMatch(/unknown\.example/);
});

test('an answer partly from a subgraph without shards is never hinted public, though its units come from the cache', async () => {
  const ids = [byInstitution('rvt.lv')[0]?.id, byInstitution('omnia.fi')[0]?.id];
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    await response.text();
    return {
      status: response.status,
      cacheControl: response.headers.get('cache-control'),
      hub: response.headers.get('x-hub-cache'),
    };
  };
  const mixed = 'query($ids: [ID!]!) { showcase(ids: $ids) { title units { id title } } }';
  await post(mixed, { ids }); // fills the cache with the units
  expect(await post(mixed, { ids })).toEqual({ status: 200, cacheControl: 'private, no-store', hub: 'bypass' });
  // The public part asked alone is answered from the cache and hinted public.
  const unit = `{ unit(id: "${ids[0]}") { id title } }`;
  await post(unit);
  expect(await post(unit)).toEqual({ status: 200, cacheControl: 'public, max-age=0', hub: 'hit' });
});
