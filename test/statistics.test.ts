import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type IntrospectionQuery,
} from 'graphql';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import {
  CREATE_LEARNING_AGREEMENT,
  agreementTerms,
  rigaToAvilesAgreement,
} from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { startTestHub, type TestHub } from './harness/hub';
import { socketClient } from './harness/socket-client';

/**
 * Issue 22: a national agency reads ECVET uptake as aggregates, never a record; small cells are suppressed so that
 * no learner can be singled out, even by differencing two answers.
 */
const AGENCIES = [
  { code: 'viaa.gov.lv', country: 'LV', countries: ['LV', 'ES'] },
  { code: 'sepie.es', country: 'ES', countries: ['ES'] },
];
const STATISTICS = `query($filter: EcvetStatisticsFilter, $groupBy: [EcvetStatisticsGroupBy!]) {
  ecvetStatistics(filter: $filter, groupBy: $groupBy) {
    cells { measure country institution partnerCountry field eqfLevel month value learners suppressed }
    missingInstitutions institutions suppressionThreshold
  }
}`;

interface Cell {
  measure: string;
  country: string | null;
  institution: string | null;
  partnerCountry: string | null;
  field: string | null;
  eqfLevel: number | null;
  month: string | null;
  value: number | null;
  learners: number | null;
  suppressed: boolean;
}
interface Statistics {
  cells: Cell[];
  missingInstitutions: string[];
  institutions: string[];
  suppressionThreshold: number;
}

let hub: TestHub;
let agency: string;
/** The month the demo's finished mobility and the five added agreements start in. */
const month = addDays(today(), -70).slice(0, 7);

beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    recognition: true,
    agencies: AGENCIES,
    // Every answer from the shards, so that a shard stopped between two tests is seen at once.
    gateway: { statistics: { cacheMs: 0 } },
  });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
  // Five more Riga learners bound for Avilés in the same month, agreements not yet signed: one cell of 5 learners.
  const riga = await hub.token('rvt.lv', ['coordinator']);
  for (let n = 1; n <= 5; n += 1) {
    const answer = await hub.request(
      CREATE_LEARNING_AGREEMENT,
      {
        input: rigaToAvilesAgreement(
          `LA-STAT-${n}`,
          { localId: `L-STAT-${n}`, name: `Learner ${n}`, dateOfBirth: '2007-01-01' },
          agreementTerms(addDays(today(), -70), addDays(today(), -14), [['rvt.lv:WELD-U4', 25]]),
        ),
      },
      riga,
    );
    expect(answer.body.errors).toBeUndefined();
  }
  agency = await hub.token('viaa.gov.lv', ['agency']);
}, 180_000);
afterAll(() => hub?.dispose());

async function statistics(variables: Record<string, unknown>, token = agency): Promise<Statistics> {
  const answer = await hub.request(STATISTICS, variables, token);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data?.ecvetStatistics as Statistics;
}

const find = (stats: Statistics, measure: string, where: Partial<Cell> = {}) =>
  stats.cells.filter((c) => c.measure === measure && Object.entries(where).every(([k, v]) => c[k as keyof Cell] === v));

interface Batch {
  institution: string;
  count: number;
  cells: string;
}

/** A shard's batches, one array per field each `count` long, read back into cells picked to `fields`. */
function cellsOf(batches: Batch[], fields: string[]): Array<Record<string, unknown>> {
  return batches.flatMap((batch) => {
    const columns = JSON.parse(batch.cells) as Record<string, unknown[]>;
    for (const field of fields) expect(columns[field]).toHaveLength(batch.count);
    return Array.from({ length: batch.count }, (_, i) =>
      Object.fromEntries(fields.map((field) => [field, columns[field]?.[i]])),
    );
  });
}

