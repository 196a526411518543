import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/**
 * The key set-up README "Running in production" documents for the compose hub, end to end: a member makes its key
 * pair, the operator puts the printed issuer and JWKS in the registry, a user signs a token with the member's key,
 * and a gateway that accepts no demo tokens lets that user write.
 */
const run = promisify(execFile);
const script = (name: string, ...args: string[]) =>
  run(process.execPath, [join(ROOT, 'dist', 'scripts', `${name}.js`), ...args], { cwd: ROOT });
const directory = mkdtempSync(join(tmpdir(), 'member-keys-'));
const keyFile = join(directory, 'rvt.lv.member-key.json');
let hub: TestHub;

beforeAll(async () => {
  const { stdout } = await script('member-keys', 'rvt.lv', '--out', keyFile);
  hub = await startTestHub({
    institutions: ['rvt.lv', 'omnia.fi'],
    shards: 'in-process',
    registryEntries: { 'rvt.lv': JSON.parse(stdout) as Record<string, unknown> },
    gateway: { demoTokenSecret: null },
  });
});
afterAll(async () => {
  await hub?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

const RETITLE =
  'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Signed by the member" }] }) { title } }';
const unitId = () => seedUnits(['rvt.lv'])[0]?.id as string;
const token = async (...args: string[]) =>
  (await script('token', '--institution', 'rvt.lv', '--role', 'coordinator', ...args)).stdout.trim();

test("a coordinator writes with a token signed by the member's key from npm run member-keys", async () => {
  const answer = await hub.request(
    RETITLE,
    { id: unitId() },
    await token('--key', keyFile, '--issuer', 'https://rvt.lv', '--subject', 'anna.berzina'),
  );
  expect(answer.body).toEqual({ data: { updateUnit: { title: 'Signed by the member' } } });
});

test('without the demo override, demo tokens are refused with the reason', async () => {
  const answer = await hub.request(RETITLE, { id: unitId() }, await token());
  expect(answer.status).toBe(401);
  expect(answer.body.errors?.[0]).toMatchObject({
    message: expect.stringMatching(
      /^HS256 demo tokens are not accepted by this hub: it was started without HUB_DEMO_TOKEN_SECRET/,
    ),
    extensions: { code: 'UNAUTHENTICATED' },
  });
});
