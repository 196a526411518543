import { createLocalJWKSet } from 'jose';
import type { Caller } from '../../../platform/caller';
import { generateHopKeyPair, type HopKeyPair } from '../../../platform/hop-keys';
import { createHopVerifier, signHop } from '../../../platform/signed-hop';
import { checkIdempotencyKey, idempotencyOf } from '../../../platform/idempotency-key';

const caller: Caller = { institution: 'rvt.lv', roles: ['coordinator'], learnerId: null, subject: 'anna@rvt.lv' };
const operation = { query: 'mutation { retireUnit(id: "rvt.lv:U1") { id } }', variables: null };
const reader = (headers: Record<string, string>) => (name: string) => headers[name];
const AUDIENCE = 'qualifications@rvt.lv';

describe('Idempotency-Key on the signed hop', () => {
  const idempotency = { key: 'order-42', digest: 'abc' };
  let keys: HopKeyPair;
  beforeAll(async () => {
    keys = await generateHopKeyPair();
  });
  const verifier = () => createHopVerifier({ audience: AUDIENCE, keys: createLocalJWKSet(keys.publicKeys) });
  const sign = (idempotencyKey: typeof idempotency | null) =>
    signHop({ key: keys.key, audience: AUDIENCE, caller, requestId: 'r1', operation, idempotency: idempotencyKey });

  it('carries the key to the shard inside the signed token', async () => {
    expect(await verifier()(reader(await sign(idempotency)), operation)).toEqual({ caller, error: null, idempotency });
  });

  it('a hop without a key carries none, and nothing outside the token can add one', async () => {
    const headers = await sign(null);
    expect(Object.keys(headers).sort()).toEqual(['x-hub-hop', 'x-hub-request-id']);
    expect(await verifier()(reader({ ...headers, 'x-hub-idempotency': 'abc order-42' }), operation)).toEqual({
      caller,
      error: null,
    });
  });
});

describe('idempotencyOf', () => {
  const mutation = {
    source: 'mutation($id: ID!, $x: Int) { retireUnit(id: $id) { id } }',
    variables: { id: 'a', x: 1 },
  };

  it('digests the whole operation, whatever the order of the variables', () => {
    const a = idempotencyOf('k1', mutation);
    expect(a).toEqual({ key: 'k1', digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(idempotencyOf('k1', { ...mutation, variables: { x: 1, id: 'a' } })).toEqual(a);
    expect(idempotencyOf('k1', { ...mutation, variables: { id: 'b', x: 1 } }).digest).not.toBe(a.digest);
    expect(idempotencyOf('k1', { ...mutation, operationName: 'Retire' }).digest).not.toBe(a.digest);
  });

  it('refuses a malformed or repeated key', () => {
    expect(() => idempotencyOf('two words', mutation)).toThrow(/must be 1 to 200 visible ASCII characters/);
    expect(() => idempotencyOf(['k1', 'k1'], mutation)).toThrow(/may be sent once/);
  });
});

describe('checkIdempotencyKey (the HTTP layer)', () => {
  const mutation = { query: 'mutation { retireUnit(id: "a") { id } }' };

  it('refuses a malformed key on a mutation sent as text, and a key on a batch', () => {
    expect(() => checkIdempotencyKey('two words', mutation)).toThrow(/must be 1 to 200 visible ASCII characters/);
    expect(() => checkIdempotencyKey(['k1', 'k2'], mutation)).toThrow(/may be sent once/);
    expect(() => checkIdempotencyKey('k1', [mutation])).toThrow(/names one operation/);
    expect(() => checkIdempotencyKey('k1', mutation)).not.toThrow();
  });

  it('ignores the header on queries, and leaves a persisted-query hash to the plugin', () => {
    expect(() => checkIdempotencyKey('bad key', { query: '{ institutions { id } }' })).not.toThrow();
    expect(() =>
      checkIdempotencyKey('bad key', { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab' } } }),
    ).not.toThrow();
    expect(() => checkIdempotencyKey(undefined, mutation)).not.toThrow();
  });
});