test('each shard counts the demo data as counted by hand (its own base cells, before suppression)', async () => {
  const caller = { institution: 'viaa.gov.lv', roles: ['agency' as const], learnerId: null, subject: 'test' };
  const query = '{ mobilityStatisticsBase { institution count cells } }';
  const shard = hub.mobilityShards.get('rvt.lv');
  const response = await fetch(shard?.url ?? '', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await hub.signHop({
        institution: 'rvt.lv',
        kind: 'mobilities',
        caller,
        operation: { query, variables: null },
      })),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: { mobilityStatisticsBase: Batch[] } };
  // One batch, the cells as JSON: picked to the fields counted here.
  expect(body.data.mobilityStatisticsBase).toEqual([expect.objectContaining({ institution: 'rvt.lv' })]);
  const cells = cellsOf(body.data.mobilityStatisticsBase, [
    'measure',
    'partnerInstitution',
    'month',
    'value',
    'learners',
  ]);
  // Riga: the memorandum it proposed (in effect); LA-2026-001 signed, 2 units achieved, 1 transcript; 5 drafts.
  expect(cells).toEqual(
    expect.arrayContaining([
      {
        measure: 'MEMORANDA_IN_EFFECT',
        partnerInstitution: null,
        month: addDays(today(), -365).slice(0, 7),
        value: 1,
        learners: null,
      },
      { measure: 'AGREEMENTS_SIGNED', partnerInstitution: 'cifp-aviles.es', month, value: 1, learners: 1 },
      { measure: 'AGREEMENTS_DRAFT', partnerInstitution: 'cifp-aviles.es', month, value: 5, learners: 5 },
      {
        measure: 'TRANSCRIPTS_ISSUED',
        partnerInstitution: 'cifp-aviles.es',
        month: today().slice(0, 7),
        value: 1,
        learners: 1,
      },
    ]),
  );
  const units = cells.filter((c) => c.measure === 'UNITS_ACHIEVED');
  expect(units.reduce((sum, c) => sum + Number(c.value), 0)).toBe(2);
  expect(cells).toHaveLength(4 + units.length + 2);
}, 30_000);

test('the recognition shard lists the days from mobility end to each recognition; the hub merges and suppresses', async () => {
  const caller = { institution: 'viaa.gov.lv', roles: ['agency' as const], learnerId: null, subject: 'test' };
  const query = '{ recognitionStatisticsBase { institution count cells } }';
  const response = await fetch(hub.recognitionShards.get('rvt.lv')?.url ?? '', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await hub.signHop({
        institution: 'rvt.lv',
        kind: 'recognition',
        caller,
        operation: { query, variables: null },
      })),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: { recognitionStatisticsBase: Batch[] } };
  const cells = cellsOf(body.data.recognitionStatisticsBase, ['measure', 'unit', 'month', 'value', 'learners', 'days']);
  // The demo recognises both units of a mobility that ended 14 days ago, today: one learner, a decision per unit.
  for (const unit of ['rvt.lv:WELD-U4', 'rvt.lv:WELD-U5']) {
    expect(cells).toContainEqual({
      measure: 'DAYS_TO_RECOGNITION',
      unit,
      month: today().slice(0, 7),
      value: 1,
      learners: 1,
      days: [14],
    });
    expect(cells).toContainEqual({
      measure: 'DECISIONS_RECOGNISED',
      unit,
      month: today().slice(0, 7),
      value: 1,
      learners: 1,
      days: null,
    });
  }
  const stats = await statistics({ groupBy: [] });
  expect(find(stats, 'DAYS_TO_RECOGNITION')).toEqual([
    expect.objectContaining({ value: null, learners: null, suppressed: true }),
  ]);
});

test('agreed units and decisions are counted per unit at the shard and grouped by field and EQF level at the hub', async () => {
  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  const read = await hub.request(
    `{ u4: unit(id: "rvt.lv:WELD-U4") { eqfLevel qualification { iscedCode } }
       u5: unit(id: "rvt.lv:WELD-U5") { eqfLevel qualification { iscedCode } } }`,
    {},
    coordinator,
  );
  type UnitRead = { eqfLevel: number; qualification: { iscedCode: string } };
  const { u4, u5 } = read.body.data as { u4: UnitRead; u5: UnitRead };
  const stats = await statistics({ groupBy: ['FIELD', 'EQF_LEVEL'] });
  // WELD-U4 is in the demo's agreement and the five drafts (6 learners); WELD-U5 in the demo's alone (1: left out).
  const weld = find(stats, 'AGREED_UNITS', { field: u4.qualification.iscedCode, eqfLevel: u4.eqfLevel });
  expect(weld).toEqual([expect.objectContaining({ value: 6, learners: 6, suppressed: false })]);
  if (u5.eqfLevel !== u4.eqfLevel || u5.qualification.iscedCode !== u4.qualification.iscedCode)
    expect(find(stats, 'AGREED_UNITS', { field: u5.qualification.iscedCode, eqfLevel: u5.eqfLevel })).toEqual([
      expect.objectContaining({ value: null, suppressed: true }),
    ]);
  // Decisions are counted per unit too: they group under the unit's field and level (one learner here: suppressed).
  expect(find(stats, 'DECISIONS_RECOGNISED', { field: u4.qualification.iscedCode, eqfLevel: u4.eqfLevel })).toEqual([
    expect.objectContaining({ value: null, suppressed: true }),
  ]);
  expect(find(stats, 'DECISIONS_RECOGNISED', { field: null })).toEqual([]);
  // Other measures have no units: they answer one group, field and level null.
  expect(find(stats, 'AGREEMENTS_DRAFT')).toEqual([expect.objectContaining({ field: null, eqfLevel: null, value: 5 })]);
});

