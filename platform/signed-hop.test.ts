import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { Caller } from './caller';
import { generateHopKeyPair, type HopKeyPair } from './hop-keys';
import {
  createHopVerifier,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_HOP_TTL_SECONDS,
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
