import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateHopKeyPair, hopKeyResolver, type HopKeyPair } from '../platform/hop-keys';
import { makeMemberKeys } from '../scripts/member-keys';
import { checkMember } from '../scripts/member-add';
import { startSchoolSystemShard, type SchoolSystemShard } from '../subgraphs/school-system';
import { startViolatingProxy } from './harness/conformance';
import { testDatabases, type TestDatabases } from './harness/databases';
import { ROOT } from './harness/hub';

/**
 * `npm run member:add` admits a school only when its endpoints pass: the conformance kit, its token keys (JWKS
 * reachable, RS256/ES256 public keys) and the hub's hop key; otherwise the registry is left as it was.
 */
const SCHOOL = 'cfp-esempio.it';
let dir: string;
let hop: HopKeyPair;
let databases: TestDatabases;
let school: SchoolSystemShard;
let jwksServer: Server;
let jwksUrl: string;
let memberJwks: unknown;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'member-add-'));
  hop = await generateHopKeyPair();
  databases = testDatabases();
  school = await startSchoolSystemShard({
    institution: SCHOOL,
    databaseUrl: databases.url('member_school'),
    hopKeys: hopKeyResolver({ keys: hop.publicKeys }),
    hopKeyIds: [hop.key.kid],
    example: true,
  });
  memberJwks = (await makeMemberKeys({ institution: SCHOOL, keyFile: join(dir, 'member-key.json') })).jwks;
  // The school's identity provider, publishing its public keys.
  jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(memberJwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  writeFileSync(join(dir, 'hop.pem'), hop.privateKeyPem);
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer?.close(resolve));
  await school?.close();
  await databases?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (shardUrl: string, keys: Record<string, unknown> = { jwksUrl }) => ({
  code: SCHOOL,
  names: [{ lang: 'it', value: 'Centro di Formazione Professionale «Esempio» di Torino' }],
  country: 'IT',
  shards: { qualifications: shardUrl },
  ...keys,
});

function registryWithout(code: string): { institutions: Array<{ code: string }> } {
  const demo = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as {
    institutions: Array<{ code: string }>;
  };
  return { institutions: demo.institutions.filter((member) => member.code !== code) };
}

async function memberAdd(member: unknown): Promise<{ code: number; stdout: string; registry: string }> {
  const registryPath = join(dir, 'registry.json');
  writeFileSync(registryPath, JSON.stringify(registryWithout(SCHOOL), null, 2));
  writeFileSync(join(dir, 'entry.json'), JSON.stringify(member));
  const args = ['--registry', registryPath, '--entry', join(dir, 'entry.json'), '--hop-key', join(dir, 'hop.pem')];
  const result = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'dist', 'scripts', 'member-add.js'), ...args],
    { cwd: ROOT },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
  return { ...result, registry: readFileSync(registryPath, 'utf8') };
}

test('a school whose shard conforms, whose keys are reachable and which trusts the hub is added to the registry', async () => {
  const result = await memberAdd(entry(school.url));
  expect(result.stdout).toContain('PASS registry entry');
  expect(result.stdout).toContain(`PASS token keys: 1 public key(s), reachable at ${jwksUrl}`);
  expect(result.stdout).toContain(`PASS qualifications shard: hop key: trusts the hub's hop key ${hop.key.kid}`);
  expect(result.stdout).toMatch(/PASS qualifications shard: conformance: \d+ requirements passed/);
  expect(result.code).toBe(0);
  const added = (JSON.parse(result.registry) as { institutions: Array<{ code: string; jwksUrl?: string }> })
    .institutions;
  expect(added.find((member) => member.code === SCHOOL)).toMatchObject({
    jwksUrl,
    shards: { qualifications: school.url },
  });
});

test('a shard that breaks the contract keeps the school out, saying which requirement failed', async () => {
  const proxy = await startViolatingProxy(school.url, 'entities-order', {
    keys: hop,
    kind: 'qualifications',
    institution: SCHOOL,
  });
  try {
    const result = await memberAdd(entry(proxy.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL qualifications shard: conformance: 1 requirement\(s\) failed:\nFAIL entities-order/,
    );
    expect(result.stdout).toContain('was not added: the registry is unchanged');
    expect(result.registry).not.toContain(SCHOOL);
  } finally {
    await proxy.close();
  }
});

test('token keys of a shared-secret algorithm, a private key published, or a shard trusting another hub are refused', async () => {
  const secret = { keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256', kid: 'shared' }] };
  const withSecret = await checkMember(registryWithout(SCHOOL), entry(school.url, { jwks: secret }), hop.key);
  expect(withSecret.find((check) => check.name === 'token keys')).toMatchObject({
    ok: false,
    detail: expect.stringContaining('key shared carries private parts (k)') as unknown,
  });
  const privateKey = JSON.parse(readFileSync(join(dir, 'member-key.json'), 'utf8')) as Record<string, unknown>;
  const leaked = await checkMember(
    registryWithout(SCHOOL),
    entry(school.url, { jwks: { keys: [privateKey] } }),
    hop.key,
  );
  expect(leaked.find((check) => check.name === 'token keys')?.detail).toMatch(/carries private parts \(d\)/);
  const otherHub = await generateHopKeyPair();
  const untrusted = await checkMember(registryWithout(SCHOOL), entry(school.url), otherHub.key);
  expect(untrusted.find((check) => check.name === 'qualifications shard: hop key')).toMatchObject({
    ok: false,
    detail: `the shard trusts hop keys ${hop.key.kid}, not the hub's ${otherHub.key.kid}`,
  });
  expect(untrusted.find((check) => check.name === 'qualifications shard: conformance')?.ok).toBe(false);
});
