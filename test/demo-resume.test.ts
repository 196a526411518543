import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { distEntry, freePort, startProcess, waitUntilUp, type ManagedProcess } from '../scripts/processes';
import { mintDemoToken } from '../scripts/token';
import { agreementState, DEMO_AGREEMENT_STATES } from './harness/demo-mobilities';
import { postGraphQL } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * `npm start` stopped while it makes the demo mobilities through the hub: the next start on the same data directory
 * does not take the half-made data for finished ones, it makes them again, so that the README's examples, the
 * learners' records and the agency's overview show what a first start shows.
 */
let dir: string;
let dataDir: string;
let port: number;
let url: string;
let demo: ManagedProcess | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-demo-resume-'));
  dataDir = join(dir, 'data');
  port = await freePort();
  url = `http://127.0.0.1:${port}/graphql`;
});
afterAll(async () => {
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startDemo(): ManagedProcess {
  demo = startProcess('demo', distEntry('scripts', 'demo.js'), { PORT: String(port), DATA_DIR: dataDir });
  return demo;
}

async function untilRunning(started: ManagedProcess): Promise<void> {
  await waitUntilUp(started, `http://127.0.0.1:${port}/health/ready`, 150_000);
  await waitFor(
    'the demo prints its banner',
    () => {
      if (started.child.exitCode !== null) throw new Error(`The demo stopped:\n${started.output()}`);
      return started.output().includes('is running');
    },
    90_000,
  );
}

async function memoranda(): Promise<number> {
  const token = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'] });
  try {
    const answer = await postGraphQL(url, '{ memoranda { totalCount } }', undefined, token);
    return (answer.body.data?.memoranda as { totalCount: number } | undefined)?.totalCount ?? 0;
  } catch {
    // The gateway is not listening yet.
    return 0;
  }
}

/** What test/demo.test.ts finds after a first start: the class of six, the agreement in preparation, recognition. */
async function expectCompleteDemoMobilities(): Promise<void> {
  const cifp = await mintDemoToken({ institution: 'cifp-aviles.es', roles: ['coordinator'] });
  const agreements = await postGraphQL(
    url,
    '{ memoranda { totalCount } learningAgreements { nodes { id status transcript { totalEcvetPoints } } } }',
    undefined,
    cifp,
  );
  expect(agreements.body.errors).toBeUndefined();
  const data = agreements.body.data as {
    memoranda: { totalCount: number };
    learningAgreements: {
      nodes: Array<{ id: string; status: string; transcript: { totalEcvetPoints: number } | null }>;
    };
  };
  expect(data.memoranda.totalCount).toBe(1);
  expect(data.learningAgreements.nodes.map(agreementState).sort()).toEqual(DEMO_AGREEMENT_STATES);
  const rvt = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'] });
  const records = await postGraphQL(
    url,
    `{ anna: learnerRecord(learnerId: "rvt.lv:L-17") { qualifications { accumulatedEcvetPoints } certificates { code } }
       roberts: learnerRecord(learnerId: "rvt.lv:L-22") { decisions { decision } } }`,
    undefined,
    rvt,
  );
  expect(records.body.errors).toBeUndefined();
  const { anna, roberts } = records.body.data as {
    anna: { qualifications: Array<{ accumulatedEcvetPoints: number }>; certificates: Array<{ code: string }> };
    roberts: { decisions: Array<{ decision: string }> };
  };
  expect(anna.qualifications[0]?.accumulatedEcvetPoints).toBe(55);
  expect(anna.certificates).toHaveLength(1);
  expect(roberts.decisions.map((d) => d.decision)).toEqual(['RECOGNISED', 'RECOGNISED']);
}

test('Ctrl+C while the demo mobilities are being made: the next start removes the half-made ones and makes them again', async () => {
  const first = startDemo();
  const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
  // The memorandum is the first thing made; the class of six follows it, call by call.
  await waitFor(
    'the demo memorandum exists',
    async () => {
      if (first.child.exitCode !== null) throw new Error(`The demo stopped:\n${first.output()}`);
      return (await memoranda()) > 0;
    },
    150_000,
  );
  process.kill(-(first.child.pid as number), 'SIGINT');
  expect(await exited).toBe(130);
  expect(first.output()).not.toContain('Created the demo mobilities');

  const second = startDemo();
  await untilRunning(second);
  expect(second.output()).toContain(
    `Removed the demo mobilities an interrupted start had left half-made in ${dataDir}; making them again.`,
  );
  expect(second.output()).toContain('Created the demo mobilities');
  await expectCompleteDemoMobilities();
  await second.stop();
}, 400_000);

test('a data directory from before the launcher marked finished demo mobilities keeps them as they are', async () => {
  // What a data directory made in full by an earlier launcher lacks: the mark.
  rmSync(join(dataDir, 'demo-mobilities.made'));
  const third = startDemo();
  await untilRunning(third);
  expect(third.output()).not.toContain('Removed the demo mobilities');
  expect(third.output()).not.toContain('Created the demo mobilities');
  expect(existsSync(join(dataDir, 'demo-mobilities.made'))).toBe(true);
  expect(existsSync(join(dataDir, 'demo-mobilities.making'))).toBe(false);
  await expectCompleteDemoMobilities();
}, 300_000);

test("with DEMO_DATABASE_URL, half-made demo mobilities are the user's databases: the launcher refuses in one line", async () => {
  const otherDir = join(dir, 'mysql-data');
  mkdirSync(join(otherDir, 'rvt.lv'), { recursive: true });
  writeFileSync(join(otherDir, 'demo-mobilities.making'), 'interrupted');
  writeFileSync(join(otherDir, 'rvt.lv', 'mobilities.sqlite'), "not the demo's to remove here");
  const failure = await promisify(execFile)(process.execPath, [distEntry('scripts', 'demo.js')], {
    env: {
      ...process.env,
      PORT: String(await freePort()),
      DATA_DIR: otherDir,
      // Never reached: the launcher refuses before any shard connects.
      DEMO_DATABASE_URL: 'mysql://demo@127.0.0.1:1',
    },
    timeout: 60_000,
  }).then(
    () => {
      throw new Error('The demo started');
    },
    (error: unknown) => error as { code: number | null; stdout: string; stderr: string },
  );
  expect(failure.code).toBe(1);
  expect(failure.stdout).toBe('');
  expect(failure.stderr.trim().split('\n')).toEqual([
    `The demo mobilities in the databases of DEMO_DATABASE_URL were left half-made by an interrupted start (${join(otherDir, 'demo-mobilities.making')}); the demo deletes only its own SQLite files: drop the hub_mobilities_* and hub_recognition_* databases, remove ${join(otherDir, 'demo-mobilities.making')}, and start again`,
  ]);
  expect(existsSync(join(otherDir, 'rvt.lv', 'mobilities.sqlite'))).toBe(true);
  expect(existsSync(join(otherDir, 'demo.pid'))).toBe(false);
}, 60_000);
