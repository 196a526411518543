import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../gateway';
import { parseRegistry } from '../gateway/registry/registry';
import { generateHopKeyPair, hopKeyResolver } from '../platform/hop-keys';
import { mintDemoToken } from '../scripts/token';
import { foldText } from '../schema/cursor';
import { readSeed, startQualificationsShard, type QualificationsShard } from '../subgraphs/qualifications';
import { startSchoolSystemShard, type SchoolSystemShard } from '../subgraphs/school-system';
import { testDatabases, type TestDatabases } from './harness/databases';
import { postGraphQL, ROOT, seedFileOf } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * The school system's own shard behind the hub, beside a reference shard (SQLite, or MariaDB with TEST_MYSQL_URL):
 * its units are searched and merged like any other's, a change made in the school's own tables reaches the hub's
 * cache through the triggers' change feed, and writes through the hub are refused.
 */
const SCHOOL = 'cfp-esempio.it';
const SECRET = 'school-system-test-secret';
let databases: TestDatabases;
let reference: QualificationsShard;
let school: SchoolSystemShard;
let gateway: RunningGateway;

beforeAll(async () => {
  databases = testDatabases();
  const hop = await generateHopKeyPair();
  const keys = { hopKeys: hopKeyResolver({ keys: hop.publicKeys }), hopKeyIds: [hop.key.kid] };
  reference = await startQualificationsShard({
    ...keys,
    institution: 'rvt.lv',
    databaseUrl: databases.url('rvt_q'),
    seed: readSeed(seedFileOf('rvt.lv')),
  });
  school = await startSchoolSystemShard({
    ...keys,
    institution: SCHOOL,
    databaseUrl: databases.url('school'),
    example: true,
  });
  const demo = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as {
    institutions: Array<{ code: string }>;
  };
  const urls: Record<string, string> = { 'rvt.lv': reference.url, [SCHOOL]: school.url };
  gateway = await startGateway({
    supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    registry: parseRegistry({
      institutions: demo.institutions
        .filter((entry) => urls[entry.code])
        .map((entry) => ({ ...entry, shards: { qualifications: urls[entry.code] } })),
    }),
    hopKey: hop.key,
    demoTokenSecret: SECRET,
    shardTimeoutMs: 5_000,
    port: 0,
  });
});
afterAll(async () => {
  await gateway?.close();
  await school?.close();
  await reference?.close();
  await databases?.dispose();
});

const ask = (query: string, token?: string) => postGraphQL(gateway.url, query, undefined, token);

test("the school's units are searched and paged with the reference shard's, in one order", async () => {
  const seen: Array<{ id: string; title: string }> = [];
  let after: string | null = null;
  for (;;) {
    const answer = await postGraphQL(
      gateway.url,
      'query($after: String) { units(filter: { iscedField: "0713" }, first: 4, after: $after) { totalCount nodes { id title(lang: "en") } pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    expect(answer.body.errors).toBeUndefined();
    const units = answer.body.data?.units as {
      totalCount: number;
      nodes: Array<{ id: string; title: string }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(units.totalCount).toBe(9);
    seen.push(...units.nodes);
    if (!units.pageInfo.hasNextPage) break;
    after = units.pageInfo.endCursor;
  }
  expect(seen.map((u) => u.id).filter((id) => id.startsWith(`${SCHOOL}:`))).toHaveLength(5);
  const titles = seen.map((u) => foldText(u.title));
  expect(titles).toEqual([...titles].sort());
  expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
});

test('a value the scalars refuse, written in the query or in a variable, is refused by both shards in the same words, code and field', async () => {
  const answer = await ask('{ units(filter: { eqfLevel: 99 }, first: 3) { totalCount } }');
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      message: 'EqfLevel must be an integer from 1 to 8 (got 99)',
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'filter.eqfLevel' }) as unknown,
    }),
  ]);
  // In a variable, the path inside it names the item.
  const skills = ['http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'welding'];
  const variable = await postGraphQL(gateway.url, 'query($f: UnitFilter) { units(filter: $f) { totalCount } }', {
    f: { escoSkills: skills },
  });
  expect(variable.body.errors).toEqual([
    expect.objectContaining({
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'filter.escoSkills[1]' }) as unknown,
    }),
  ]);
});

