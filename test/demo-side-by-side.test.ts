import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  distEntry,
  freePort,
  startGatewayProcess,
  startProcess,
  waitUntilUp,
  type ManagedProcess,
} from '../scripts/processes';
import { DEMO_TOKEN_SECRET } from '../scripts/demo-secret';
import { mintDemoToken } from '../scripts/token';
import { generateHopKeyPair } from '../platform/hop-keys';
import { postGraphQL, ROOT } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * Two `npm start`s with different PORT and DATA_DIR, as two developers on one machine would run them. Each
 * demo runs two schools' qualifications shards (the real launcher, a smaller registry): two full demos are 24
 * shard processes, too many for a shared 2-core machine, and the ports, data directories and identity checks
 * under test do not depend on how many shards there are.
 */
interface Demo {
  process: ManagedProcess;
  url: string;
  dataDir: string;
}

type Registry = { institutions: Array<{ code: string; shards: Record<string, string> }> };

const INSTITUTIONS = ['omnia.fi', 'rvt.lv'];
let dir: string;
let demos: Demo[] = [];
let stranger: (ManagedProcess & { url: string }) | undefined;

async function startDemo(name: string, registryPath: string): Promise<Demo> {
  const port = await freePort();
  const dataDir = join(dir, name);
  const demo = startProcess(`demo ${name}`, distEntry('scripts', 'demo.js'), {
    PORT: String(port),
    DATA_DIR: dataDir,
    REGISTRY_PATH: registryPath,
  });
  await waitUntilUp(demo, `http://127.0.0.1:${port}/health/ready`, 120_000);
  await waitFor(`demo ${name} prints its banner`, () => demo.output().includes('is running'), 30_000);
  return { process: demo, url: `http://127.0.0.1:${port}/graphql`, dataDir };
}

const registryOf = (demo: Demo) =>
  JSON.parse(readFileSync(join(demo.dataDir, 'registry.with-service-keys.json'), 'utf8')) as Registry;
const shardUrls = (registry: Registry) =>
  registry.institutions.flatMap((institution) => Object.values(institution.shards));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-demos-'));
  const registry = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as Registry;
  const small = {
    institutions: registry.institutions
      .filter((entry) => INSTITUTIONS.includes(entry.code))
      .map((entry) => ({ ...entry, shards: { qualifications: entry.shards.qualifications } })),
  };
  const registryPath = join(dir, 'registry.json');
  writeFileSync(registryPath, JSON.stringify(small));
  // One after the other: a port picked free for the second demo's gateway before the first demo's shards listen could
  // be handed to one of them by the OS meanwhile.
  demos = [await startDemo('first', registryPath)];
  demos.push(await startDemo('second', registryPath));
}, 180_000);
afterAll(async () => {
  await stranger?.stop();
  await Promise.all(demos.map((demo) => demo.process.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('each demo prints its own URL, and runs its shards on ports of its own, written in its data dir', () => {
  const [first, second] = demos as [Demo, Demo];
  expect(first.process.output()).toContain(`is running: ${first.url}`);
  expect(second.process.output()).toContain(`is running: ${second.url}`);
  const firstUrls = shardUrls(registryOf(first));
  const secondUrls = shardUrls(registryOf(second));
  expect(firstUrls).toHaveLength(2);
  expect(firstUrls.filter((url) => secondUrls.includes(url))).toEqual([]);
});

test('a write through each demo lands in its own shards', async () => {
  const token = await mintDemoToken({ institution: 'omnia.fi', roles: ['coordinator'] });
  const dates = ['2031-07-31', '2032-07-31'];
  for (const [index, demo] of demos.entries()) {
    const written = await postGraphQL(
      demo.url,
      `mutation { updateUnit(id: "omnia.fi:COOK-U1", input: { validUntil: "${dates[index]}" }) { validUntil } }`,
      undefined,
      token,
    );
    expect(written.body).toEqual({ data: { updateUnit: { validUntil: dates[index] } } });
  }
  for (const [index, demo] of demos.entries()) {
    const read = await postGraphQL(demo.url, '{ unit(id: "omnia.fi:COOK-U1") { validUntil } }');
    expect(read.body).toEqual({ data: { unit: { validUntil: dates[index] } } });
  }
});

test('a third demo on a data dir another demo holds stops at once, saying why', async () => {
  const third = startProcess('third demo', distEntry('scripts', 'demo.js'), {
    PORT: String(await freePort()),
    DATA_DIR: (demos[0] as Demo).dataDir,
    REGISTRY_PATH: join(dir, 'registry.json'),
  });
  const code = await new Promise((resolve) => third.child.once('exit', resolve));
  expect(code).toBe(1);
  expect(third.output()).toMatch(/is in use by another demo \(process \d+\): two demos must not share SQLite files/);
});

test("a gateway pointed at another hub's shards reports them as wrong shards, and calls to them fail fast naming the problem", async () => {
  // Another hub (its own hop key) whose registry names the first demo's shards: a second `npm run gateway` on the first demo's ports.
  const registryPath = join(dir, 'stranger-registry.json');
  writeFileSync(registryPath, JSON.stringify(registryOf(demos[0] as Demo)));
  const keys = await generateHopKeyPair();
  stranger = await startGatewayProcess(
    {
      REGISTRY_PATH: registryPath,
      SUPERGRAPH_PATH: join(ROOT, 'schema', 'supergraph.graphql'),
      HUB_HOP_PRIVATE_KEY: keys.privateKeyPem,
      HUB_DEMO_TOKEN_SECRET: DEMO_TOKEN_SECRET,
      LOG_LEVEL: 'error',
    },
    await freePort(),
  );
  // Readiness waits 500 ms at most for a shard's /health (down meanwhile): asked until it has Riga's answer.
  const readiness = new URL('/health/ready', stranger.url);
  let rvt: { institution: string; status: string; error?: string } | undefined;
  await waitFor(
    "readiness has Riga's shard's answer",
    async () => {
      const ready = (await (await fetch(readiness)).json()) as {
        shards: Array<{ institution: string; status: string; error?: string }>;
      };
      rvt = ready.shards.find((shard) => shard.institution === 'rvt.lv');
      return rvt?.status !== 'down';
    },
    10_000,
    () => rvt,
  );
  expect(rvt?.status).toBe('wrong shard');
  expect(rvt?.error).toMatch(
    /^http:\/\/127\.0\.0\.1:\d+\/graphql answers as qualifications@rvt\.lv trusting hop keys \[\S+…\], not this hub's key \[\S+…\]: is another hub's demo running on that port\?$/,
  );

  const token = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'] });
  const started = performance.now();
  const write = await postGraphQL(
    stranger.url,
    'mutation { updateUnit(id: "rvt.lv:WELD-U1", input: { validUntil: "2033-08-31" }) { validUntil } }',
    undefined,
    token,
  );
  expect(performance.now() - started).toBeLessThan(2_000);
  const error = write.body.errors?.[0];
  expect(error?.extensions).toMatchObject({
    code: 'SHARD_UNAVAILABLE',
    cause: 'wrong-shard',
    institution: 'rvt.lv',
    kind: 'qualifications',
  });
  expect(error?.message).toMatch(
    /^The qualifications shard of rvt\.lv is not the shard this hub was configured for \(.*answers as qualifications@rvt\.lv trusting hop keys .*another hub's demo running on that port\?\)/,
  );
  // The first demo's own gateway still reaches them.
  const own = await postGraphQL((demos[0] as Demo).url, '{ unit(id: "rvt.lv:WELD-U1") { id } }');
  expect(own.body).toEqual({ data: { unit: { id: 'rvt.lv:WELD-U1' } } });
});
