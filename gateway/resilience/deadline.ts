import { performance } from 'node:perf_hooks';

/**
 * A shard call the gateway gave up on because its request's deadline passed: still queued for a slot, or before a
 * retry or stand-in started. Named as the platform names an expired `AbortSignal.timeout`, so it reads as a timeout.
 */
export class DeadlinePassed extends Error {
  constructor() {
    super("the request's deadline passed before the shard answered");
    this.name = 'TimeoutError';
  }
}

/**
 * What a request keeps of its deadline to build and send its answer after its last shard call is cut: 5 % of it,
 * at most 250 ms. Under overload a timer fires only after the event loop's current turn, measured at up to 200 ms
 * late (`npm run bench -- overload`).
 */
export function answerReserveMs(timeoutMs: number): number {
  return Math.min(250, Math.floor(timeoutMs / 20));
}

/**
 * When a request's shard calls must all be over, on the `performance.now()` clock: its arrival plus the shard
 * timeout (or the caller's shorter budget), less the answer's reserve. Calls queued, retried or sent later in the request get what is left, so no
 * answer outlives the deadline.
 */
export function deadlineOf(context: { receivedAt: number; budgetMs?: number }, timeoutMs: number): number {
  // A caller that waits less (a shard asking through the hub, with what is left of its own request) shortens it.
  const total = Math.min(timeoutMs, context.budgetMs ?? timeoutMs);
  return context.receivedAt + total - answerReserveMs(total);
}

/** Whole milliseconds left before a deadline (what `AbortSignal.timeout` takes), rounded up; 0 once it has passed. */
export function timeLeft(deadline: number): number {
  return Math.max(0, Math.ceil(deadline - performance.now()));
}

/**
 * Runs `work` with a signal that aborts with `reason()` after `ms`, or with `outer`'s reason when `outer` aborts
 * first: the deadline covers a whole answer (undici's own timers limit only the waits between its parts, so a peer
 * sending a byte now and then would hold the call for ever). The timer is cleared and the listener removed once the
 * work ends: an `AbortSignal.timeout` would still fire later for every call, and `AbortSignal.any` over a long-lived
 * `outer` would keep a signal for each.
 */
export async function withDeadline<T>(
  ms: number,
  reason: () => unknown,
  work: (signal: AbortSignal) => Promise<T>,
  outer?: AbortSignal,
): Promise<T> {
  outer?.throwIfAborted();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(reason()), ms);
  timer.unref();
  const stopped = () => deadline.abort(outer?.reason);
  outer?.addEventListener('abort', stopped, { once: true });
  try {
    return await work(deadline.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', stopped);
  }
}
