import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, SignJWT, type JSONWebKeySet } from 'jose';
import { Registry } from '../../gateway/registry/registry';
import { readSeed, startQualificationsShard, type QualificationsShard } from '../../subgraphs/qualifications';
import type { Caller } from '../../platform/caller';
import { generateHopKeyPair, hopKeyResolver, type HopKeyPair } from '../../platform/hop-keys';
import { HOP_KEYS_PATH } from '../../platform/jwks-route';
import {
  HOP_HEADERS,
  HOP_TOKEN_TYPE,
  hopAudience,
  serviceIssuer,
  signHop,
  type HopOperation,
} from '../../platform/signed-hop';
import { startCatalogueGateway, startReadGate } from '../harness/catalogue';
import { testDatabases } from '../harness/databases';
import { seedFileOf, startTestHub, type TestHub } from '../harness/hub';
import { waitFor } from '../harness/wait';
import { seedUnits } from '../seeds';

/**
 * Direct calls to shards, as a member running its own shard (or anyone who captured a hop) would make them. Only
 * the hub's private key signs hops; shards hold public keys only. Every refusal is 401 UNAUTHENTICATED with the
 * reason, writes nothing (unit and audit trail unchanged), and answers no data (no audit subject leaks).
 */
let hub: TestHub;
const databases = testDatabases();
beforeAll(async () => {
  // No entity cache: the before/after reads must see the shard itself, not a cache a direct write has yet to reach.
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], mobilities: true, gateway: { entityCache: false } });
});
afterAll(async () => {
  await hub?.dispose();
  await databases.dispose();
});

const unitId = () => seedUnits(['rvt.lv'])[0]?.id as string;
const RETITLE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';
const TRAIL =
  'query($institution: ID!) { qualificationsAuditTrail(institution: $institution, first: 100) { totalCount nodes { subject action entityId } } }';
const retitle = (title: string): HopOperation => ({ query: RETITLE, variables: { id: unitId(), title } });
const coordinator = (institution: string): Caller => ({
  institution,
  roles: ['coordinator'],
  learnerId: null,
  subject: `mallory@${institution}`,
});
const shardUrl = (code = 'rvt.lv') => hub.shards.get(code)?.url as string;

interface Answer {
  status: number;
  cacheControl: string | null;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function direct(url: string, headers: Record<string, string>, operation: HopOperation): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(operation),
  });
  const text = await response.text();
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    text,
    body: JSON.parse(text) as Answer['body'],
  };
}

/** The unit and rvt.lv's audit trail, read through the hub as its coordinator. */
async function state(): Promise<unknown> {
  const token = await hub.token('rvt.lv', ['coordinator']);
  const unit = await hub.request('query($id: ID!) { unit(id: $id) { title } }', { id: unitId() }, token);
  const trail = await hub.request(TRAIL, { institution: 'rvt.lv' }, token);
  return { unit: unit.body.data, trail: trail.body.data };
}

/** A refused hop: 401, UNAUTHENTICATED with the reason, no data, and nothing written. */
async function expectRefused(send: () => Promise<Answer>, reason: RegExp): Promise<void> {
  const before = await state();
  const answer = await send();
  expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({
    status: 401,
    code: 'UNAUTHENTICATED',
  });
  expect(answer.body.errors?.[0]?.message).toMatch(reason);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.text).not.toMatch(/Forged|"subject"|mallory@/);
  expect(await state()).toEqual(before);
}

/** A forged write and a forged audit-trail read, each signed by `sign`. */
async function expectBothRefused(
  sign: (operation: HopOperation) => Promise<Record<string, string>>,
  reason: RegExp,
  url = shardUrl(),
): Promise<void> {
  const write = retitle('Forged title');
  await expectRefused(async () => direct(url, await sign(write), write), reason);
  const read = { query: TRAIL, variables: { institution: 'rvt.lv' } };
  await expectRefused(async () => direct(url, await sign(read), read), reason);
}

