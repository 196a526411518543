import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { copiesOf, dockerfileInstructions, globMatches, stagesOf, type Stage } from './harness/dockerfile';

/**
 * The image's build stage, replayed outside Docker: a temporary directory receives exactly what the Dockerfile
 * copies from the build context, in its order, and runs the stage's npm commands as written (npm ci, the build,
 * the prune). What passes here builds in `docker build`; a source the build needs but the Dockerfile does not
 * copy (a test helper, a fixture) fails here first. The system toolchain step (apt-get) is the machine's own.
 */
const root = join(__dirname, '..');
const run = promisify(execFile);

const stages = stagesOf(dockerfileInstructions(readFileSync(join(root, 'Dockerfile'), 'utf8')));
const buildStage = stages[0] as Stage;
const runtimeStage = stages.at(-1) as Stage;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hub-image-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The path inside the temporary directory that stands for an absolute path of the build stage. */
const local = (imagePath: string): string => join(dir, posix.relative(buildStage.workdir, imagePath));

/** Files and folders under the temporary directory (node_modules left out) whose path matches a COPY-style glob. */
function matching(pattern: string): string[] {
  const parts = pattern.split('/');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => !path.startsWith('node_modules/'))
    .filter((path) => {
      const segments = path.split('/');
      return segments.length === parts.length && segments.every((segment, i) => globMatches(parts[i] ?? '', segment));
    });
}

test('the build stage runs: npm ci, the build and the prune on exactly what it copies', async () => {
  let copyIndex = 0;
  const copies = copiesOf(buildStage);
  for (const instruction of buildStage.instructions) {
    if (instruction.keyword === 'COPY') {
      const copy = copies[copyIndex++];
      if (!copy || copy.from !== undefined)
        throw new Error(`The build stage copies from another stage: ${instruction.args}`);
      const destination = local(copy.destination);
      for (const source of copy.sources) {
        const target =
          copy.sources.length > 1 || copy.destination.endsWith('/')
            ? join(destination, posix.basename(source))
            : destination;
        cpSync(join(root, source), target, { recursive: true });
      }
    }
    if (instruction.keyword === 'RUN' && !/^apt-get\b/.test(instruction.args)) {
      await run('sh', ['-c', instruction.args], {
        cwd: dir,
        env: { ...process.env, NODE_ENV: undefined },
        maxBuffer: 64 * 1024 * 1024,
      });
    }
  }
  for (const entry of [
    'gateway/main.js',
    'subgraphs/qualifications/main.js',
    'subgraphs/mobilities/main.js',
    'subgraphs/recognition/main.js',
  ]) {
    expect(existsSync(join(dir, 'dist', entry))).toBe(true);
  }
  // Tests and their fixtures stay out of the image.
  expect(
    (readdirSync(join(dir, 'dist'), { recursive: true }) as string[]).filter((path) =>
      /\.(test|fixture)\.js$/.test(path),
    ),
  ).toEqual([]);
  expect(existsSync(join(dir, 'dist', 'test'))).toBe(false);
  // Pruned: no test runner in the runtime's node_modules.
  expect(readdirSync(join(dir, 'node_modules'))).not.toContain('jest');
}, 900_000);

test('what the runtime stage takes from the build stage is there, and its code loads on production dependencies alone', async () => {
  for (const copy of copiesOf(runtimeStage).filter((c) => c.from === buildStage.name)) {
    for (const source of copy.sources) {
      const path = posix.relative(buildStage.workdir, posix.resolve(buildStage.workdir, source));
      expect({
        source,
        found: path === 'node_modules' ? existsSync(join(dir, path)) : matching(path).length > 0,
      }).toEqual({ source, found: true });
    }
  }
  const modules = [
    './dist/gateway/index.js',
    './dist/subgraphs/qualifications/index.js',
    './dist/subgraphs/mobilities/index.js',
    './dist/subgraphs/recognition/index.js',
  ];
  const { stdout } = await run(
    process.execPath,
    ['-e', `${modules.map((m) => `require(${JSON.stringify(m)});`).join('')} console.log('loaded')`],
    {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  expect(stdout.trim()).toBe('loaded');
}, 120_000);
