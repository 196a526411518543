import { decodeJwt } from 'jose';

/** setTimeout's ceiling (about 24.8 days): a longer delay fires at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * When the bearer token in an `authorization` value expires, in ms since the epoch; null when it names none.
 * Read only after the authenticator has verified the token, so its claims are already trusted.
 */
export function tokenExpiry(authorization: string | undefined): number | null {
  const token = /^Bearer\s+(\S+)$/i.exec((authorization ?? '').trim())?.[1];
  if (!token) return null;
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? exp * 1_000 : null;
}

/** Calls `then` at time `at` (ms since the epoch), however far off; returns what cancels it. */
export function atTime(at: number, then: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = at - now();
    if (left <= 0) return then();
    timer = setTimeout(arm, Math.min(left, LONGEST_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
