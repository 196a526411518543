import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness/hub';

/**
 * `npm run deps:check` enforces the layout of DESIGN §7 (.dependency-cruiser.cjs). It passes on the project as it
 * is, and fails, naming the rule and the import, on a copy of the project with one forbidden import planted per rule.
 */
const SOURCES = ['platform', 'gateway', 'subgraphs', 'schema', 'scripts', 'test', 'bench'];
const depsCheck = (cwd: string) => promisify(execFile)('npm', ['run', '-s', 'deps:check'], { cwd });

/** Each rule, and a file planted to break it with one import. */
const PLANTED: { rule: string; file: string; imports: string }[] = [
  { rule: 'gateway-not-to-subgraphs', file: 'gateway/planted.ts', imports: '../subgraphs/shared/database' },
  { rule: 'platform-not-to-gateway-or-subgraphs', file: 'platform/planted.ts', imports: '../gateway/main' },
  { rule: 'subgraphs-not-to-gateway', file: 'subgraphs/shared/planted.ts', imports: '../../gateway/main' },
  { rule: 'kind-not-to-other-kind', file: 'subgraphs/mobilities/planted.ts', imports: '../recognition/index' },
  { rule: 'shared-not-to-kind', file: 'subgraphs/shared/planted-kind.ts', imports: '../mobilities/index' },
  {
    rule: 'school-system-stands-alone',
    file: 'subgraphs/school-system/planted.ts',
    imports: '../qualifications/index',
  },
  { rule: 'schema-not-to-implementation', file: 'schema/planted.ts', imports: '../platform/logger' },
  {
    rule: 'production-not-to-test',
    file: 'subgraphs/shared/planted-harness.ts',
    imports: '../../test/harness/databases',
  },
];

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'hub-layout-'));
  for (const dir of SOURCES) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', '.dependency-cruiser.cjs']) {
    copyFileSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

test('the project keeps every layout rule', async () => {
  await expect(depsCheck(ROOT)).resolves.toMatchObject({ stdout: expect.stringContaining('no dependency violations') });
}, 120_000);

test('a forbidden import fails the check, which names the rule and the import', async () => {
  for (const { file, imports } of PLANTED) {
    // A planted import must reach a real module, or the check would have nothing to judge.
    expect(existsSync(join(copy, dirname(file), `${imports}.ts`))).toBe(true);
    writeFileSync(join(copy, file), `import '${imports}';\n`);
  }
  const failure: unknown = await depsCheck(copy).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ code: PLANTED.length });
  const { stdout } = failure as { stdout: string };
  for (const { rule, file } of PLANTED) expect(stdout).toContain(`error ${rule}: ${file} → `);
}, 120_000);
