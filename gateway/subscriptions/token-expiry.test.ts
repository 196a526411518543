import { UnsecuredJWT } from 'jose';
import { atTime, tokenExpiry } from './token-expiry';

test('the expiry is read from the bearer token, in ms; none without a token or an exp', () => {
  const token = new UnsecuredJWT({}).setExpirationTime(2_000_000_000).encode();
  expect(tokenExpiry(` Bearer ${token} `)).toBe(2_000_000_000_000);
  expect(tokenExpiry(`Bearer ${new UnsecuredJWT({}).encode()}`)).toBeNull();
  expect(tokenExpiry(undefined)).toBeNull();
});

test("atTime fires at once for a past time, re-arms past setTimeout's ceiling, and can be cancelled", () => {
  jest.useFakeTimers();
  try {
    let now = 0;
    const fired: string[] = [];
    atTime(
      -1,
      () => fired.push('past'),
      () => now,
    );
    expect(fired).toEqual(['past']);
    const far = 40 * 24 * 3_600_000;
    atTime(
      far,
      () => fired.push('far'),
      () => now,
    );
    now = 2 ** 31 - 1;
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toEqual(['past']);
    now = far;
    jest.advanceTimersByTime(far - (2 ** 31 - 1));
    expect(fired).toEqual(['past', 'far']);
    const cancel = atTime(
      now + 1_000,
      () => fired.push('cancelled'),
      () => now,
    );
    cancel();
    jest.advanceTimersByTime(2_000);
    expect(fired).toEqual(['past', 'far']);
  } finally {
    jest.useRealTimers();
  }
});