test("a unit is read in the school's language and its outcomes through the mapping", async () => {
  const answer =
    await ask(`{ unit(id: "${SCHOOL}:OE-M01") { title(lang: "it") qualification { title(lang: "it") eqfLevel }
    institution { name(lang: "it") country } learningOutcomes(category: COMPETENCE) { id statement(lang: "it") escoSkills } } }`);
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data?.unit).toEqual({
    title: 'Sicurezza elettrica e sicurezza sul lavoro',
    qualification: { title: 'Operatore elettrico', eqfLevel: 3 },
    institution: { name: 'Centro di Formazione Professionale «Esempio» di Torino', country: 'IT' },
    learningOutcomes: [
      {
        id: `${SCHOOL}:OE-M01-LO3`,
        statement: 'Lavora secondo le istruzioni di sicurezza e rifiuta un lavoro in condizioni non sicure.',
        escoSkills: expect.arrayContaining([
          expect.stringMatching(/^http:\/\/data\.europa\.eu\/esco\/skill\//),
        ]) as unknown,
      },
    ],
  });
});

test("a change made in the school's own tables reaches the hub's cache through the triggers' feed", async () => {
  const query = `{ unit(id: "${SCHOOL}:OE-M02") { validUntil updatedAt } }`;
  const read = async () => (await ask(query)).body.data?.unit as { validUntil: string | null; updatedAt: string };
  const before = await read();
  expect(before.validUntil).toBeNull();
  // Cached now: the second read is served by the hub.
  const cached = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  expect(cached.headers.get('x-hub-cache')).toBe('hit');
  await school.db.run("UPDATE moduli SET valido_al = '2031-07-31' WHERE cod_modulo = 'OE-M02'");
  await waitFor('the hub reads the new date', async () => (await read()).validUntil === '2031-07-31', 15_000);
  // The school's system stamps the record it changed; the mapping shows the stamp as updatedAt.
  expect(Date.parse((await read()).updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
});

test('writes through the hub are refused: the school changes its units in its own system', async () => {
  const token = await mintDemoToken({ institution: SCHOOL, roles: ['coordinator'], secret: SECRET });
  const answer = await ask(`mutation { retireUnit(id: "${SCHOOL}:OE-M01") { id status } }`, token);
  expect(answer.body.errors?.[0]).toMatchObject({
    message: expect.stringContaining('keeps its qualifications and units in its own school system') as unknown,
    extensions: { code: 'FORBIDDEN' },
  });
  const unit = await ask(`{ unit(id: "${SCHOOL}:OE-M01") { status } }`);
  expect(unit.body.data?.unit).toEqual({ status: 'ACTIVE' });
});

test("the school answers every field of the contract: similar outcomes with everyone's, no scales, no review", async () => {
  const similar = await ask(
    '{ similarLearningOutcomes(statement: "Lavora secondo le istruzioni di sicurezza", lang: "it", first: 3) { outcomeId unitId institution lang score matchedWords } }',
  );
  expect(similar.body.errors).toBeUndefined();
  const matches = similar.body.data?.similarLearningOutcomes as Array<{ outcomeId: string; institution: string }>;
  expect(matches[0]).toEqual({
    outcomeId: `${SCHOOL}:OE-M01-LO3`,
    unitId: `${SCHOOL}:OE-M01`,
    institution: SCHOOL,
    lang: 'it',
    score: expect.any(Number) as unknown,
    matchedWords: ['lavora', 'secondo', 'istruzioni', 'sicurezza'],
  });
  const own = await ask(
    `{ similarLearningOutcomes(statement: "sicurezza", lang: "it", exceptInstitution: "${SCHOOL}") { institution } }`,
  );
  expect(own.body.errors).toBeUndefined();
  expect(
    (own.body.data?.similarLearningOutcomes as Array<{ institution: string }>).map((m) => m.institution),
  ).not.toContain(SCHOOL);
  const scales = await ask(
    `{ institution(id: "${SCHOOL}") { gradingScales { id } } gradingScale(id: "${SCHOOL}:VOTI") { id } }`,
  );
  expect(scales.body).toEqual({ data: { institution: { gradingScales: [] }, gradingScale: null } });
  const token = await mintDemoToken({ institution: SCHOOL, roles: ['coordinator'], secret: SECRET });
  const findings = await ask(`{ blockingOutcomeFindings(institution: "${SCHOOL}") }`, token);
  expect(findings.body).toEqual({ data: { blockingOutcomeFindings: [] } });
  const review = await ask(
    '{ reviewLearningOutcome(statement: "Knows welding", lang: "en", category: SKILLS) { suggestedCategory } }',
    token,
  );
  expect(review.body.errors?.[0]).toMatchObject({
    message: expect.stringContaining('does not review learning outcome statements') as unknown,
    extensions: { code: 'FORBIDDEN' },
  });
});
