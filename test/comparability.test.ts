import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importEsco } from '../subgraphs/recognition/comparability/esco.import';
import { testDatabases } from './harness/databases';
import { ROOT, startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';

/**
 * Comparing units through the gateway: `compareUnits` (any recognition shard answers) with ESCO imported
 * into that shard, and `Unit.equivalents` (the unit's own institution's recognition shard answers).
 * Demo data: a Latvian MAG welding unit, a Spanish MAG/MIG/TIG welding unit, a Finnish cooking unit.
 */
const ESCO = join(ROOT, 'third_party', 'esco');
const WELD_LV = 'rvt.lv:WELD-U5';
const WELD_ES = 'cifp-aviles.es:SOLCAL-0094';
const COOK_FI = 'omnia.fi:COOK-U2';
const JOINING = 'http://data.europa.eu/esco/skill/24a39c1b-b8cc-4210-8b74-b388a90e8f59';
const ATTEND_TO_DETAIL = 'http://data.europa.eu/esco/skill/83e6510b-ffeb-4aec-959c-4265fd0ff7b7';

let hub: TestHub;
/** The recognition shard the gateway asks for root fields without an owner when the caller has none of its own: the registry's first. */
let answering: string;
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    recognition: true,
    shards: 'in-process',
    // `equivalents` is answered by a shard that asks the hub in turn (the unit, then its skills' searches): once, in
    // CI beside another test file, two took longer than the default 5 s (alone, 0.2 s).
    shardTimeoutMs: 30_000,
  });
  answering = hub.gateway.registry.shards('recognition')[0]?.institution ?? '';
  const db = hub.recognitionShards.get(answering)?.db;
  if (!db) throw new Error(`No in-process recognition shard for ${answering}`);
  await importEsco(db, ESCO);
}, 120_000);
afterAll(async () => hub?.dispose());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks deep answers whose shape each assertion states anyway.
async function ok(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const answer = await hub.request(query, variables);
  expect(answer.body.errors).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the signature says
  return answer.body.data as Record<string, any>;
}

function refused(answer: GraphQLAnswer, code: string, message: RegExp, field?: string): void {
  expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(answer.body.errors?.[0]?.message).toMatch(message);
  if (field) expect(answer.body.errors?.[0]?.extensions?.field).toBe(field);
}

const COMPARISON = `score skillSimilarity outcomeCategorySimilarity eqfCloseness eqfLevelDifference ecvetPointsRatio escoImported
  a { unit { id title(lang: "en") } eqfLevel ecvetPoints outcomesByCategory { category outcomes escoSkills } }
  b { unit { id title(lang: "en") institution { country } } eqfLevel ecvetPoints outcomesByCategory { category outcomes } }
  sharedSkills { uri label skillType reuseLevel } skillsOnlyInA { uri label } skillsOnlyInB { uri label }
  relatedSkills { skillOfA { uri } skillOfB { uri } relation viaUri viaLabel }`;

test('the ESCO subset ships with the project', () => {
  expect(existsSync(join(ESCO, 'transversalSkillsCollection_en.csv'))).toBe(true);
});

test('compareUnits scores a welding unit from Spain far above a cooking unit from Finland, with ESCO labels', async () => {
  const data = await ok(
    `query($lv: ID!, $es: ID!, $fi: ID!) { welding: compareUnits(a: $lv, b: $es) { ${COMPARISON} } cooking: compareUnits(a: $lv, b: $fi) { ${COMPARISON} } }`,
    { lv: WELD_LV, es: WELD_ES, fi: COOK_FI },
  );
  const { welding, cooking } = data;
  expect(welding.score).toBeGreaterThan(cooking.score);
  // 0.6 × 10/11 + 0.2 × (1/7 + 4/6 + 1/7) + 0.1 × 1 + 0.1 × 30/30
  expect(welding.score).toBeCloseTo(0.9359, 4);
  // 0.6 × 0 + 0.2 × 1 + 0.1 × 1 + 0.1 × 30/35
  expect(cooking.score).toBeCloseTo(0.3857, 4);
  expect(welding).toEqual(
    expect.objectContaining({
      skillSimilarity: 0.9091,
      eqfLevelDifference: 0,
      ecvetPointsRatio: 1,
      escoImported: true,
    }),
  );
  expect(welding.a.unit).toEqual({ id: WELD_LV, title: 'MAG welding with solid and flux-cored wire (135, 136)' });
  expect(welding.b.unit).toEqual({
    id: WELD_ES,
    title: 'Welding in protective atmosphere (MAG, MIG and TIG)',
    institution: { country: 'ES' },
  });
  expect(
    welding.a.outcomesByCategory.map((c: { category: string; outcomes: number }) => [c.category, c.outcomes]),
  ).toEqual([
    ['KNOWLEDGE', 1],
    ['SKILLS', 4],
    ['COMPETENCE', 1],
  ]);
  expect(welding.b.outcomesByCategory.map((c: { outcomes: number }) => c.outcomes)).toEqual([1, 5, 1]);

  expect(welding.sharedSkills).toHaveLength(5);
  expect(welding.sharedSkills).toContainEqual({
    uri: JOINING,
    label: 'joining parts using soldering, welding or brazing techniques',
    skillType: null,
    reuseLevel: null,
  });
  expect(welding.sharedSkills).toContainEqual(
    expect.objectContaining({
      label: 'use equipment, tools or technology with precision',
      skillType: 'skill/competence',
      reuseLevel: 'transversal',
    }),
  );
  for (const skill of welding.sharedSkills) expect(skill.label).toEqual(expect.any(String));
  expect(welding.skillsOnlyInA).toEqual([]);
  expect(welding.skillsOnlyInB).toEqual([{ uri: ATTEND_TO_DETAIL, label: 'attend to detail' }]);

  expect(cooking.sharedSkills).toEqual([]);
  expect(cooking.skillsOnlyInB.map((s: { label: string | null }) => s.label)).toContain('preparing food and drinks');
  expect(cooking.skillSimilarity).toBe(0);
});

