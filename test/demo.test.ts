import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery } from 'graphql';
import { distEntry, freePort, startProcess, waitUntilUp, type ManagedProcess } from '../scripts/processes';
import { mintDemoToken } from '../scripts/token';
import { agreementState, DEMO_AGREEMENT_STATES } from './harness/demo-mobilities';
import { postGraphQL, ROOT } from './harness/hub';
import { waitFor } from './harness/wait';

/** `npm start` as a newcomer meets it: every demo school's shard on SQLite, seeded, behind the gateway. */
let demo: ManagedProcess;
let dir: string;
let url: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-demo-'));
  // The demo's own registry: its shards take free ports, so the test runs beside a developer's own `npm start`.
  const port = await freePort();
  demo = startProcess('demo', distEntry('scripts', 'demo.js'), { PORT: String(port), DATA_DIR: join(dir, 'data') });
  await waitUntilUp(demo, `http://127.0.0.1:${port}/health/ready`, 150_000);
  url = `http://127.0.0.1:${port}/graphql`;
  // The demo mobilities are made through the API once the gateway answers; the banner follows them.
  await waitFor(
    'the demo prints its banner',
    () => {
      if (demo.child.exitCode !== null) throw new Error(`The demo stopped:\n${demo.output()}`);
      return demo.output().includes('is running');
    },
    60_000,
  );
}, 200_000);
afterAll(async () => {
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('prints its URL and an example query, and answers it with units from several countries', async () => {
  expect(demo.output()).toContain(`is running: ${url}`);
  expect(demo.output()).toContain('npm run token -- --institution rvt.lv --role coordinator');
  const answer = await postGraphQL(
    url,
    '{ units(filter: { eqfLevel: 4 }, first: 100) { totalCount nodes { institution { country } learningOutcomes { statement } } } }',
  );
  expect(answer.body.errors).toBeUndefined();
  const nodes = (
    answer.body.data?.units as { nodes: Array<{ institution: { country: string }; learningOutcomes: unknown[] }> }
  ).nodes;
  expect(new Set(nodes.map((n) => n.institution.country)).size).toBeGreaterThanOrEqual(3);
});

test('a fifth school, in Italy, serves its units from its own system: they are found and compared like any other', async () => {
  const answer = await postGraphQL(
    url,
    `{ institutions { id country }
       units(filter: { country: "IT" }, first: 10) { totalCount nodes { id title(lang: "it") } }
       compareUnits(a: "cfp-esempio.it:OE-M03", b: "rvt.lv:ELEC-U3") { score } }`,
  );
  expect(answer.body.errors).toBeUndefined();
  const data = answer.body.data as {
    institutions: Array<{ id: string; country: string }>;
    units: { totalCount: number; nodes: Array<{ id: string; title: string }> };
    compareUnits: { score: number };
  };
  expect(data.institutions).toContainEqual({ id: 'cfp-esempio.it', country: 'IT' });
  expect(data.units.totalCount).toBe(5);
  expect(data.units.nodes).toContainEqual({ id: 'cfp-esempio.it:OE-M03', title: 'Impianti elettrici civili' });
  expect(data.compareUnits.score).toBeGreaterThan(0.5);
});

test("holds the demo mobilities: Anna's class finished with transcripts, one waiting for signatures", async () => {
  const token = await mintDemoToken({ institution: 'cifp-aviles.es', roles: ['coordinator'] });
  const answer = await postGraphQL(
    url,
    '{ learningAgreements { nodes { id status transcript { totalEcvetPoints } current { units { unit { title } } } } } }',
    undefined,
    token,
  );
  expect(answer.body.errors).toBeUndefined();
  const nodes = (
    answer.body.data?.learningAgreements as {
      nodes: Array<{ id: string; status: string; transcript: { totalEcvetPoints: number } | null }>;
    }
  ).nodes;
  expect(nodes.map(agreementState).sort()).toEqual(DEMO_AGREEMENT_STATES);
});

test('the demo agency reads real figures of the demo mobilities from ecvetStatistics, and no record', async () => {
  expect(demo.output()).toContain('npm run token -- --institution eacea.europa.eu --role agency');
  expect(demo.output()).toContain(`${url.replace(/\/graphql$/, '/overview')} and paste the token`);
  const agency = await mintDemoToken({ institution: 'eacea.europa.eu', roles: ['agency'] });
  const answer = await postGraphQL(
    url,
    `{ ecvetStatistics(groupBy: [COUNTRY, PARTNER_COUNTRY]) {
        cells { measure country partnerCountry value learners suppressed } missingInstitutions suppressionThreshold } }`,
    undefined,
    agency,
  );
  expect(answer.body.errors).toBeUndefined();
  const statistics = answer.body.data?.ecvetStatistics as {
    cells: Array<{ measure: string; country: string; partnerCountry: string | null }>;
    missingInstitutions: string[];
    suppressionThreshold: number;
  };
  expect(statistics.missingInstitutions).toEqual([]);
  expect(statistics.suppressionThreshold).toBe(5);
  const cell = (measure: string, country: string, partnerCountry: string | null = null) =>
    statistics.cells.find((c) => c.measure === measure && c.country === country && c.partnerCountry === partnerCountry);
  // Six Riga learners in Avilés: each figure about them stands on 6 learners; one refused unit, one learner, does not show.
  expect(cell('AGREEMENTS_SIGNED', 'LV', 'ES')).toMatchObject({ value: 6, learners: 6, suppressed: false });
  expect(cell('UNITS_ACHIEVED', 'LV', 'ES')).toMatchObject({ value: 11, learners: 6, suppressed: false });
  expect(cell('UNITS_NOT_ACHIEVED', 'LV', 'ES')).toMatchObject({ value: null, suppressed: true });
  // Decisions count per unit (6 learners on WELD-U4, 5 on WELD-U5): a learner in two base cells counts twice.
  expect(cell('DECISIONS_RECOGNISED', 'LV')).toMatchObject({ value: 11, learners: 11, suppressed: false });
  expect(cell('DECISIONS_REFUSED', 'LV')).toMatchObject({ value: null, suppressed: true });
  expect(cell('AGREEMENTS_DRAFT', 'ES', 'LV')).toMatchObject({ value: null, suppressed: true });

  const record = await postGraphQL(url, '{ learningAgreements { totalCount } }', undefined, agency);
  expect(record.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

test("the finished mobility's units are recognised in the learner's record, with a certificate that verifies", async () => {
  const learner = await mintDemoToken({ institution: 'rvt.lv', roles: ['learner'], learnerId: 'rvt.lv:L-17' });
  const answer = await postGraphQL(
    url,
    '{ learnerRecord(learnerId: "rvt.lv:L-17") { qualifications { accumulatedEcvetPoints } certificates { code } } }',
    undefined,
    learner,
  );
  expect(answer.body.errors).toBeUndefined();
  const record = answer.body.data?.learnerRecord as {
    qualifications: Array<{ accumulatedEcvetPoints: number }>;
    certificates: Array<{ code: string }>;
  };
  expect(record.qualifications[0]?.accumulatedEcvetPoints).toBe(55);
  const verified = await postGraphQL(url, 'query($c: String!) { verifyCertificate(code: $c) { totalEcvetPoints } }', {
    c: record.certificates[0]?.code,
  });
  expect(verified.body.data).toEqual({ verifyCertificate: { totalEcvetPoints: 55 } });
});

test('accepts the tokens `npm run token` prints', async () => {
  const token = await mintDemoToken({ institution: 'omnia.fi', roles: ['coordinator'] });
  const answer = await postGraphQL(
    url,
    'mutation { updateUnit(id: "omnia.fi:COOK-U1", input: { validUntil: "2031-07-31" }) { validUntil } }',
    undefined,
    token,
  );
  expect(answer.body).toEqual({ data: { updateUnit: { validUntil: '2031-07-31' } } });
});

/** The README's fenced blocks of one language, in order. */
function readmeBlocks(language: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))].map(
    (match) => match[1] ?? '',
  );
}

test("the README's shell examples against the demo run as written, in order, and answer without errors", async () => {
  // The examples for a running demo; Docker and production key set-up are checked by test/docker-compose.test.ts.
  const blocks = readmeBlocks('sh').filter((block) => block.includes('127.0.0.1:4000'));
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  const cwd = mkdtempSync(join(tmpdir(), 'hub-readme-'));
  // A signed credential for the verification example's placeholder, as the transcript example prints it.
  const coordinator = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'] });
  const transcript = await postGraphQL(
    url,
    '{ transcript(learningAgreementId: "rvt.lv:LA-2026-001") { document(format: EDC) { signedCredential } } }',
    undefined,
    coordinator,
  );
  const credential = (transcript.body.data?.transcript as { document: { signedCredential: string } }).document
    .signedCredential;
  // One shell, as a reader pastes the blocks one after the other (TOKEN carries over); npm runs in the project.
  const script = [
    `npm() { command npm --prefix ${JSON.stringify(ROOT)} "$@"; }`,
    'set -e',
    ...blocks.map((block, index) => `echo "--- block ${index}"\n${block}`),
  ]
    .join('\n')
    .replaceAll('127.0.0.1:4000', new URL(url).host)
    .replaceAll('<signedCredential>', credential);
  try {
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd, maxBuffer: 16 * 1024 * 1024 });
    const answers = stdout.split(/^--- block \d+$/m).slice(1);
    expect(answers).toHaveLength(blocks.length);
    for (const [index, answer] of answers.entries()) {
      const graphql = answer.trim().startsWith('{') ? answer : null;
      expect({
        block: index,
        errors: graphql?.includes('"errors"') ?? false,
        data: graphql === null || graphql.includes('"data"'),
      }).toEqual({ block: index, errors: false, data: true });
    }
    // The download example saved the ELMO file under the name the hub gave it (Content-Disposition).
    const saved = readdirSync(cwd).filter((name) => name.endsWith('.xml'));
    expect(saved).toHaveLength(1);
    expect(readFileSync(join(cwd, saved[0] as string), 'utf8')).toContain('<elmo');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}, 120_000);

test("the README's GraphQL examples are valid against the hub's schema", async () => {
  const introspection = await postGraphQL(url, getIntrospectionQuery());
  const schema = buildClientSchema(introspection.body.data as unknown as IntrospectionQuery);
  const blocks = readmeBlocks('graphql');
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  for (const block of blocks) expect(validate(schema, parse(block)).map((error) => error.message)).toEqual([]);
});

test('Ctrl+C stops it in order: one signal per process, each drains, the launcher exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => demo.child.once('exit', (code) => resolve(code)));
  // What a terminal does on Ctrl+C: SIGINT to the foreground process group, here the launcher's.
  process.kill(-(demo.child.pid as number), 'SIGINT');
  expect(await exited).toBe(0);
  expect(demo.output()).not.toMatch(/exiting without waiting/);
}, 60_000);
