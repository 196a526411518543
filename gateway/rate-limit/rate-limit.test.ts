import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimitedError } from '../../schema/errors';
import { clientAddress, useRateLimit } from './rate-limit';

const request = (remoteAddress: string, forwarded?: string) =>
  ({
    method: 'POST',
    socket: { remoteAddress },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  }) as unknown as IncomingMessage;
const response = {} as ServerResponse;

test("the client's address: the socket's, or what the nearest trusted proxy saw", () => {
  expect(clientAddress(request('10.0.0.5', '1.2.3.4'), 0)).toBe('10.0.0.5');
  expect(clientAddress(request('10.0.0.5', '6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
  expect(clientAddress(request('10.0.0.5', '6.6.6.6, 1.2.3.4, 10.0.0.9'), 2)).toBe('1.2.3.4');
  expect(clientAddress(request('10.0.0.5'), 1)).toBe('10.0.0.5');
});

test('per IP: the request over the limit is refused with 429 and Retry-After; another IP is not', async () => {
  const limit = useRateLimit({ perIp: 2, perInstitution: 0, windowSeconds: 30 });
  expect(await limit.routes[0](request('1.1.1.1'), response)).toBe(false);
  expect(await limit.routes[0](request('1.1.1.1'), response)).toBe(false);
  const refusal = await Promise.resolve(limit.routes[0](request('1.1.1.1'), response)).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(RateLimitedError);
  const { extensions } = refusal as RateLimitedError;
  expect(extensions).toEqual(
    expect.objectContaining({
      code: 'RATE_LIMITED',
      limit: 'ip',
      retryAfterSeconds: expect.any(Number),
      http: { status: 429, headers: new Map([['retry-after', String(extensions.retryAfterSeconds)]]) },
    }),
  );
  expect(extensions.retryAfterSeconds).toBeGreaterThan(0);
  expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(30);
  expect(await limit.routes[0](request('2.2.2.2'), response)).toBe(false);
  await limit.stop();
});

test('per institution: a batch counts each operation; 0 turns a limit off', async () => {
  const limit = useRateLimit({ perIp: 0, perInstitution: 5 });
  await limit.consumeInstitution('rvt.lv', 4);
  await expect(limit.consumeInstitution('rvt.lv', 2)).rejects.toThrow(
    /^Too many requests from rvt\.lv \(limit 5 per 60 s\)/,
  );
  await expect(limit.consumeInstitution('omnia.fi')).resolves.toBeUndefined();
  for (let i = 0; i < 20; i += 1) expect(await limit.routes[0](request('1.1.1.1'), response)).toBe(false);
  await limit.stop();
});