test('the hub merges and suppresses: cells of fewer than 5 learners answer null with the flag', async () => {
  const stats = await statistics({ groupBy: ['INSTITUTION'] });
  expect(stats.suppressionThreshold).toBe(5);
  expect(stats.institutions).toEqual(['cifp-aviles.es', 'rvt.lv']);
  expect(stats.missingInstitutions).toEqual([]);
  expect(find(stats, 'AGREEMENTS_DRAFT', { institution: 'rvt.lv' })).toEqual([
    expect.objectContaining({ value: 5, learners: 5, suppressed: false }),
  ]);
  expect(find(stats, 'MEMORANDA_IN_EFFECT', { institution: 'rvt.lv' })).toEqual([
    expect.objectContaining({ value: 1, learners: null, suppressed: false }),
  ]);
  // One learner each: the demo's finished mobility, its units, transcript and decisions, and Avilés' draft.
  for (const [measure, institution] of [
    ['AGREEMENTS_SIGNED', 'rvt.lv'],
    ['UNITS_ACHIEVED', 'rvt.lv'],
    ['TRANSCRIPTS_ISSUED', 'rvt.lv'],
    ['DECISIONS_RECOGNISED', 'rvt.lv'],
    ['ECVET_POINTS_RECOGNISED', 'rvt.lv'],
    ['RECOGNITION_RATE', 'rvt.lv'],
    ['AGREEMENTS_DRAFT', 'cifp-aviles.es'],
  ] as const) {
    expect(find(stats, measure, { institution })).toEqual([
      expect.objectContaining({ value: null, learners: null, suppressed: true }),
    ]);
  }
});

test('no suppressed cell can be derived by differencing two answers', async () => {
  const total = await statistics({ groupBy: [] });
  const byInstitution = await statistics({ groupBy: ['INSTITUTION'] });
  const byCountry = await statistics({ groupBy: ['COUNTRY', 'PARTNER_COUNTRY'] });
  const inMonth = await statistics({ groupBy: [], filter: { from: month, to: month } });
  const rigaOnly = await statistics({ groupBy: [], filter: { countries: ['LV'] } });
  const sum = (cells: Cell[]) => cells.reduce((s, c) => s + (c.value ?? 0), 0);
  // Six drafts exist (5 from Riga, 1 from Avilés); every answer says 5, so no difference reveals Avilés' one.
  for (const answer of [total, byInstitution, byCountry, inMonth, rigaOnly])
    expect(sum(find(answer, 'AGREEMENTS_DRAFT'))).toBe(5);
  expect(find(byCountry, 'AGREEMENTS_DRAFT', { country: 'LV', partnerCountry: 'ES' })[0]?.value).toBe(5);
  expect(find(total, 'AGREEMENTS_SIGNED')).toEqual([expect.objectContaining({ value: null, suppressed: true })]);
});

