import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirementsFor, runRequirements } from '../scripts/conformance';
import {
  startConformanceShards,
  startViolatingProxy,
  type ConformanceShards,
  type PlantedViolation,
} from './harness/conformance';
import { ROOT } from './harness/hub';

/**
 * A copy of a conforming shard with one contract violation planted in front of it: the kit fails exactly the
 * requirements it breaks, each with a message that says what was expected and what came.
 */
let shards: ConformanceShards;

beforeAll(async () => {
  shards = await startConformanceShards();
});
afterAll(() => shards?.dispose());

const PLANTED: Array<[PlantedViolation, Record<string, RegExp>]> = [
  [
    'entities-order',
    { 'entities-order': /entry 0 must be Unit .*got .*_entities must keep the representations' order/ },
  ],
  [
    'personal-without-hop',
    {
      'personal-needs-hop': /an unsigned qualificationsAuditTrail must be UNAUTHENTICATED or FORBIDDEN, got no error/,
      'writes-refused': /an unsigned updateUnit must be UNAUTHENTICATED or FORBIDDEN, got no error/,
    },
  ],
  [
    'missing-change-tag',
    {
      'cache-hints': /unit\(id: "rvt\.lv:[^"]+"\) must be tagged Unit:[^,]+, got \[/,
      'change-tags': /the write's extensions\.changes must name Unit:|the feed after \d+ must name Unit:/,
    },
  ],
  [
    'foreign-items',
    {
      'own-items':
        /units\(first: 100\): every node must be rvt\.lv's own \(its ID and its institution\), got rvt\.lv:[^ ]+ of institution "other-school\.example"/,
    },
  ],
  ['batch-unchecked', { 'hop-batches': /another shard's hop of the batch: expected HTTP 401, got 200/ }],
];

test.each(PLANTED)(
  'a shard with "%s" planted fails exactly the requirements it breaks',
  async (violation, expected) => {
    const proxy = await startViolatingProxy(shards.urls.qualifications, violation, {
      keys: shards.hopKeys,
      kind: 'qualifications',
      institution: shards.institution,
    });
    try {
      const outcomes = await runRequirements(
        {
          kind: 'qualifications',
          url: proxy.url,
          institution: shards.institution,
          hopKey: shards.hopKeys.key,
          write: true,
        },
        requirementsFor('qualifications', shards.institution),
      );
      const failures = outcomes.filter((o) => o.status === 'fail');
      expect(Object.fromEntries(failures.map((o) => [o.id, o.message]))).toEqual(
        Object.fromEntries(Object.entries(expected).map(([id, message]) => [id, expect.stringMatching(message)])),
      );
      // Each failure shows what was sent and what came back.
      for (const failure of failures) expect(failure.exchanges.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  },
);

test('npm run conformance exits 1 on a violation and reports it in the JUnit file with the exchange', async () => {
  const proxy = await startViolatingProxy(shards.urls.qualifications, 'entities-order', {
    keys: shards.hopKeys,
    kind: 'qualifications',
    institution: shards.institution,
  });
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    const report = join(dir, 'report.xml');
    const run = promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'dist', 'scripts', 'conformance', 'cli.js'),
        ...['--kind', 'qualifications', '--url', proxy.url, '--institution', shards.institution, '--report', report],
      ],
      { cwd: ROOT },
    );
    const failure = (await run.then(
      () => null,
      (error: unknown) => error,
    )) as { code?: number; stdout?: string } | null;
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('FAIL entities-order');
    expect(failure?.stdout).toMatch(/#1 sent: POST .*_entities/);
    const xml = readFileSync(report, 'utf8');
    expect(xml).toContain('failures="1"');
    expect(xml).toMatch(/<failure message="entry 0 must be Unit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await proxy.close();
  }
});
