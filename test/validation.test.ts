import { startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Bad input is a GraphQL error with a code and a message naming the field; nothing is written. */
let hub: TestHub;
let coordinator: string;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  // The demo qualifications use all their points; leave room for one more small unit.
  const current = await hub.request(`{ qualification(id: "${qualificationId()}") { ecvetPoints } }`);
  const points = (current.body.data?.qualification as { ecvetPoints: number }).ecvetPoints;
  const raised = await hub.request(
    'mutation($id: ID!, $points: EcvetPoints!) { updateQualification(id: $id, input: { ecvetPoints: $points }) { ecvetPoints } }',
    { id: qualificationId(), points: points + 10 },
    coordinator,
  );
  expect(raised.body.errors).toBeUndefined();
});
afterAll(async () => hub?.dispose());

const qualificationId = () => seedUnits(['rvt.lv'])[0]?.qualificationId as string;

const CREATE_UNIT = `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`;
const validUnit = () => ({
  qualificationId: qualificationId(),
  localId: 'NEW-UNIT',
  titles: [{ lang: 'en', value: 'Orbital welding of stainless pipes' }],
  eqfLevel: 4,
  ecvetPoints: 0.5,
  learningOutcomes: [
    {
      category: 'SKILLS',
      statements: [{ lang: 'en', value: 'The learner sets up an orbital welding head.' }],
      escoSkills: [],
    },
  ],
  validFrom: '2026-09-01',
});

async function unitCount(): Promise<number> {
  const answer = await hub.request('{ units(first: 1) { totalCount } }');
  return (answer.body.data?.units as { totalCount: number }).totalCount;
}

const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['EQF level out of range', { eqfLevel: 9 }, 'BAD_USER_INPUT', /EqfLevel must be an integer from 1 to 8/],
  ['negative points', { ecvetPoints: -5 }, 'BAD_USER_INPUT', /EcvetPoints must be a number from 0 to 999/],
  ['non-numeric points', { ecvetPoints: 'ten' }, 'BAD_USER_INPUT', /EcvetPoints/],
  [
    'unknown language code',
    { titles: [{ lang: 'xx', value: 'Title' }] },
    'BAD_USER_INPUT',
    /LanguageCode must be a BCP 47 tag/,
  ],
  ['empty title list', { titles: [] }, 'BAD_USER_INPUT', /input\.titles must contain at least one text/],
  [
    'blank title',
    { titles: [{ lang: 'en', value: '  ' }] },
    'BAD_USER_INPUT',
    /input\.titles\[0\]\.value must not be blank/,
  ],
  [
    'end before start',
    { validUntil: '2026-01-01' },
    'BAD_USER_INPUT',
    /input\.validUntil .* must not be before validFrom/,
  ],
  ['no learning outcomes', { learningOutcomes: [] }, 'BAD_USER_INPUT', /input\.learningOutcomes must hold 1 to 50/],
  [
    'malformed qualification ID',
    { qualificationId: 'WELD' },
    'BAD_USER_INPUT',
    /input\.qualificationId "WELD" is not a hub ID/,
  ],
  ['unknown owner', { qualificationId: 'nowhere.example:Q' }, 'NOT_FOUND', /nowhere\.example/],
  ['bad local ID', { localId: '../etc' }, 'BAD_USER_INPUT', /input\.localId "\.\.\/etc" must be 1-64 letters/],
  ['more points than the qualification has left', { ecvetPoints: 500 }, 'CONFLICT', /more than the qualification's/],
];

test.each(cases)('createUnit refuses %s, and writes nothing', async (_name, change, code, message) => {
  const before = await unitCount();
  const answer = await hub.request(CREATE_UNIT, { input: { ...validUnit(), ...change } }, coordinator);
  const error = answer.body.errors?.[0];
  expect(error?.extensions?.code).toBe(code);
  expect(error?.message).toMatch(message);
  expect(await unitCount()).toBe(before);
});

test('list arguments are checked: page size, unknown enum value, bad cursor, bad filter range', async () => {
  const expectations: Array<[string, string, RegExp]> = [
    ['{ units(first: 101) { totalCount } }', 'BAD_USER_INPUT', /first must be between 1 and 100/],
    ['{ units(first: 0) { totalCount } }', 'BAD_USER_INPUT', /first must be between 1 and 100/],
    ['{ units(filter: { status: GONE }) { totalCount } }', 'GRAPHQL_VALIDATION_FAILED', /GONE.*LifecycleStatus/],
    ['{ units(after: "not-a-cursor") { totalCount } }', 'BAD_USER_INPUT', /after "not-a-cursor" is not a cursor/],
    [
      '{ units(filter: { ecvetPoints: { min: 30, max: 10 } }) { totalCount } }',
      'BAD_USER_INPUT',
      /filter\.ecvetPoints\.min \(30\) must not exceed/,
    ],
    [
      '{ units(filter: { country: "Latvia" }) { totalCount } }',
      'BAD_USER_INPUT',
      /CountryCode must be an ISO 3166-1 alpha-2 code/,
    ],
    ['{ units(filter: { iscedField: "7" }) { totalCount } }', 'BAD_USER_INPUT', /IscedFieldCode/],
  ];
  for (const [query, code, message] of expectations) {
    const answer = await hub.request(query);
    expect({ query, errors: answer.body.errors?.length }).toEqual({ query, errors: 1 });
    expect({ query, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({ query, code });
    expect(answer.body.errors?.[0]?.message).toMatch(message);
  }
});

test('a valid unit is created after all those refusals, and a retry with the same local ID conflicts', async () => {
  const first = await hub.request(CREATE_UNIT, { input: validUnit() }, coordinator);
  expect(first.body).toEqual({ data: { createUnit: { id: 'rvt.lv:NEW-UNIT' } } });
  const again = await hub.request(CREATE_UNIT, { input: validUnit() }, coordinator);
  expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
});
