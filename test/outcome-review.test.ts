import BetterSqlite3 from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { OUTBOX_POLL_MS } from '../subgraphs/shared/outbox/outbox';
import { startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Learning outcome review through the hub: the public review, similar outcomes across shards, the write path. */
let hub: TestHub;
let coordinator: string;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi', 'bbs-hannover.de'] });
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  // The demo qualifications use all their points; leave room for the units written here.
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

const REVIEW = `query($statement: String!, $lang: LanguageCode!, $category: LearningOutcomeCategory!, $eqf: EqfLevel) {
  reviewLearningOutcome(statement: $statement, lang: $lang, category: $category, eqfLevel: $eqf, escoLimit: 5) {
    findings { code message start end text suggestions }
    suggestedCategory
    eqf { level column descriptor matchedWords source }
    escoSuggestions { uri preferredLabel lang score matchedWords }
    escoLanguages
  }
}`;

interface Review {
  findings: Array<{ code: string; text: string | null; suggestions: string[] }>;
  suggestedCategory: string | null;
  eqf: { level: number; column: string; descriptor: string; matchedWords: string[]; source: string } | null;
  escoSuggestions: Array<{ uri: string; preferredLabel: string; lang: string; score: number; matchedWords: string[] }>;
  escoLanguages: string[];
}

async function review(variables: Record<string, unknown>): Promise<Review> {
  const answer = await hub.request(REVIEW, variables);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data?.reviewLearningOutcome as Review;
}

test('anyone reviews a statement: findings with spans and better verbs, category, EQF level with its descriptor', async () => {
  const result = await review({
    statement: 'Die Lernenden kennen Photovoltaikanlagen.',
    lang: 'de',
    category: 'SKILLS',
    eqf: 4,
  });
  expect(result.findings.map((f) => f.code)).toEqual(['VAGUE_VERB', 'MISSING_CONTEXT', 'CATEGORY_DIFFERS']);
  expect(result.findings[0]).toMatchObject({ text: 'kennen', suggestions: expect.arrayContaining(['beschreiben']) });
  expect(result.suggestedCategory).toBe('KNOWLEDGE');

  const good = await review({
    statement:
      'The learner is able to install photovoltaic systems on pitched roofs independently, according to the installation manual.',
    lang: 'en',
    category: 'SKILLS',
    eqf: 4,
  });
  expect(good.findings).toEqual([]);
  expect(good.suggestedCategory).toBeNull();
  expect(good.eqf).toMatchObject({ level: 4, column: 'SKILLS', matchedWords: ['install', 'independently'] });
  expect(good.eqf?.descriptor).toBe(
    'A range of cognitive and practical skills required to generate solutions to specific problems in a field of work or study',
  );
  expect(good.eqf?.source).toMatch(/Council Recommendation of 22 May 2017/);
  expect(good.escoSuggestions[0]).toMatchObject({ preferredLabel: 'install photovoltaic systems', lang: 'en' });
  expect(good.escoSuggestions[0]?.matchedWords).toEqual(expect.arrayContaining(['photovoltaic']));
  expect(good.escoLanguages).toEqual(['en']);
});

test('a blank statement or too many suggestions asked is BAD_USER_INPUT naming the argument', async () => {
  for (const [variables, field] of [
    [{ statement: '  ', lang: 'en', category: 'SKILLS' }, 'statement'],
    [{ statement: 'The learner welds.', lang: 'en', category: 'SKILLS', limit: 51 }, 'escoLimit'],
  ] as const) {
    const answer = await hub.request(
      `query($statement: String!, $lang: LanguageCode!, $category: LearningOutcomeCategory!, $limit: Int) {
        reviewLearningOutcome(statement: $statement, lang: $lang, category: $category, escoLimit: $limit) { lang }
      }`,
      { limit: 5, ...variables },
    );
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
});

test("similar outcomes come from every institution's shard, with their unit IDs, and one institution can be left out", async () => {
  const query = `query($except: ID) {
    similarLearningOutcomes(statement: "measure and record the temperatures of food", lang: "en", first: 3, exceptInstitution: $except) {
      outcomeId unitId institution statement lang score matchedWords
    }
  }`;
  const all = await hub.request(query, {});
  expect(all.body.errors).toBeUndefined();
  const found = all.body.data?.similarLearningOutcomes as Array<{
    unitId: string;
    institution: string;
    statement: string;
    score: number;
  }>;
  expect(new Set(found.map((f) => f.institution))).toEqual(new Set(['rvt.lv', 'omnia.fi', 'bbs-hannover.de']));
  const best = [...found].sort((a, b) => b.score - a.score)[0];
  expect(best?.institution).toBe('omnia.fi');
  expect(best?.unitId).toMatch(/^omnia\.fi:/);
  expect(best?.statement).toMatch(/temperature/);

  const others = await hub.request(query, { except: 'omnia.fi' });
  const institutions = (others.body.data?.similarLearningOutcomes as Array<{ institution: string }>).map(
    (f) => f.institution,
  );
  expect(institutions).not.toContain('omnia.fi');
});

const CREATE = `mutation($input: CreateUnitInput!, $review: Boolean) {
  createUnit(input: $input, review: $review) {
    id
    outcomeReviews { outcome blocking review { lang findings { code text } escoSuggestions { preferredLabel } } }
  }
}`;

const unitInput = (localId: string, statement: string) => ({
  qualificationId: qualificationId(),
  localId,
  titles: [{ lang: 'en', value: 'Review test unit' }],
  eqfLevel: 3,
  ecvetPoints: 0.5,
  learningOutcomes: [
    { category: 'KNOWLEDGE', statements: [{ lang: 'lv', value: statement }], escoSkills: [] },
    {
      category: 'SKILLS',
      statements: [
        {
          lang: 'en',
          value: 'The learner is able to install photovoltaic systems on flat roofs according to the manual.',
        },
      ],
      escoSkills: [],
    },
  ],
  validFrom: '2026-09-01',
});

test('createUnit with review: true writes the unit and returns the findings of every outcome', async () => {
  const answer = await hub.request(
    CREATE,
    { input: unitInput('REVIEW-1', 'Izglītojamais zina metināšanas simbolus.'), review: true },
    coordinator,
  );
  expect(answer.body.errors).toBeUndefined();
  const unit = answer.body.data?.createUnit as {
    id: string;
    outcomeReviews: Array<{
      outcome: number;
      blocking: boolean;
      review: { lang: string; findings: Array<{ code: string; text: string | null }>; escoSuggestions: unknown[] };
    }>;
  };
  expect(unit.id).toBe('rvt.lv:REVIEW-1');
  expect(unit.outcomeReviews.map((r) => [r.outcome, r.review.lang, r.blocking])).toEqual([
    [0, 'lv', false],
    [1, 'en', false],
  ]);
  expect(unit.outcomeReviews[0]?.review.findings).toEqual([{ code: 'VAGUE_VERB', text: 'zina' }]);
  expect(unit.outcomeReviews[1]?.review.findings).toEqual([]);
  expect(unit.outcomeReviews[1]?.review.escoSuggestions[0]).toEqual({ preferredLabel: 'install photovoltaic systems' });

  const without = await hub.request(
    CREATE,
    { input: unitInput('REVIEW-2', 'Izglītojamais zina metināšanas simbolus.') },
    coordinator,
  );
  expect(without.body.data?.createUnit).toEqual({ id: 'rvt.lv:REVIEW-2', outcomeReviews: null });
});

test("an institution's blocking findings stop its unit writes, naming the outcome and the finding; nothing is written", async () => {
  const SET =
    'mutation($codes: [LearningOutcomeFindingCode!]!) { setBlockingOutcomeFindings(institution: "rvt.lv", codes: $codes) }';
  const viewer = await hub.token('rvt.lv', ['viewer']);
  const refused = await hub.request(SET, { codes: ['VAGUE_VERB'] }, viewer);
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const set = await hub.request(SET, { codes: ['VAGUE_VERB', 'DESCRIBES_TEACHING', 'VAGUE_VERB'] }, coordinator);
  expect(set.body).toEqual({ data: { setBlockingOutcomeFindings: ['DESCRIBES_TEACHING', 'VAGUE_VERB'] } });
  const read = await hub.request('{ blockingOutcomeFindings(institution: "rvt.lv") }', {}, coordinator);
  expect(read.body.data?.blockingOutcomeFindings).toEqual(['DESCRIBES_TEACHING', 'VAGUE_VERB']);
  try {
    const blocked = await hub.request(
      CREATE,
      { input: unitInput('REVIEW-3', 'Izglītojamais zina metināšanas simbolus.') },
      coordinator,
    );
    expect(blocked.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.learningOutcomes[0].statements',
      finding: 'VAGUE_VERB',
    });
    expect(blocked.body.errors?.[0]?.message).toMatch(/VAGUE_VERB is blocking at rvt\.lv/);
    expect((await hub.request('{ unit(id: "rvt.lv:REVIEW-3") { id } }')).body.data?.unit).toBeNull();

    const fixed = await hub.request(
      CREATE,
      { input: unitInput('REVIEW-3', 'Izglītojamais spēj aprakstīt metināšanas simbolus atbilstoši LVS EN ISO 2553.') },
      coordinator,
    );
    expect(fixed.body.errors).toBeUndefined();

    const update = await hub.request(
      `mutation { updateUnit(id: "rvt.lv:REVIEW-3", input: { learningOutcomes: [{ category: KNOWLEDGE, statements: [{ lang: "en", value: "Learners will be taught welding symbols." }] }] }) { id } }`,
      {},
      coordinator,
    );
    expect(update.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      finding: 'DESCRIBES_TEACHING',
    });
  } finally {
    await hub.request(SET, { codes: [] }, coordinator);
  }
});

