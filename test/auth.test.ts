import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { generateHopKeyPair } from '../platform/hop-keys';
import { postGraphQL, startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Tokens are checked at the gateway; shards trust only calls the gateway signed. */
let hub: TestHub;
let esKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  esKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'rvt-2026', alg: 'ES256', use: 'sig' };
  hub = await startTestHub({
    institutions: ['rvt.lv', 'omnia.fi'],
    shards: 'in-process',
    registryEntries: { 'rvt.lv': { issuer: 'https://idp.rvt.lv', jwks: { keys: [jwk] } } },
  });
});
afterAll(async () => hub?.dispose());

const unitId = () => seedUnits(['rvt.lv'])[0]?.id as string;
const RETITLE =
  'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Signed change" }] }) { title } }';

function institutionToken(
  claims: Record<string, unknown>,
  options: { issuer?: string; expires?: string | number } = {},
) {
  return new SignJWT({ institution: 'rvt.lv', roles: ['coordinator'], ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'rvt-2026' })
    .setIssuer(options.issuer ?? 'https://idp.rvt.lv')
    .setSubject('anna.berzina@rvt.lv')
    .setExpirationTime(options.expires ?? '10m')
    .sign(esKey);
}

test("an institution's own ES256 token, checked against its registered keys, lets its coordinator write", async () => {
  const answer = await hub.request(RETITLE, { id: unitId() }, await institutionToken({}));
  expect(answer.body).toEqual({ data: { updateUnit: { title: 'Signed change' } } });
});

test('bad tokens are refused with UNAUTHENTICATED and a reason', async () => {
  const wrongSecret = new SignJWT({ institution: 'rvt.lv', roles: ['coordinator'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('ecvet-hub-demo')
    .setSubject('x')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode('not-the-secret-of-this-hub'));
  const cases: Array<[string, Promise<string> | string, RegExp]> = [
    ['expired', institutionToken({}, { expires: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['wrong issuer', institutionToken({}, { issuer: 'https://evil.example' }), /iss/],
    ['unknown institution', institutionToken({ institution: 'nowhere.example' }), /nowhere\.example/],
    ['bad signature', wrongSecret, /signature/],
    ['bad role', hub.token('rvt.lv', ['principal']), /roles/],
    ['not a JWT', 'abc.def', /well-formed/],
  ];
  for (const [name, token, reason] of cases) {
    const answer = await hub.request('{ institutions { id } }', undefined, await token);
    expect({ name, status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({
      name,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(answer.body.errors?.[0]?.message).toMatch(reason);
  }
});

describe('calling a shard directly', () => {
  const shardUrl = () => hub.shards.get('rvt.lv')?.url as string;
  const caller = { institution: 'rvt.lv', roles: ['coordinator' as const], learnerId: null, subject: 'mallory' };
  const send = (
    headers: Record<string, string>,
    query = RETITLE,
    variables: Record<string, unknown> = { id: unitId() },
  ) =>
    fetch(shardUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    }).then(
      async (r) =>
        (await r.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> },
    );

  test('gives public data without a signature, and nothing more', async () => {
    const read = await postGraphQL(shardUrl(), `{ unit(id: "${unitId()}") { id } }`);
    expect(read.body.data).toEqual({ unit: { id: unitId() } });
    const write = await send({});
    expect(write.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('refuses forged, stale, tampered and replayed signed calls', async () => {
    const operation = { query: RETITLE, variables: { id: unitId() } };
    const forged = await hub.signHop({
      institution: 'rvt.lv',
      caller,
      operation,
      key: (await generateHopKeyPair()).key,
    });
    const stale = await hub.signHop({ institution: 'rvt.lv', caller, operation, now: Date.now() - 120_000 });
    const other = await hub.signHop({
      institution: 'rvt.lv',
      caller,
      operation: { query: '{ institutions { id } }', variables: null },
    });
    for (const [headers, reason] of [
      [forged, /unknown key id/],
      [stale, /expired/],
      [other, /another operation/],
    ] as const) {
      const answer = await send(headers);
      expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(answer.errors?.[0]?.message).toMatch(reason);
    }
    const genuine = await hub.signHop({ institution: 'rvt.lv', caller, operation });
    expect((await send(genuine)).errors).toBeUndefined();
    const replay = await send(genuine);
    expect(replay.errors?.[0]?.message).toMatch(/replayed/);
  });
});
