import { foreignItemsError, startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from '../faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from '../harness/hub';

/**
 * A member's shard is hostile by assumption: one that answers a fanned-out list or connection with items claiming
 * another member's (its code as their `institution`, its prefix on their IDs) loses its whole share, named, and the
 * honest shards' items all arrive; a by-ID field's or a write's answer passed off as another item is refused.
 * Omnia's qualifications shard is reached through a stand-in that makes its answers claim Riga's; a gateway
 * without the catalogue fans the lists out.
 */
const IMPOSTOR = 'omnia.fi';
const VICTIM = 'rvt.lv';
let hub: TestHub;
let impostor: FaultyShard;
let gateway: ExtraGateway;

beforeAll(async () => {
  hub = await startTestHub({ institutions: [VICTIM, IMPOSTOR, 'bbs-hannover.de'], shards: 'in-process' });
  impostor = await startFaultyShard(hub.shards.get(IMPOSTOR)?.url ?? '', 'impersonate');
  impostor.impersonating = { own: IMPOSTOR, other: VICTIM };
  gateway = await startGatewayOver(hub, { [IMPOSTOR]: impostor.url }, { rateLimit: false, entityCache: false });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await impostor?.close();
  await hub?.dispose();
});

type Json = Record<string, unknown>;

/** The error an impostor's share costs, as for any fanned-out list. */
const foreignItems = foreignItemsError('qualifications', IMPOSTOR);

/** The hub's answer over the honest shards, the impostor's items left out: what the impostor's gateway must give. */
async function honestAnswer(query: string, isImpostors: (item: Json) => boolean, list: (data: Json) => Json[]) {
  const answer = await hub.request(query);
  expect(answer.body.errors).toBeUndefined();
  const data = answer.body.data as Json;
  const all = list(data);
  expect(all.some(isImpostors)).toBe(true);
  return all.filter((item) => !isImpostors(item));
}

async function expectShareDropped(
  query: string,
  isImpostors: (item: Json) => boolean,
  list: (data: Json) => Json[],
  shown: (item: Json) => Json = (item) => item,
): Promise<GraphQLAnswer> {
  const expected = (await honestAnswer(query, isImpostors, list)).map(shown);
  const answer = await gateway.request(query);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toEqual([foreignItems]);
  expect(list(answer.body.data as Json)).toEqual(expected);
  return answer;
}

test("a fanned-out list whose items carry another member's ID: the impostor's share is dropped, named", async () => {
  const answer = await expectShareDropped(
    '{ institutions { id country } }',
    (item) => item.id === IMPOSTOR,
    (data) => data.institutions as Json[],
  );
  expect((answer.body.data?.institutions as Json[]).filter((item) => item.id === VICTIM)).toHaveLength(1);
  expect(impostor.calls).toBeGreaterThan(0);
});

test("a fanned-out list whose items name another member as their institution: the impostor's share is dropped", async () => {
  await expectShareDropped(
    '{ similarLearningOutcomes(statement: "measure and record the temperatures of food", lang: "en", first: 3) { institution unitId score } }',
    (item) => item.institution === IMPOSTOR,
    (data) => data.similarLearningOutcomes as Json[],
  );
});

test("a fanned-out connection whose nodes carry another member's IDs and institution: the impostor's share is dropped", async () => {
  const answer = await expectShareDropped(
    '{ units(first: 100) { totalCount nodes { id institution { id } } } }',
    (item) => String(item.id).startsWith(`${IMPOSTOR}:`),
    (data) => (data.units as { nodes: Json[] }).nodes,
  );
  const units = answer.body.data?.units as { totalCount: number; nodes: Json[] };
  expect(units.totalCount).toBe(units.nodes.length);
});

test("a fanned-out connection whose selection shows no ID: the hub asks each node's ID itself and drops the impostor's share", async () => {
  const edgesOf = (data: Json) => (data.units as { edges: Json[] }).edges;
  const expected = await honestAnswer(
    '{ units(first: 100) { edges { node { id localId } } } }',
    (edge) => String((edge.node as Json).id).startsWith(`${IMPOSTOR}:`),
    edgesOf,
  );
  const answer = await gateway.request('{ units(first: 100) { edges { node { localId } } } }');
  expect(answer.body.errors).toEqual([foreignItems]);
  expect(edgesOf(answer.body.data as Json)).toEqual(
    expected.map((edge) => ({ node: { localId: (edge.node as Json).localId } })),
  );
  expect(JSON.stringify(answer.body)).not.toContain('__hub');
  expect(impostor.queries.at(-1)).toContain('__hubNodes');
});

/** An ID of the impostor's own, from the honest hub. */
async function impostorUnitId(): Promise<string> {
  const answer = await hub.request('{ units(first: 100) { nodes { id } } }');
  const nodes = (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes;
  return (nodes.find((node) => node.id.startsWith(`${IMPOSTOR}:`)) as { id: string }).id;
}

test("a by-ID field whose answer carries another member's ID or names it as institution: the field is null, named", async () => {
  const id = await impostorUnitId();
  for (const query of [
    `{ unit(id: "${id}") { id title } }`,
    `{ unit(id: "${id}") { title institution { id } } }`,
    `{ unit(id: "${id}") { ...shown } } fragment shown on Unit { key: id }`,
    `{ institution(id: "${IMPOSTOR}") { id country } }`,
  ]) {
    const answer = await gateway.request(query);
    expect({ query, data: answer.body.data }).toEqual({
      query,
      data: { [query.includes('unit(') ? 'unit' : 'institution']: null },
    });
    expect(answer.body.errors).toEqual([{ ...foreignItems, path: [query.includes('unit(') ? 'unit' : 'institution'] }]);
  }
  // Beside it, another member's by-ID field answers as ever.
  const both = await gateway.request(`{ mine: unit(id: "${id}") { id } other: institution(id: "${VICTIM}") { id } }`);
  expect(both.body.data).toEqual({ mine: null, other: { id: VICTIM } });
  expect(both.body.errors).toEqual([{ ...foreignItems, path: ['mine'] }]);
});

const UPDATE = `mutation($id: ID!, $title: String!) {
  updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }],
    learningOutcomes: [{ category: SKILLS, statements: [{ lang: "en", value: $title }], escoSkills: [] }] }) { id title } }`;

test("a write whose answer carries another item's ID or another member's: the write is done, its answer refused, named", async () => {
  const id = await impostorUnitId();
  const coordinator = await gateway.token(IMPOSTOR, ['coordinator']);
  const title = `Written through an impostor ${Date.now()}`;
  const updated = await gateway.request(UPDATE, { id, title }, coordinator);
  expect(updated.body.data).toBeNull();
  expect(updated.body.errors).toEqual([{ ...foreignItems, path: ['updateUnit'] }]);
  // The write itself went to its owner, as asked: only the answer, passed off as Riga's unit, is withheld.
  const read = await hub.request(`{ unit(id: "${id}") { title } }`);
  expect(read.body.data).toEqual({ unit: { title } });

  // A write that makes an item, to the caller's shard and to the owner of the qualification named.
  const localId = `IMPOSTOR-${Date.now().toString(36).toUpperCase()}`;
  const qualification = await gateway.request(
    `mutation($input: CreateQualificationInput!) { createQualification(input: $input) { id title } }`,
    {
      input: {
        localId,
        titles: [{ lang: 'en', value: 'A qualification its shard calls Riga’s' }],
        eqfLevel: 4,
        iscedCode: '1013',
        ecvetPoints: 10,
      },
    },
    coordinator,
  );
  expect(qualification.body.data).toBeNull();
  expect(qualification.body.errors).toEqual([{ ...foreignItems, path: ['createQualification'] }]);
  const created = await gateway.request(
    `mutation($input: CreateUnitInput!) { createUnit(input: $input) { title institution { id } } }`,
    {
      input: {
        qualificationId: `${IMPOSTOR}:${localId}`,
        localId,
        titles: [{ lang: 'en', value: 'A unit its shard calls Riga’s' }],
        eqfLevel: 4,
        ecvetPoints: 1,
        learningOutcomes: [{ category: 'SKILLS', statements: [{ lang: 'en', value: 'Welds.' }], escoSkills: [] }],
        validFrom: '2026-09-01',
      },
    },
    coordinator,
  );
  expect(created.body.data).toBeNull();
  expect(created.body.errors).toEqual([{ ...foreignItems, path: ['createUnit'] }]);
  const made = await hub.request(`{ unit(id: "${IMPOSTOR}:${localId}") { institution { id } } }`);
  expect(made.body.data).toEqual({ unit: { institution: { id: IMPOSTOR } } });
});

test('the same shard answering honestly through the stand-in: every answer is the hub’s, without errors', async () => {
  impostor.behaviour = 'pass';
  try {
    for (const query of [
      '{ institutions { id country } }',
      '{ units(first: 100) { totalCount nodes { id institution { id } } } }',
      '{ units(first: 100) { edges { cursor node { localId } } pageInfo { hasNextPage endCursor } } }',
      `{ unit(id: "${await impostorUnitId()}") { id title institution { id } } institution(id: "${IMPOSTOR}") { id } }`,
    ]) {
      const [expected, answer] = await Promise.all([hub.request(query), gateway.request(query)]);
      expect(answer.body).toEqual(expected.body);
      expect(answer.body.errors).toBeUndefined();
    }
    const id = await impostorUnitId();
    const title = `Written through an honest stand-in ${Date.now()}`;
    const updated = await gateway.request(UPDATE, { id, title }, await gateway.token(IMPOSTOR, ['coordinator']));
    expect(updated.body).toEqual({ data: { updateUnit: { id, title } } });
  } finally {
    impostor.behaviour = 'impersonate';
  }
});