test('an unsigned call gets public data only: a write or the audit trail is UNAUTHENTICATED and nothing changes', async () => {
  const unit = await direct(
    shardUrl(),
    {},
    { query: 'query($id: ID!) { unit(id: $id) { id } }', variables: { id: unitId() } },
  );
  expect(unit.body.data).toEqual({ unit: { id: unitId() } });
  const before = await state();
  const write = await direct(shardUrl(), {}, retitle('Forged title'));
  expect(write.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const trail = await direct(shardUrl(), {}, { query: TRAIL, variables: { institution: 'rvt.lv' } });
  expect(trail.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(trail.text).not.toMatch(/"subject"/);
  expect(await state()).toEqual(before);
});

test("no HTTP cache on the way may keep a shard's answer: Cache-Control no-store, signed or not, refused or not", async () => {
  const read = { query: TRAIL, variables: { institution: 'rvt.lv' } };
  const signed = await direct(
    shardUrl(),
    await hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation: read }),
    read,
  );
  expect(signed.body.errors).toBeUndefined();
  const unsigned = await direct(shardUrl(), {}, { query: '{ units(first: 1) { nodes { id } } }' });
  expect(unsigned.body.errors).toBeUndefined();
  const refused = await direct(shardUrl(), {}, read);
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect([signed.cacheControl, unsigned.cacheControl, refused.cacheControl]).toEqual([
    'no-store',
    'no-store',
    'no-store',
  ]);
});

test('an HS256 hop made with a guessed secret is refused', async () => {
  const forge = async () => {
    const token = await new SignJWT({ caller: coordinator('rvt.lv'), op: 'guessed', rid: 'r' })
      .setProtectedHeader({ alg: 'HS256', kid: hub.hopKeys.key.kid, typ: HOP_TOKEN_TYPE })
      .setIssuer('hub')
      .setAudience(hopAudience('qualifications', 'rvt.lv'))
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(new TextEncoder().encode('hub-hop-secret-guess'));
    return { [HOP_HEADERS.hop]: token };
  };
  await expectBothRefused(forge, /not signed with EdDSA/);
});

test("a hop signed with a member's own key is refused, whichever key id it claims", async () => {
  const member = await generateHopKeyPair();
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, key: member.key }),
    /unknown key id/,
  );
  const spoofed = { ...member.key, kid: hub.hopKeys.key.kid };
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, key: spoofed }),
    /signature does not verify/,
  );
});

test('a hop signed with an unknown key id is refused', async () => {
  const unknown = { ...hub.hopKeys.key, kid: 'next-year-key' };
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, key: unknown }),
    /unknown key id/,
  );
});

test("a hop addressed to another institution's shard, or to another kind, is refused", async () => {
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'omnia.fi', caller: coordinator('rvt.lv'), operation }),
    /addressed to another service: this one is qualifications@rvt.lv/,
  );
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'rvt.lv', kind: 'mobilities', caller: coordinator('rvt.lv'), operation }),
    /addressed to another service: this one is qualifications@rvt.lv/,
  );
});

test('an expired hop, and one issued in the future, are refused', async () => {
  await expectBothRefused(
    (operation) =>
      hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, now: Date.now() - 60_000 }),
    /expired/,
  );
  await expectBothRefused(
    (operation) =>
      hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, now: Date.now() + 60_000 }),
    /issued in the future/,
  );
  await expectBothRefused(
    (operation) => hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation, ttlSeconds: 3_600 }),
    /valid for more than 30 s/,
  );
});

test('a captured hop is refused when replayed at the same shard, and at another shard', async () => {
  const write = retitle('Written once');
  const headers = await hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation: write });
  const first = await direct(shardUrl(), headers, write);
  expect(first.body.data).toEqual({ updateUnit: { id: unitId(), title: 'Written once' } });
  await expectRefused(() => direct(shardUrl(), headers, write), /replayed hop: its nonce was used already/);
  const omnia = { query: RETITLE, variables: { id: seedUnits(['omnia.fi'])[0]?.id, title: 'Forged title' } };
  const captured = await hub.signHop({ institution: 'rvt.lv', caller: coordinator('omnia.fi'), operation: omnia });
  await expectRefused(
    () => direct(shardUrl('omnia.fi'), captured, omnia),
    /addressed to another service: this one is qualifications@omnia.fi/,
  );
});

