import { GraphQLError, type ExecutionResult } from 'graphql';
import { ErrorCode } from '../../schema/errors';

/** How long an event whose payload a shard could not complete is held and resolved again before its subscribers are ended. */
export const DEFAULT_LIVE_EVENT_HOLD_MS = 30_000;
/** The first wait before resolving a held event again; it doubles after each failure. */
export const DEFAULT_HOLD_FIRST_RETRY_MS = 250;
/** The longest wait between two resolutions of a held event. */
export const DEFAULT_HOLD_MAX_RETRY_MS = 5_000;

/** The codes of the gateway's errors for a shard that could not answer (gateway/routing/shard-errors.ts). */
const OUTAGE_CODES: ReadonlySet<unknown> = new Set([ErrorCode.SHARD_UNAVAILABLE, ErrorCode.GATEWAY_TIMEOUT]);

/** A shard that could not answer for an event's payload, as the gateway's error named it. */
export interface ShardOutage {
  institution: string;
  kind: string | null;
}

/**
 * What came of an event's payload: an answer to deliver (complete, or with final errors such as authorization
 * nulls; null when the subscription selects no entity), or a shard that still could not answer when the hold ran out.
 */
export type Resolution = { answer: ExecutionResult | null } | { outage: ShardOutage };

export interface HoldOptions {
  /** How long the event may be held, from its first resolution; 0 resolves it once. */
  holdMs: number;
  /** @default DEFAULT_HOLD_FIRST_RETRY_MS */
  firstRetryMs?: number;
  /** @default DEFAULT_HOLD_MAX_RETRY_MS */
  maxRetryMs?: number;
  /** Aborted when no subscriber waits for the event any more: the hold stops at once. */
  signal?: AbortSignal;
}

/** The first error of an answer that says a shard could not answer (unavailable, timed out); null when there is none. */
export function outageOf(answer: ExecutionResult | null): ShardOutage | null {
  for (const error of answer?.errors ?? []) {
    const extensions = error.extensions as Record<string, unknown> | undefined;
    if (!OUTAGE_CODES.has(extensions?.code)) continue;
    return {
      institution: typeof extensions?.institution === 'string' ? extensions.institution : 'an unknown institution',
      kind: typeof extensions?.kind === 'string' ? extensions.kind : null,
    };
  }
  return null;
}

/**
 * Resolves an event's payload; while a shard cannot answer, waits (250 ms doubling to 5 s by default) and resolves
 * it again, up to `holdMs` after the first try. Other errors are final and delivered with the answer.
 */
export async function resolveHeld(
  resolve: () => Promise<ExecutionResult | null>,
  options: HoldOptions,
): Promise<Resolution> {
  const deadline = Date.now() + options.holdMs;
  let delay = options.firstRetryMs ?? DEFAULT_HOLD_FIRST_RETRY_MS;
  const maxDelay = options.maxRetryMs ?? DEFAULT_HOLD_MAX_RETRY_MS;
  for (;;) {
    const answer = await resolveSafely(resolve);
    const outage = outageOf(answer);
    if (!outage) return { answer };
    const left = deadline - Date.now();
    if (left <= 0 || options.signal?.aborted) return { outage };
    await sleep(Math.min(delay, left), options.signal);
    if (options.signal?.aborted) return { outage };
    delay = Math.min(delay * 2, maxDelay);
  }
}

async function resolveSafely(resolve: () => Promise<ExecutionResult | null>): Promise<ExecutionResult | null> {
  try {
    return await resolve();
  } catch (error) {
    return {
      errors: [
        error instanceof GraphQLError
          ? error
          : new GraphQLError(error instanceof Error ? error.message : String(error)),
      ],
    };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // A held event keeps no process alive: a stopping gateway ends its subscriptions anyway.
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The error that ends a subscription whose next event could not be completed within the hold: it names the
 * institution and says how to resume, so the event arrives complete once the shard is back.
 */
export function heldTooLong(outage: ShardOutage, holdMs: number, lastCursor: string | null): GraphQLError {
  const shard = outage.kind ? `The ${outage.kind} shard of ${outage.institution}` : `A shard of ${outage.institution}`;
  return new GraphQLError(
    `${shard} could not complete the next event within ${holdMs} ms, so nothing after it was delivered. ` +
      'Subscribe again with `after:` the last cursor you received to get it complete once the shard is back.',
    {
      extensions: {
        code: ErrorCode.SHARD_UNAVAILABLE,
        institution: outage.institution,
        ...(outage.kind ? { kind: outage.kind } : {}),
        after: lastCursor,
      },
    },
  );
}
