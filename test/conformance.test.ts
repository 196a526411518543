import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirementsFor, runRequirements, type Outcome, type ShardKind } from '../scripts/conformance';
import { startConformanceShards, type ConformanceShards } from './harness/conformance';
import { ROOT } from './harness/hub';

/**
 * The conformance kit against the reference shards of every kind and against the school system's own shard
 * (SQLite, or MariaDB with TEST_MYSQL_URL): every requirement passes, and `npm run conformance` says so.
 */
let shards: ConformanceShards;
let dir: string;

beforeAll(async () => {
  shards = await startConformanceShards();
  dir = mkdtempSync(join(tmpdir(), 'conformance-'));
});
afterAll(async () => {
  await shards?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const failed = (outcomes: Outcome[]) =>
  outcomes
    .filter((o) => o.status === 'fail')
    .map((o) => `${o.id}: ${o.message}\n${JSON.stringify(o.exchanges, null, 1)}`);

test.each<[string, ShardKind]>([
  ['qualifications', 'qualifications'],
  ['mobilities', 'mobilities'],
  ['recognition', 'recognition'],
])('the reference %s shard passes every requirement, writes included', async (name, kind) => {
  const outcomes = await runRequirements(
    { kind, url: shards.urls[kind], institution: shards.institution, hopKey: shards.hopKeys.key, write: true },
    requirementsFor(kind, shards.institution),
  );
  expect(failed(outcomes)).toEqual([]);
  expect(outcomes.filter((o) => o.status === 'skip')).toEqual([]);
  expect(outcomes.length).toBeGreaterThan(name === 'qualifications' ? 15 : 8);
});

test('the school system shard passes every requirement; the write checks are skipped because it refuses writes', async () => {
  const outcomes = await runRequirements(
    {
      kind: 'qualifications',
      url: shards.urls['school-system'],
      institution: shards.schoolInstitution,
      hopKey: shards.hopKeys.key,
      write: true,
    },
    requirementsFor('qualifications', shards.schoolInstitution),
  );
  expect(failed(outcomes)).toEqual([]);
  expect(outcomes.filter((o) => o.status === 'skip').map((o) => [o.id, o.message])).toEqual([
    ['change-tags', expect.stringContaining('refuses writes through the hub (FORBIDDEN)')],
    ['idempotency', expect.stringContaining('refuses writes through the hub (FORBIDDEN)')],
  ]);
});

test('npm run conformance prints each requirement, writes a JUnit report and exits 0 on a conforming shard', async () => {
  const keyFile = join(dir, 'hop.pem');
  writeFileSync(keyFile, shards.hopKeys.privateKeyPem);
  const report = join(dir, 'school.xml');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'dist', 'scripts', 'conformance', 'cli.js'),
      ...['--kind', 'qualifications', '--url', shards.urls['school-system'], '--institution', shards.schoolInstitution],
      ...['--hop-key', keyFile, '--report', report],
    ],
    { cwd: ROOT },
  );
  expect(stdout).toContain('PASS entities-order: _entities answers one entry per representation');
  expect(stdout).toContain('SKIP change-tags');
  expect(stdout).toMatch(/\d+ passed, 0 failed, 2 skipped/);
  const xml = readFileSync(report, 'utf8');
  expect(xml).toContain('<testsuite name="conformance.qualifications.cfp-esempio.it"');
  expect(xml).toContain('failures="0"');
  expect(xml).toContain('classname="conformance.qualifications.cfp-esempio.it.paging-cursor"');
});
