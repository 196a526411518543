import type { Caller } from './caller';
import { createHopVerifier, DEFAULT_HOP_WINDOW_MS, HOP_HEADERS, signHop, type HopOperation } from './signed-hop';

const SECRET = 'a-long-shared-hop-secret-for-tests';
const NOW = 1_767_000_000_000;
const caller: Caller = { institution: 'rvt.lv', roles: ['coordinator', 'assessor'], learnerId: null, subject: 'anna@rvt.lv' };
const operation: HopOperation = { query: 'query($id: ID!) { unit(id: $id) { id } }', variables: { id: 'rvt.lv:WELD-U3' } };

const sign = (overrides: Partial<Parameters<typeof signHop>[0]> = {}) =>
  signHop({ secret: SECRET, caller, requestId: 'req-1', operation, now: NOW, ...overrides });

const reader = (headers: Record<string, string>) => (name: string) => headers[name];
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('signed hop', () => {
  it('carries a signed caller to the shard', () => {
    const headers = sign();
    expect(Object.keys(headers).sort()).toEqual(Object.values(HOP_HEADERS).sort());
    expect(headers[HOP_HEADERS.timestamp]).toBe(String(NOW));
    expect(headers[HOP_HEADERS.signature]).toMatch(/^v1=[A-Za-z0-9_-]+$/);
    const verify = createHopVerifier({ secret: SECRET });
    expect(verify(reader(headers), operation, NOW + 1_000)).toEqual({ caller, error: null });
  });

  it('carries a signed anonymous call as no caller and no error', () => {
    const verify = createHopVerifier({ secret: SECRET });
    expect(verify(reader(sign({ caller: null })), operation, NOW)).toEqual({ caller: null, error: null });
  });

  it('treats a call without a signature as public', () => {
    const verify = createHopVerifier({ secret: SECRET });
    expect(verify(() => undefined, operation, NOW)).toEqual({ caller: null, error: null });
    const unsigned = { ...sign() };
    delete unsigned[HOP_HEADERS.signature];
    expect(verify(reader(unsigned), operation, NOW)).toEqual({ caller: null, error: null });
  });

  it('gives each hop a fresh nonce and signature', () => {
    const [a, b] = [sign(), sign()];
    expect(a?.[HOP_HEADERS.nonce]).not.toBe(b?.[HOP_HEADERS.nonce]);
    expect(a?.[HOP_HEADERS.signature]).not.toBe(b?.[HOP_HEADERS.signature]);
  });

  describe('refuses', () => {
    const refused = (headers: Record<string, string>, op: HopOperation = operation, now = NOW, secret: string | null = SECRET) => {
      const result = createHopVerifier({ secret })(reader(headers), op, now);
      expect(result.caller).toBeNull();
      expect(typeof result.error).toBe('string');
      return result.error;
    };

    it('a signature made with another secret', () => {
      expect(refused(sign({ secret: 'another-secret' }))).toMatch(/signature does not match/);
    });

    it('a caller header edited to claim another caller', () => {
      const other = encode({ ...caller, institution: 'bbs-hannover.de' });
      expect(refused({ ...sign(), [HOP_HEADERS.caller]: other })).toMatch(/signature does not match/);
      expect(refused({ ...sign({ caller: null }), [HOP_HEADERS.caller]: encode(caller) })).toMatch(/signature does not match/);
    });

    it('a request ID or nonce that was changed', () => {
      expect(refused({ ...sign(), [HOP_HEADERS.requestId]: 'req-2' })).toMatch(/signature does not match/);
      expect(refused({ ...sign(), [HOP_HEADERS.nonce]: 'another-nonce' })).toMatch(/signature does not match/);
    });

    it('headers reused for another query or other variables', () => {
      expect(refused(sign(), { ...operation, query: '{ units { totalCount } }' })).toMatch(/signature does not match/);
      expect(refused(sign(), { ...operation, variables: { id: 'rvt.lv:OTHER' } })).toMatch(/signature does not match/);
      expect(refused(sign(), { ...operation, variables: null })).toMatch(/signature does not match/);
    });

    it('a stale call, or one from the future, or undated', () => {
      expect(refused(sign(), operation, NOW + DEFAULT_HOP_WINDOW_MS + 1)).toMatch(/stale or undated/);
      expect(refused(sign(), operation, NOW - DEFAULT_HOP_WINDOW_MS - 1)).toMatch(/stale or undated/);
      expect(refused({ ...sign(), [HOP_HEADERS.timestamp]: 'soon' })).toMatch(/stale or undated/);
      const narrow = createHopVerifier({ secret: SECRET, windowMs: 1_000 });
      expect(narrow(reader(sign()), operation, NOW + 1_001).error).toMatch(/more than 1000 ms off/);
    });

    it('a call whose timestamp was moved to look fresh', () => {
      const late = NOW + 10 * DEFAULT_HOP_WINDOW_MS;
      expect(refused({ ...sign(), [HOP_HEADERS.timestamp]: String(late) }, operation, late)).toMatch(/signature does not match/);
    });

    it('a replay of the exact same headers', () => {
      const verify = createHopVerifier({ secret: SECRET });
      const headers = sign();
      expect(verify(reader(headers), operation, NOW).caller).toEqual(caller);
      expect(verify(reader(headers), operation, NOW + 5)).toEqual({ caller: null, error: expect.stringMatching(/replayed/) });
    });

    it('a signed call when the shard has no secret', () => {
      expect(refused(sign(), operation, NOW, null)).toMatch(/no hop secret/);
      expect(refused(sign(), operation, NOW, '')).toMatch(/no hop secret/);
    });

    it('a signed caller that is not a valid caller', () => {
      for (const bad of [{ institution: 'rvt.lv', roles: ['root'], subject: 's' }, { roles: [], subject: 's' }]) {
        const headers = sign({ caller: bad as unknown as Caller });
        expect(refused(headers)).toMatch(/unreadable caller/);
      }
    });
  });
});