test('an agency sees the countries it oversees only', async () => {
  const spain = await statistics({ groupBy: ['INSTITUTION'] }, await hub.token('sepie.es', ['agency']));
  expect(spain.institutions).toEqual(['cifp-aviles.es']);
  expect(spain.cells.every((c) => c.institution === 'cifp-aviles.es')).toBe(true);
  const refused = await hub.request(
    STATISTICS,
    { filter: { countries: ['LV'] } },
    await hub.token('sepie.es', ['agency']),
  );
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(refused.body.errors?.[0]?.message).toContain('filter.countries');
  const badMonth = await hub.request(STATISTICS, { filter: { from: '2026-13' } }, agency);
  expect(badMonth.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
});

test('only agencies read statistics, and nobody reads the base cells', async () => {
  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  const answer = await hub.request(STATISTICS, {}, coordinator);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  for (const token of [coordinator, agency]) {
    const base = await hub.request('{ mobilityStatisticsBase { cells } }', {}, token);
    expect(base.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(base.body.data ?? null).toBeNull();
  }
});

test('an agency token is refused every record: every other root field and every mutation', async () => {
  const introspection = await hub.request(getIntrospectionQuery(), {});
  const schema = buildClientSchema(introspection.body.data as unknown as IntrospectionQuery);
  const literal = (type: GraphQLInputType): string => {
    if (isNonNullType(type)) return literal(type.ofType);
    if (isListType(type)) return `[${literal(type.ofType)}]`;
    if (isEnumType(type)) return type.getValues()[0]?.name ?? '';
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter(
        (f) => isNonNullType(f.type) && f.defaultValue === undefined,
      );
      return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
    }
    if (isScalarType(type) && ['Int', 'Float'].includes(type.name)) return '1';
    if (isScalarType(type) && type.name === 'Boolean') return 'true';
    return '"rvt.lv:LA-2026-001"';
  };
  const call = (field: GraphQLField<unknown, unknown>) => {
    const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
    const named = getNamedType(field.type);
    const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
    return `${field.name}${args.length ? `(${args.map((a) => `${a.name}: ${literal(a.type)}`).join(', ')})` : ''}${selection}`;
  };
  const operations = [
    ...Object.values(schema.getQueryType()?.getFields() ?? {})
      .filter((f) => f.name !== 'ecvetStatistics')
      .map((f) => [f.name, `query { ${call(f)} }`] as const),
    ...Object.values(schema.getMutationType()?.getFields() ?? {}).map(
      (f) => [f.name, `mutation { ${call(f)} }`] as const,
    ),
  ];
  expect(operations.map(([name]) => name)).toEqual(
    expect.arrayContaining(['learningAgreement', 'learningAgreements', 'memoranda', 'transcript', 'learnerRecord']),
  );
  for (const [name, operation] of operations) {
    const answer = await hub.request(operation, {}, agency);
    expect({ name, code: answer.body.errors?.[0]?.extensions?.code, data: answer.body.data ?? null }).toEqual({
      name,
      code: 'FORBIDDEN',
      data: null,
    });
  }
  expect(isObjectType(schema.getType('EcvetStatistics'))).toBe(true);
});

test("the agency role is the registry agency entries' alone, and alone in their tokens", async () => {
  for (const token of [await hub.token('viaa.gov.lv', ['coordinator']), await hub.token('rvt.lv', ['agency'])]) {
    const answer = await hub.request(STATISTICS, {}, token);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }
});

/** The first message of one subscription: its first result, or the error that ended it. */
async function firstOf(query: string, token: string): Promise<{ data?: unknown; code?: unknown }> {
  const client = socketClient(hub.url, token);
  try {
    return await new Promise((resolve) => {
      const stop = client.subscribe(
        { query },
        {
          next: (result) => {
            stop();
            resolve({ data: result.data, code: result.errors?.[0]?.extensions?.code });
          },
          error: (error) =>
            resolve({ code: (error as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code }),
          complete: () => resolve({}),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

test('over WebSocket an agency gets live statistics, and is refused every subscription to records', async () => {
  const live = await firstOf(
    'subscription { ecvetStatisticsChanged(groupBy: [INSTITUTION]) { cells { measure institution value } } }',
    agency,
  );
  expect(live.code).toBeUndefined();
  const cells = (live.data as { ecvetStatisticsChanged: { cells: Array<Record<string, unknown>> } })
    .ecvetStatisticsChanged.cells;
  expect(cells).toContainEqual({ measure: 'AGREEMENTS_DRAFT', institution: 'rvt.lv', value: 5 });
  for (const query of [
    'subscription { assessmentRecorded { cursor } }',
    'subscription { recognitionDecided { cursor } }',
    'subscription { learningAgreementChanged { cursor } }',
  ])
    expect(await firstOf(query, agency)).toEqual({ code: 'FORBIDDEN' });
  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  expect(await firstOf('subscription { ecvetStatisticsChanged { institutions } }', coordinator)).toEqual({
    code: 'FORBIDDEN',
  });
});

test('exports the same aggregates as CSV and JSON', async () => {
  const url = (format: string) => new URL(`/statistics/ecvet.${format}?groupBy=INSTITUTION`, hub.url);
  const csv = await fetch(url('csv'), { headers: { authorization: `Bearer ${agency}` } });
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe(
    'measure,country,institution,partnerCountry,partnerInstitution,month,value,learners,suppressed,field,eqfLevel',
  );
  expect(lines).toContain('AGREEMENTS_DRAFT,,rvt.lv,,,,5,5,false,,');
  expect(lines).toContain('AGREEMENTS_DRAFT,,cifp-aviles.es,,,,,,true,,');
  const json = await fetch(url('json'), { headers: { authorization: `Bearer ${agency}` } });
  const body = (await json.json()) as Statistics;
  expect(body.cells).toEqual(
    (await statistics({ groupBy: ['INSTITUTION'] })).cells.map((c) => expect.objectContaining(c)),
  );
  expect((await fetch(url('csv'))).status).toBe(401);
  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  expect((await fetch(url('csv'), { headers: { authorization: `Bearer ${coordinator}` } })).status).toBe(403);
});

test('a shard that is down is named, and the other institutions still count', async () => {
  await hub.mobilityShards.get('cifp-aviles.es')?.stop();
  const stats = await statistics({ groupBy: ['INSTITUTION'] });
  expect(stats.missingInstitutions).toEqual(['cifp-aviles.es']);
  expect(find(stats, 'AGREEMENTS_DRAFT', { institution: 'rvt.lv' })[0]?.value).toBe(5);
});