test('updateUnit with review: true and no new outcomes reviews the stored ones', async () => {
  const answer = await hub.request(
    `mutation { updateUnit(id: "rvt.lv:REVIEW-1", input: { eqfLevel: 4 }, review: true) {
      eqfLevel outcomeReviews { outcome review { findings { code } } }
    } }`,
    {},
    coordinator,
  );
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data?.updateUnit).toEqual({
    eqfLevel: 4,
    outcomeReviews: [
      { outcome: 0, review: { findings: [{ code: 'VAGUE_VERB' }] } },
      { outcome: 1, review: { findings: [] } },
    ],
  });
});

/** Another program's connection to a shard's database, writing past the shard as an administrator would. */
async function openOtherProgram(
  databaseUrl: string,
): Promise<{ run(sql: string, params: string[]): Promise<void>; close(): Promise<void> }> {
  if (databaseUrl.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(databaseUrl.slice('sqlite:'.length));
    connection.pragma('busy_timeout = 5000');
    return {
      run: async (sql, params) => void connection.prepare(sql).run(...params),
      close: async () => void connection.close(),
    };
  }
  const connection = await createConnection({ uri: databaseUrl });
  return { run: async (sql, params) => void (await connection.execute(sql, params)), close: () => connection.end() };
}

/** The hub's cache follows a write past the shard within this (see test/raw-sql-changes.test.ts). */
const RAW_SQL_BOUND_MS = OUTBOX_POLL_MS + 250;