test('compareUnits gives partial credit through ESCO broader relations', async () => {
  // Riga's "mount photovoltaic panels" is, in ESCO, narrower than Avilés's "positioning materials, tools or equipment".
  const query = `query($a: ID!, $b: ID!) { compareUnits(a: $a, b: $b) { skillSimilarity sharedSkills { uri }
    relatedSkills { skillOfA { label } skillOfB { label } relation viaUri viaLabel } } }`;
  const data = await ok(query, { a: 'rvt.lv:ELEC-U4', b: 'cifp-aviles.es:SOLCAL-0095' });
  expect(data.compareUnits.relatedSkills).toContainEqual({
    skillOfA: { label: 'mount photovoltaic panels' },
    skillOfB: { label: 'positioning materials, tools or equipment' },
    relation: 'NARROWER',
    viaUri: null,
    viaLabel: null,
  });
  // Shared skills alone would give 2 × shared / (7 + 9); related ones add a half each.
  expect(data.compareUnits.skillSimilarity).toBeGreaterThan((2 * data.compareUnits.sharedSkills.length) / 16);
});

test('Unit.equivalents lists units of other institutions, best first: a Spanish welding unit for a Latvian one', async () => {
  const data = await ok(
    `query($id: ID!) { unit(id: $id) { id equivalents { score unit { id title(lang: "en") } comparison { a { unit { id } } b { unit { id } } score escoImported } } } }`,
    { id: WELD_LV },
  );
  const equivalents = data.unit.equivalents as Array<{
    score: number;
    unit: { id: string; title: string };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a comparison's details are walked by the assertions below
    comparison: Record<string, any>;
  }>;
  expect(equivalents.length).toBeGreaterThan(0);
  expect(equivalents[0]?.unit.id).toBe(WELD_ES);
  expect(equivalents[0]?.score).toBeCloseTo(0.9359, 4);
  expect(equivalents.every((e) => !e.unit.id.startsWith('rvt.lv:'))).toBe(true);
  expect(equivalents.every((e) => e.score >= 0.5 && e.comparison.score === e.score)).toBe(true);
  expect(equivalents.map((e) => e.score)).toEqual([...equivalents.map((e) => e.score)].sort((x, y) => y - x));
  expect(equivalents[0]?.comparison.a.unit.id).toBe(WELD_LV);
  expect(equivalents[0]?.comparison.b.unit.id).toBe(WELD_ES);
  // rvt.lv's own recognition shard answers this field; ESCO was imported into another one.
  expect(equivalents[0]?.comparison.escoImported).toBe(answering === 'rvt.lv');
  // The cooking unit shares no skill with it: not even a candidate.
  expect(equivalents.map((e) => e.unit.id)).not.toContain(COOK_FI);

  const strict = await ok(`query($id: ID!) { unit(id: $id) { equivalents(minScore: 0.9) { unit { id } } } }`, {
    id: WELD_LV,
  });
  expect(strict.unit.equivalents).toEqual([{ unit: { id: WELD_ES } }]);
  const one = await ok(`query($id: ID!) { unit(id: $id) { equivalents(minScore: 0, first: 1) { unit { id } } } }`, {
    id: WELD_LV,
  });
  expect(one.unit.equivalents).toEqual([{ unit: { id: WELD_ES } }]);
});