test("a fan-out's hops share one signature; a member's shard cannot use its own at another member's", async () => {
  // A gateway of its own, catalogue off (units fan out), each shard behind a gate that records what it is sent.
  const gates = await Promise.all(['rvt.lv', 'omnia.fi'].map((code) => startReadGate(shardUrl(code))));
  const gateOf = new Map(['rvt.lv', 'omnia.fi'].map((code, i) => [code, gates[i]?.url as string]));
  const registry = new Registry(
    hub.gateway.registry.institutions.map((entry) => {
      const url = gateOf.get(entry.code);
      return url ? { ...entry, shards: { ...entry.shards, qualifications: url } } : entry;
    }),
  );
  const gateway = await startCatalogueGateway(hub, false, registry);
  try {
    const token = await hub.token('rvt.lv', ['coordinator']);
    const units = async () => {
      const answer = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ units(filter: { eqfLevel: 4 }, first: 5) { totalCount nodes { id } } }' }),
      });
      const body = (await answer.json()) as { data?: { units?: { totalCount: number } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.units?.totalCount).toBeGreaterThan(0);
    };
    // The gateway asks each shard's /health (who it is, which hops it takes) as it starts; once the answers are in
    // (readiness waits for them), its first fan-out is one batch.
    await waitFor('both shards are asked who they are', () =>
      gates.every((gate) => gate.calls.includes('GET /health')),
    );
    await fetch(new URL('/health/ready', gateway.url));
    await units();
    const [rvt, omnia] = gates.map((gate) => gate.posts.findLast((post) => post.body.includes('units')));
    if (!rvt?.hop || !omnia?.hop) throw new Error('the fan-out reached both shards with a hop');
    // Each got its own hop (signed root, hop, proof) under the same signed root.
    const [rootA, leafA = '', proofA] = rvt.hop.split('~');
    const [rootB] = omnia.hop.split('~');
    expect(rvt.hop.split('~')).toHaveLength(3);
    expect(rootA).toBe(rootB);
    const claims = JSON.parse(Buffer.from(leafA, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: 'qualifications@rvt.lv', caller: { institution: 'rvt.lv' } });
    const operation = JSON.parse(rvt.body) as HopOperation;
    // rvt.lv's shard replays its hop at omnia.fi's, as is, and made over for omnia.fi with its own proof.
    await expectRefused(
      () => direct(shardUrl('omnia.fi'), { [HOP_HEADERS.hop]: rvt.hop as string }, operation),
      /addressed to another service: this one is qualifications@omnia.fi/,
    );
    const forged = Buffer.from(JSON.stringify({ ...claims, aud: 'qualifications@omnia.fi' })).toString('base64url');
    await expectRefused(
      () => direct(shardUrl('omnia.fi'), { [HOP_HEADERS.hop]: `${rootA}~${forged}~${proofA}` }, operation),
      /proof does not lead to the root the hub signed/,
    );
    // At its own shard, the hop was used once already.
    await expectRefused(
      () => direct(shardUrl('rvt.lv'), { [HOP_HEADERS.hop]: rvt.hop as string }, operation),
      /replayed hop/,
    );
  } finally {
    await gateway.close();
    await Promise.all(gates.map((gate) => gate.close()));
  }
});

test('a hop whose body was tampered with is refused', async () => {
  const signed = retitle('What the hub signed');
  const headers = await hub.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation: signed });
  await expectRefused(() => direct(shardUrl(), headers, retitle('Forged title')), /signed for another operation/);
  const trail = await hub.signHop({
    institution: 'rvt.lv',
    caller: null,
    operation: { query: TRAIL, variables: { institution: 'rvt.lv' } },
  });
  await expectRefused(
    () => direct(shardUrl(), trail, { query: TRAIL, variables: { institution: 'omnia.fi' } }),
    /signed for another operation/,
  );
});