test('an outcome written through the hub is in the next similar answer, one written in plain SQL within the bound', async () => {
  const SIMILAR = `query($statement: String!) {
    similarLearningOutcomes(statement: $statement, lang: "en", first: 3) { outcomeId statement }
  }`;
  const similar = async (statement: string) => {
    const answer = await hub.request(SIMILAR, { statement });
    expect(answer.body.errors).toBeUndefined();
    return (answer.body.data?.similarLearningOutcomes as Array<{ outcomeId: string; statement: string }>).map(
      (hit) => hit.outcomeId,
    );
  };
  const anodise = 'The learner is able to anodise aluminium window profiles.';
  expect(await similar('anodise')).toEqual([]);
  const created = await hub.request(
    CREATE,
    {
      input: {
        ...unitInput('REVIEW-SIMILAR', 'Izglītojamais spēj aprakstīt anodēšanu.'),
        learningOutcomes: [{ category: 'SKILLS', statements: [{ lang: 'en', value: anodise }], escoSkills: [] }],
      },
    },
    coordinator,
  );
  expect(created.body.errors).toBeUndefined();
  expect(await similar('anodise')).toEqual(['rvt.lv:REVIEW-SIMILAR-LO1']);

  const galvanise = 'The learner is able to galvanise steel brackets by hot dipping.';
  expect(await similar('galvanise')).toEqual([]);
  const other = await openOtherProgram(hub.shards.get('rvt.lv')?.databaseUrl as string);
  try {
    await other.run(
      'INSERT INTO learning_outcome (id, unitId, position, category, statements) VALUES (?, ?, ?, ?, ?)',
      ['REVIEW-SIMILAR-LO9', 'REVIEW-SIMILAR', '9', 'SKILLS', JSON.stringify([{ lang: 'en', value: galvanise }])],
    );
  } finally {
    await other.close();
  }
  const written = performance.now();
  let found: string[] = [];
  while (found.length === 0 && performance.now() - written < 5_000) {
    found = await similar('galvanise');
    if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(found).toEqual(['rvt.lv:REVIEW-SIMILAR-LO9']);
  expect(performance.now() - written).toBeLessThan(RAW_SQL_BOUND_MS);
});
