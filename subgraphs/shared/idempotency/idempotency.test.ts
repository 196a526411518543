import type { Caller } from '../caller';
import { createHopVerifier, HOP_IDEMPOTENCY_HEADER, signHop } from '../signed-hop';
import { readIdempotencyKey } from './idempotency-key';

const SECRET = 'a-long-shared-hop-secret-for-tests';
const caller: Caller = { institution: 'rvt.lv', roles: ['coordinator'], learnerId: null, subject: 'anna@rvt.lv' };
const operation = { query: 'mutation { retireUnit(id: "rvt.lv:U1") { id } }', variables: null };
const reader = (headers: Record<string, string>) => (name: string) => headers[name];

describe('Idempotency-Key on the signed hop', () => {
  const idempotency = { key: 'order-42', digest: 'abc' };

  it('carries the key to the shard under the signature', () => {
    const headers = signHop({ secret: SECRET, caller, requestId: 'r1', operation, idempotency });
    expect(createHopVerifier({ secret: SECRET })(reader(headers), operation)).toEqual({ caller, error: null, idempotency });
  });

  it('refuses a hop whose key was changed, added or removed on the way', () => {
    const headers = signHop({ secret: SECRET, caller, requestId: 'r1', operation, idempotency });
    const verify = createHopVerifier({ secret: SECRET });
    expect(verify(reader({ ...headers, [HOP_IDEMPOTENCY_HEADER]: 'abc order-43' }), operation).error).toMatch(/signature does not match/);
    const { [HOP_IDEMPOTENCY_HEADER]: _removed, ...without } = signHop({ secret: SECRET, caller, requestId: 'r2', operation, idempotency });
    expect(verify(reader(without), operation).error).toMatch(/signature does not match/);
    const plain = signHop({ secret: SECRET, caller, requestId: 'r3', operation });
    expect(verify(reader({ ...plain, [HOP_IDEMPOTENCY_HEADER]: 'abc order-42' }), operation).error).toMatch(/signature does not match/);
  });

  it('signs a hop without a key exactly as before', () => {
    const headers = signHop({ secret: SECRET, caller, requestId: 'r1', operation, idempotency: null });
    expect(headers[HOP_IDEMPOTENCY_HEADER]).toBeUndefined();
    expect(createHopVerifier({ secret: SECRET })(reader(headers), operation)).toEqual({ caller, error: null });
  });
});

describe('readIdempotencyKey', () => {
  const mutation = { query: 'mutation($id: ID!, $x: Int) { retireUnit(id: $id) { id } }', variables: { id: 'a', x: 1 } };

  it('digests the whole operation, whatever the order of the variables', () => {
    const a = readIdempotencyKey('k1', mutation);
    expect(a).toEqual({ key: 'k1', digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(readIdempotencyKey('k1', { ...mutation, variables: { x: 1, id: 'a' } })).toEqual(a);
    expect(readIdempotencyKey('k1', { ...mutation, variables: { id: 'b', x: 1 } })?.digest).not.toBe(a?.digest);
  });

  it('ignores the header on queries and refuses it on batches', () => {
    expect(readIdempotencyKey('bad key', { query: '{ institutions { id } }' })).toBeNull();
    expect(readIdempotencyKey(undefined, mutation)).toBeNull();
    expect(() => readIdempotencyKey('k1', [mutation])).toThrow(/names one operation/);
  });
});
