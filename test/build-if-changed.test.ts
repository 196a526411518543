import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness/hub';

/**
 * `npm run token`, `npm start` and the other scripts compile first through scripts/build-if-changed.js: only when
 * a source or a build setting is newer than the last build. Tried on a small project of its own, with the real
 * TypeScript compiler.
 */
let dir: string;
const run = () => promisify(execFile)(process.execPath, [join(dir, 'scripts', 'build-if-changed.js')], { cwd: dir });
const stamp = () => statSync(join(dir, 'dist', '.build-stamp')).mtimeMs;
const output = () => join(dir, 'dist', 'gateway', 'answer.js');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hub-build-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'gateway'));
  copyFileSync(join(ROOT, 'scripts', 'build-if-changed.js'), join(dir, 'scripts', 'build-if-changed.js'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        outDir: 'dist',
        rootDir: '.',
        incremental: true,
        tsBuildInfoFile: 'dist/.tsbuildinfo',
        types: [],
      },
      include: ['gateway'],
    }),
  );
  writeFileSync(join(dir, 'gateway', 'answer.ts'), 'export const answer: number = 41;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a type check alone (tsc --noEmit, which writes the build info) does not pass for a build', async () => {
  await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', dir], {
    cwd: dir,
  });
  await run();
  expect(readFileSync(output(), 'utf8')).toContain('exports.answer = 41;');
}, 120_000);

test('builds when there is no build, then not again until a source changes', async () => {
  await run();
  expect(statSync(output()).isFile()).toBe(true);
  const built = stamp();

  // Nothing changed: no compiler run, the stamp stays.
  await run();
  expect(stamp()).toBe(built);

  // A changed source (newer than the stamp) is compiled.
  writeFileSync(join(dir, 'gateway', 'answer.ts'), 'export const answer: number = 42;\n');
  const later = new Date(built + 2_000);
  utimesSync(join(dir, 'gateway', 'answer.ts'), later, later);
  await run();
  expect(stamp()).toBeGreaterThan(built);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the module the script just compiled
  expect(require(output())).toEqual({ answer: 42 });
}, 120_000);

test("a compile error stops the script with the compiler's exit code and output", async () => {
  writeFileSync(join(dir, 'gateway', 'answer.ts'), 'export const answer: number = "forty-two";\n');
  const later = new Date(stamp() + 4_000);
  utimesSync(join(dir, 'gateway', 'answer.ts'), later, later);
  await expect(run()).rejects.toMatchObject({
    code: 2,
    stdout: expect.stringContaining("Type 'string' is not assignable to type 'number'"),
  });
}, 120_000);