test("a shard's service call to the hub must be signed with that very shard's key from the registry", async () => {
  const query = '{ institutions { id } }';
  const member = await generateHopKeyPair();
  const asService = async (issuer: string, key = member.key) =>
    fetch(hub.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await signHop({
          key,
          issuer,
          audience: 'hub',
          caller: { institution: 'rvt.lv', roles: ['viewer'], learnerId: null, subject: issuer },
          requestId: 'r',
          operation: { query, variables: {} },
        })),
      },
      body: JSON.stringify({ query, variables: {} }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as Answer['body'] }));
  for (const [answer, reason] of [
    [await asService(serviceIssuer('mobilities', 'rvt.lv')), /unknown key id/],
    [await asService(serviceIssuer('mobilities', 'rvt.lv'), hub.hopKeys.key), /unknown key id/],
    [
      await asService(serviceIssuer('mobilities', 'unknown.example')),
      /No mobilities shard of unknown.example has service keys/,
    ],
    [await asService(serviceIssuer('qualifications', 'rvt.lv')), /No qualifications shard of rvt.lv has service keys/],
  ] as const) {
    expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(answer.body.errors?.[0]?.message).toMatch(reason);
    expect(answer.body.data ?? null).toBeNull();
  }
});

describe('key rotation', () => {
  let shard: QualificationsShard | null = null;
  let next: HopKeyPair;
  const databaseUrl = () => databases.url('rotation_qualifications');
  const start = async (keys: JSONWebKeySet) => {
    shard = await startQualificationsShard({
      institution: 'rvt.lv',
      databaseUrl: databaseUrl(),
      hopKeys: createLocalJWKSet(keys),
      seed: readSeed(seedFileOf('rvt.lv')),
    });
    return shard;
  };
  beforeAll(async () => {
    next = await generateHopKeyPair();
  });
  afterEach(async () => {
    await shard?.close();
    shard = null;
  });
  const read = { query: TRAIL, variables: { institution: 'rvt.lv' } };
  const signedWith = (key: HopKeyPair) =>
    signHop({
      key: key.key,
      audience: hopAudience('qualifications', 'rvt.lv'),
      caller: coordinator('rvt.lv'),
      requestId: 'rotation',
      operation: read,
    });

  test('during a rollover the old and the new key are both accepted; after it, the old one is refused', async () => {
    const during = await start({ keys: [...hub.hopKeys.publicKeys.keys, ...next.publicKeys.keys] });
    for (const key of [hub.hopKeys, next])
      expect((await direct(during.url, await signedWith(key), read)).body.errors).toBeUndefined();
    await during.close();
    const after = await start(next.publicKeys);
    expect((await direct(after.url, await signedWith(next), read)).body.errors).toBeUndefined();
    const old = await direct(after.url, await signedWith(hub.hopKeys), read);
    expect({ status: old.status, code: old.body.errors?.[0]?.extensions?.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(old.body.errors?.[0]?.message).toMatch(/unknown key id/);
  });
});

describe('the JWKS URL', () => {
  let jwksServer: Server;
  let published: JSONWebKeySet;
  let fetches = 0;
  let shard: QualificationsShard;
  let next: HopKeyPair;
  const read = { query: TRAIL, variables: { institution: 'rvt.lv' } };
  const signedWith = (key: HopKeyPair['key']) =>
    signHop({
      key,
      audience: hopAudience('qualifications', 'rvt.lv'),
      caller: coordinator('rvt.lv'),
      requestId: 'jwks',
      operation: read,
    });
  beforeAll(async () => {
    next = await generateHopKeyPair();
    published = hub.hopKeys.publicKeys;
    jwksServer = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(published));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}${HOP_KEYS_PATH}`;
    shard = await startQualificationsShard({
      institution: 'rvt.lv',
      databaseUrl: databases.url('jwks_qualifications'),
      hopKeys: hopKeyResolver({ jwksUrl, cacheSeconds: 2, cooldownSeconds: 1 }),
      seed: readSeed(seedFileOf('rvt.lv')),
    });
  });
  afterAll(async () => {
    await shard?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  test('the gateway publishes the public halves of its signing and rollover keys', async () => {
    const response = await fetch(new URL(HOP_KEYS_PATH, hub.url));
    const body = (await response.json()) as JSONWebKeySet;
    expect(body.keys.map((key) => key.kid)).toEqual([hub.hopKeys.key.kid]);
    expect(JSON.stringify(body)).not.toMatch(/"d"/);
    const rolling = await startTestHub({
      institutions: ['rvt.lv'],
      shards: 'in-process',
      hopKeySource: 'jwks-url',
      gateway: { hopRolloverKeys: next.publicKeys, entityCache: false },
    });
    try {
      const keys = ((await (await fetch(new URL(HOP_KEYS_PATH, rolling.url))).json()) as JSONWebKeySet).keys;
      expect(keys.map((key) => key.kid)).toEqual([rolling.hopKeys.key.kid, next.key.kid]);
      // Its shard knows only the URL, and checks the hub's hops with what it fetched there.
      const token = await rolling.token('rvt.lv', ['coordinator']);
      const trail = await rolling.request(TRAIL, { institution: 'rvt.lv' }, token);
      expect(trail.body.errors).toBeUndefined();
      const direct2 = await direct(
        rolling.shards.get('rvt.lv')?.url as string,
        await rolling.signHop({ institution: 'rvt.lv', caller: coordinator('rvt.lv'), operation: read, key: next.key }),
        read,
      );
      expect(direct2.body.errors).toBeUndefined();
    } finally {
      await rolling.dispose();
    }
  });

  test('a shard fetches the keys, refetches for an unknown kid no more than its cooldown allows, and follows a rotation', async () => {
    // Signed before the first fetch, so the flood's time is its requests alone.
    const madeUp = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signedWith({ ...next.key, kid: `made-up-${i}` })),
    );
    const firstFetch = performance.now();
    expect((await direct(shard.url, await signedWith(hub.hopKeys.key), read)).body.errors).toBeUndefined();
    const afterFirst = fetches;
    expect(afterFirst).toBe(1);
    // A flood of made-up key ids: at most one more fetch per cooldown (1 s) since the first, however many ids; a busy
    // machine that takes longer than a second over the flood may see one more per second it took.
    const flood = await Promise.all(madeUp.map((hop) => direct(shard.url, hop, read)));
    const cooldowns = Math.max(1, Math.ceil((performance.now() - firstFetch) / 1_000));
    expect(
      flood.every((answer) => answer.status === 401 && /unknown key id/.test(answer.body.errors?.[0]?.message ?? '')),
    ).toBe(true);
    expect(fetches - afterFirst).toBeLessThanOrEqual(cooldowns);
    expect(cooldowns).toBeLessThan(10);
    // The hub rotates: the new key is published, the old one dropped. Once the shard refetches (its cache aged out, or
    // the cooldown over for the new key's unknown id), the new key passes and the old one no longer does.
    published = next.publicKeys;
    await waitFor(
      'the shard accepts the rotated key',
      async () => (await direct(shard.url, await signedWith(next.key), read)).body.errors === undefined,
      5_000,
    );
    const old = await direct(shard.url, await signedWith(hub.hopKeys.key), read);
    expect({ status: old.status, code: old.body.errors?.[0]?.extensions?.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(old.body.errors?.[0]?.message).toMatch(/unknown key id/);
  });
});

test("a hop the hub signed is still refused when its caller is inconsistent: another member's learner, a learner with staff roles", async () => {
  const sign = (caller: Caller) => (operation: HopOperation) =>
    hub.signHop({ institution: 'rvt.lv', caller, operation });
  await expectBothRefused(
    sign({ institution: 'omnia.fi', roles: ['learner'], learnerId: 'rvt.lv:L-17', subject: 'mallory@omnia.fi' }),
    /Refused the caller of a signed call: .*rvt\.lv:L-17/,
  );
  await expectBothRefused(
    sign({
      institution: 'rvt.lv',
      roles: ['learner', 'coordinator'],
      learnerId: 'rvt.lv:L-17',
      subject: 'mallory@rvt.lv',
    }),
    /Refused the caller of a signed call: .*learner/,
  );
});
