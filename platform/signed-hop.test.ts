import { randomBytes, sign as edSign, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { Caller } from './caller';
import { generateHopKeyPair, type HopKeyPair } from './hop-keys';
import {
  createHopVerifier,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_HOP_TTL_SECONDS,
  HOP_BATCH_TOKEN_TYPE,
  HOP_HEADERS,
  HOP_TOKEN_TYPE,
  hopAudience,
  signHop,
  type HopOperation,
  type SignHopOptions,
} from './signed-hop';

const NOW = 1_767_000_000_000;
const AUDIENCE = hopAudience('qualifications', 'rvt.lv');
const caller: Caller = {
  institution: 'rvt.lv',
  roles: ['coordinator', 'assessor'],
  learnerId: null,
  subject: 'anna@rvt.lv',
};
const operation: HopOperation = {
  query: 'query($id: ID!) { unit(id: $id) { id } }',
  variables: { id: 'rvt.lv:WELD-U3' },
};
const reader = (headers: Record<string, string>) => (name: string) => headers[name];

let hub: HopKeyPair;
let member: HopKeyPair;
beforeAll(async () => {
  [hub, member] = await Promise.all([generateHopKeyPair(), generateHopKeyPair()]);
});

const sign = (overrides: Partial<SignHopOptions> = {}) =>
  signHop({ key: hub.key, audience: AUDIENCE, caller, requestId: 'req-1', operation, now: NOW, ...overrides });
const verifier = (keys = hub.publicKeys, audience = AUDIENCE) =>
  createHopVerifier({ audience, keys: createLocalJWKSet(keys) });

describe('signed hop', () => {
  it('carries a signed caller to the shard in an EdDSA token naming audience, nonce, issue and expiry', async () => {
    const headers = await sign();
    expect(Object.keys(headers).sort()).toEqual(Object.values(HOP_HEADERS).sort());
    const token = headers[HOP_HEADERS.hop] as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: hub.key.kid, typ: HOP_TOKEN_TYPE });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'hub',
      aud: AUDIENCE,
      iat: NOW / 1000,
      exp: NOW / 1000 + DEFAULT_HOP_TTL_SECONDS,
      rid: 'req-1',
      caller,
    });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await verifier()(reader(headers), operation, NOW + 1_000)).toEqual({ caller, error: null });
  });

  it('carries a signed anonymous call as no caller and no error', async () => {
    expect(await verifier()(reader(await sign({ caller: null })), operation, NOW)).toEqual({
      caller: null,
      error: null,
    });
  });

  it('treats a call without a hop as public', async () => {
    expect(await verifier()(() => undefined, operation, NOW)).toEqual({ caller: null, error: null });
  });

  it('gives each hop a fresh nonce', async () => {
    const [a, b] = await Promise.all([sign(), sign()]);
    expect(decodeJwt(a[HOP_HEADERS.hop] as string).jti).not.toBe(decodeJwt(b[HOP_HEADERS.hop] as string).jti);
  });

  describe('refuses', () => {
    const refused = async (
      headers: Record<string, string>,
      options: { op?: HopOperation; now?: number; verify?: ReturnType<typeof verifier> } = {},
    ) => {
      const result = await (options.verify ?? verifier())(reader(headers), options.op ?? operation, options.now ?? NOW);
      expect(result.caller).toBeNull();
      expect(typeof result.error).toBe('string');
      return result.error;
    };

    it("a hop signed with another key (a member's own), whatever kid it claims", async () => {
      expect(await refused(await sign({ key: member.key }))).toMatch(/unknown key id/);
      expect(await refused(await sign({ key: { ...member.key, kid: hub.key.kid } }))).toMatch(
        /signature does not verify/,
      );
    });

    it('an HS256 token made with a guessed secret, and an unsigned one', async () => {
      const hs = await new SignJWT({ caller, op: 'x', rid: 'r' })
        .setProtectedHeader({ alg: 'HS256', kid: hub.key.kid, typ: HOP_TOKEN_TYPE })
        .setIssuer('hub')
        .setAudience(AUDIENCE)
        .setJti('n')
        .setIssuedAt(NOW / 1000)
        .setExpirationTime(NOW / 1000 + 30)
        .sign(randomBytes(32));
      expect(await refused({ [HOP_HEADERS.hop]: hs })).toMatch(/not signed with EdDSA/);
      const [header, payload] = (await sign()).hop?.split('.') ?? [];
      expect(await refused({ [HOP_HEADERS.hop]: `${header}.${payload}.` })).toMatch(
        /signature does not verify|malformed/,
      );
      expect(await refused({ [HOP_HEADERS.hop]: '' })).toMatch(/malformed/);
    });

    it('a hop for another audience: another institution, another kind', async () => {
      expect(await refused(await sign({ audience: hopAudience('qualifications', 'omnia.fi') }))).toMatch(
        /addressed to another service: this one is qualifications@rvt.lv/,
      );
      expect(await refused(await sign({ audience: hopAudience('mobilities', 'rvt.lv') }))).toMatch(
        /addressed to another service/,
      );
    });

    it('a hop with another issuer or token type', async () => {
      expect(await refused(await sign({ issuer: 'service:mobilities@rvt.lv' }))).toMatch(/not issued by hub/);
    });

    it('headers reused for another query or other variables', async () => {
      expect(await refused(await sign(), { op: { ...operation, query: '{ units { totalCount } }' } })).toMatch(
        /another operation/,
      );
      expect(await refused(await sign(), { op: { ...operation, variables: { id: 'rvt.lv:OTHER' } } })).toMatch(
        /another operation/,
      );
    });

    it('an expired hop, beyond the clock-skew allowance only', async () => {
      const skew = DEFAULT_CLOCK_SKEW_SECONDS * 1000;
      const ttl = DEFAULT_HOP_TTL_SECONDS * 1000;
      expect((await verifier()(reader(await sign()), operation, NOW + ttl + skew - 1_000)).error).toBeNull();
      expect(await refused(await sign(), { now: NOW + ttl + skew + 1_000 })).toMatch(/expired/);
    });

    it('a hop issued in the future beyond the skew, or living longer than the hop lifetime', async () => {
      expect(await refused(await sign(), { now: NOW - DEFAULT_CLOCK_SKEW_SECONDS * 1000 - 2_000 })).toMatch(
        /issued in the future/,
      );
      expect(await refused(await sign({ ttlSeconds: 3_600 }))).toMatch(/valid for more than 30 s/);
    });

    it('a replayed nonce, even after the first use succeeded', async () => {
      const verify = verifier();
      const headers = await sign();
      expect((await verify(reader(headers), operation, NOW)).error).toBeNull();
      expect(await refused(headers, { verify })).toMatch(/replayed/);
    });

    it('every signed call when the service has no keys', async () => {
      const verify = createHopVerifier({ audience: AUDIENCE, keys: null });
      expect(await refused(await sign(), { verify })).toMatch(/no public keys of hub/);
    });

    it('a caller that is not a caller', async () => {
      const headers = await sign({
        caller: { institution: 'rvt.lv', roles: ['king'], learnerId: null, subject: 'x' } as unknown as Caller,
      });
      expect(await refused(headers)).toMatch(/unreadable caller/);
    });
  });

  it('accepts both keys of a rollover, and the old one no more once it is dropped', async () => {
    const both = { keys: [...hub.publicKeys.keys, ...member.publicKeys.keys] };
    const during = verifier(both);
    expect((await during(reader(await sign()), operation, NOW)).error).toBeNull();
    expect((await during(reader(await sign({ key: member.key })), operation, NOW)).error).toBeNull();
    const after = verifier(member.publicKeys);
    expect(await after(reader(await sign()), operation, NOW)).toEqual({
      caller: null,
      error: expect.stringMatching(/unknown key id/),
    });
  });
});

