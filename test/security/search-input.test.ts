import { startTestHub, type GraphQLAnswer, type TestHub } from '../harness/hub';

/** Search text is input like any other: bounded, and `%`, `_` and `!` are never wildcards. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => hub?.dispose());

const UNITS = 'query($filter: UnitFilter) { units(filter: $filter, first: 100) { totalCount nodes { id } } }';
const QUALIFICATIONS =
  'query($filter: QualificationFilter) { qualifications(filter: $filter, first: 100) { totalCount nodes { id } } }';

const totalOf = (answer: GraphQLAnswer, field: string) =>
  (answer.body.data?.[field] as { totalCount: number }).totalCount;

function expectTextRefused(answer: GraphQLAnswer, length: number): void {
  expect(answer.body.data?.units ?? answer.body.data?.qualifications ?? null).toBeNull();
  expect(answer.body.errors?.length).toBeGreaterThan(0);
  for (const error of answer.body.errors ?? []) {
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('filter.text');
    expect(error.message).toBe(`filter.text must be at most 200 characters (got ${length})`);
  }
}

test('a 60,000-character search text is BAD_USER_INPUT naming filter.text and the rule, on units and qualifications', async () => {
  const text = 'schweissen'.repeat(6_000);
  expectTextRefused(await hub.request(UNITS, { filter: { text } }), 60_000);
  expectTextRefused(await hub.request(QUALIFICATIONS, { filter: { text } }), 60_000);
});

test('200 characters are searched, 201 refused', async () => {
  const accepted = await hub.request(UNITS, { filter: { text: `weld ${'x'.repeat(195)}` } });
  expect(accepted.body.errors).toBeUndefined();
  expect(totalOf(accepted, 'units')).toBe(0);
  expectTextRefused(await hub.request(UNITS, { filter: { text: 'w'.repeat(201) } }), 201);
});

test('"_", "%" and the escape character find only literal matches: no unit text holds them, so none', async () => {
  const all = await hub.request(UNITS, { filter: {} });
  expect(totalOf(all, 'units')).toBeGreaterThan(5);
  for (const text of ['_', '%', '%%', '!', '_%_', '! _ %']) {
    for (const [query, field] of [
      [UNITS, 'units'],
      [QUALIFICATIONS, 'qualifications'],
    ] as const) {
      const answer = await hub.request(query, { filter: { text } });
      expect(answer.body.errors).toBeUndefined();
      expect([text, totalOf(answer, field)]).toEqual([text, 0]);
    }
  }
});