test('equivalents of several units come in one request, each leaving out its own institution', async () => {
  const data = await ok(
    `{ units(filter: { institution: "cifp-aviles.es" }, first: 10) { nodes { id equivalents(minScore: 0.6, first: 3) { unit { id } score } } } }`,
  );
  const nodes = data.units.nodes as Array<{ id: string; equivalents: Array<{ unit: { id: string } }> }>;
  expect(nodes.length).toBeGreaterThan(1);
  for (const node of nodes) expect(node.equivalents.every((e) => !e.unit.id.startsWith('cifp-aviles.es:'))).toBe(true);
  expect(nodes.find((n) => n.id === WELD_ES)?.equivalents[0]?.unit.id).toMatch(/^rvt\.lv:WELD-U[56]$/);
});

test('bad input: malformed IDs, unknown units, out-of-range arguments', async () => {
  const compare = 'query($a: ID!, $b: ID!) { compareUnits(a: $a, b: $b) { score } }';
  refused(
    await hub.request(compare, { a: 'WELD-U5', b: WELD_ES }),
    'BAD_USER_INPUT',
    /a "WELD-U5" is not a hub ID/,
    'a',
  );
  refused(
    await hub.request(compare, { a: WELD_LV, b: 'rvt.lv:bad id' }),
    'BAD_USER_INPUT',
    /b "rvt.lv:bad id" is not a hub ID/,
    'b',
  );
  refused(
    await hub.request(compare, { a: 'rvt.lv:WELD-U99', b: WELD_ES }),
    'NOT_FOUND',
    /No unit rvt\.lv:WELD-U99/,
    'a',
  );
  refused(
    await hub.request(compare, { a: WELD_LV, b: 'nowhere.example:U1' }),
    'NOT_FOUND',
    /No unit nowhere\.example:U1: .*nowhere\.example.* registered/,
    'b',
  );

  const equivalents =
    'query($id: ID!, $min: Float!, $first: Int!) { unit(id: $id) { equivalents(minScore: $min, first: $first) { score } } }';
  refused(
    await hub.request(equivalents, { id: WELD_LV, min: 1.5, first: 10 }),
    'BAD_USER_INPUT',
    /minScore must be between 0 and 1 \(got 1\.5\)/,
  );
  refused(
    await hub.request(equivalents, { id: WELD_LV, min: -0.1, first: 10 }),
    'BAD_USER_INPUT',
    /minScore must be between 0 and 1/,
  );
  refused(
    await hub.request(equivalents, { id: WELD_LV, min: 0.5, first: 0 }),
    'BAD_USER_INPUT',
    /first must be between 1 and 50 \(got 0\)/,
  );
  refused(
    await hub.request(equivalents, { id: WELD_LV, min: 0.5, first: 51 }),
    'BAD_USER_INPUT',
    /first must be between 1 and 50 \(got 51\)/,
  );
});

test('npm run esco:import loads the ESCO folder into DATABASE_URL and changes nothing the second time', async () => {
  const entry = join(ROOT, 'dist', 'scripts', 'esco-import.js');
  expect(existsSync(entry)).toBe(true);
  const databases = testDatabases();
  try {
    const run = () =>
      promisify(execFile)(process.execPath, [entry, 'third_party/esco'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databases.url('esco_cli') },
      });
    const first = await run();
    expect(first.stdout).toMatch(/concepts: +441 read, 441 added, 0 changed, 0 unchanged/);
    expect(first.stdout).toMatch(/broader relations: 158 read, 158 added, 0 removed, 0 unchanged/);
    const second = await run();
    expect(second.stdout).toMatch(/concepts: +441 read, 0 added, 0 changed, 441 unchanged/);
    expect(second.stdout).toMatch(/broader relations: 158 read, 0 added, 0 removed, 158 unchanged/);
  } finally {
    await databases.dispose();
  }
}, 120_000);

test("compareUnits goes to the caller's own recognition shard, and to another when the one it would ask is down", async () => {
  const compare = 'query($a: ID!, $b: ID!) { compareUnits(a: $a, b: $b) { score escoImported } }';
  const other = ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'].find((code) => code !== answering) ?? '';
  // Only the answering shard has ESCO: whose shard answered shows in escoImported.
  const own = await hub.request(compare, { a: WELD_LV, b: WELD_ES }, await hub.token(other, ['coordinator']));
  expect(own.body).toEqual({ data: { compareUnits: expect.objectContaining({ escoImported: false }) } });
  expect((await ok(compare, { a: WELD_LV, b: WELD_ES })).compareUnits.escoImported).toBe(true);

  await hub.recognitionShards.get(answering)?.stop();
  const standIn = await hub.request(compare, { a: WELD_LV, b: WELD_ES });
  expect(standIn.body).toEqual({ data: { compareUnits: expect.objectContaining({ escoImported: false }) } });
});