describe('batched hops', () => {
  const audiences = ['rvt.lv', 'omnia.fi', 'cifp-aviles.es'].map((code) => hopAudience('qualifications', code));
  const [RVT, OMNIA] = audiences as [string, string];
  /** One hop per audience, asked for in one turn as a fan-out asks: one batch. */
  const fanOut = (overrides: Partial<SignHopOptions> = {}) =>
    Promise.all(audiences.map((audience) => sign({ audience, batch: true, ...overrides })));
  const tokenOf = (headers: Record<string, string>) => headers[HOP_HEADERS.hop] as string;
  const partsOf = (headers: Record<string, string>) => tokenOf(headers).split('~') as [string, string, string];
  const withToken = (token: string) => ({ [HOP_HEADERS.hop]: token });
  const refusal = async (headers: Record<string, string>, audience = RVT, now = NOW) => {
    const result = await verifier(hub.publicKeys, audience)(reader(headers), operation, now);
    expect(result.caller).toBeNull();
    return result.error;
  };

  it('share one signature over their tree; each shard gets its own hop and proof, and accepts it', async () => {
    const hops = await fanOut();
    const roots = new Set(hops.map((headers) => partsOf(headers)[0]));
    expect(roots.size).toBe(1);
    const [root = ''] = roots;
    expect(decodeProtectedHeader(root)).toEqual({ alg: 'EdDSA', kid: hub.key.kid, typ: HOP_BATCH_TOKEN_TYPE });
    expect(decodeJwt(root)).toMatchObject({ iss: 'hub', iat: NOW / 1000, exp: NOW / 1000 + DEFAULT_HOP_TTL_SECONDS });
    for (const [i, headers] of hops.entries()) {
      const leaf = JSON.parse(Buffer.from(partsOf(headers)[1], 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      expect(leaf).toMatchObject({ aud: audiences[i], caller, rid: 'req-1' });
      expect(await verifier(hub.publicKeys, audiences[i])(reader(headers), operation, NOW)).toEqual({
        caller,
        error: null,
      });
    }
  });

  it('a lone hop, and hops for shards that take no batches, are signed each on its own', async () => {
    const [lone] = await Promise.all([sign({ batch: true })]);
    expect(tokenOf(lone)).not.toContain('~');
    const [batched, plain] = await Promise.all([sign({ batch: true, audience: OMNIA }), sign({ batch: false })]);
    expect(tokenOf(batched)).not.toContain('~');
    expect(decodeProtectedHeader(tokenOf(plain)).typ).toBe(HOP_TOKEN_TYPE);
  });

  describe('refuses', () => {
    it("another shard's hop of the batch", async () => {
      const [rvt] = (await fanOut()) as [Record<string, string>];
      expect(await refusal(rvt, OMNIA)).toMatch(/addressed to another service: this one is qualifications@omnia.fi/);
    });

    it('a hop made by a shard of the batch for another shard: its own proof leads elsewhere', async () => {
      const [rvt, omnia] = (await fanOut()) as [Record<string, string>, Record<string, string>];
      const [root, leaf, proof] = partsOf(rvt);
      const claims = JSON.parse(Buffer.from(leaf, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, aud: OMNIA })).toString('base64url');
      expect(await refusal(withToken(`${root}~${forged}~${proof}`), OMNIA)).toMatch(/proof does not lead to the root/);
      // Nor with the other shard's proof, which it never sees but could guess the shape of.
      const omniaProof = partsOf(omnia)[2];
      expect(await refusal(withToken(`${root}~${forged}~${omniaProof}`), OMNIA)).toMatch(/proof does not lead/);
      // Nor its own hop with another caller.
      const other = Buffer.from(JSON.stringify({ ...claims, caller: { ...caller, roles: ['admin'] } })).toString(
        'base64url',
      );
      expect(await refusal(withToken(`${root}~${other}~${proof}`))).toMatch(/proof does not lead/);
    });

    it('the signed root alone, or presented with no hop', async () => {
      const [rvt] = (await fanOut()) as [Record<string, string>];
      const [root, , proof] = partsOf(rvt);
      expect(await refusal(withToken(root))).toMatch(/typ claim/);
      expect(await refusal(withToken(`${root}~~${proof}`))).toMatch(/malformed batched hop/);
    });

    it("a root signed with a key that is not the hub's", async () => {
      const [rvt] = (await fanOut({ key: member.key })) as [Record<string, string>];
      expect(await refusal(rvt)).toMatch(/unknown key id/);
      const [root, leaf, proof] = partsOf((await fanOut())[0] as Record<string, string>);
      const [header, payload] = root.split('.') as [string, string];
      const input = `${header}.${payload}`;
      const resigned = `${input}.${edSign(null, Buffer.from(input), member.key.privateKey as KeyObject).toString('base64url')}`;
      expect(await refusal(withToken(`${resigned}~${leaf}~${proof}`))).toMatch(/signature does not verify/);
    });

    it('malformed parts: too many, a proof that is not one, a hop that is not JSON', async () => {
      const [root, leaf, proof] = partsOf((await fanOut())[0] as Record<string, string>);
      expect(await refusal(withToken(`${root}~${leaf}~${proof}~${proof}`))).toMatch(/malformed batched hop/);
      expect(await refusal(withToken(`${root}~${leaf}~X${proof}`))).toMatch(/malformed batched hop/);
      expect(await refusal(withToken(`${root}~${leaf}!~${proof}`))).toMatch(/malformed batched hop/);
      expect(await refusal(withToken(`${root}~${Buffer.from('[1]').toString('base64url')}~${proof}`))).toMatch(
        /malformed|proof does not lead/,
      );
    });

    it('a replayed hop, another operation, an expired root', async () => {
      const verify = verifier(hub.publicKeys, RVT);
      const [rvt] = (await fanOut()) as [Record<string, string>];
      expect((await verify(reader(rvt), operation, NOW)).error).toBeNull();
      expect((await verify(reader(rvt), operation, NOW)).error).toMatch(/replayed/);
      const [other] = (await fanOut()) as [Record<string, string>];
      const result = await verifier(hub.publicKeys, RVT)(
        reader(other),
        { ...operation, query: '{ units { totalCount } }' },
        NOW,
      );
      expect(result.error).toMatch(/another operation/);
      const late = NOW + (DEFAULT_HOP_TTL_SECONDS + DEFAULT_CLOCK_SKEW_SECONDS + 1) * 1000;
      expect(await refusal((await fanOut())[0] as Record<string, string>, RVT, late)).toMatch(/expired/);
    });
  });
});
