import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { Bulkhead, BulkheadFull } from './bulkhead';
import { DeadlinePassed, timeLeft } from './deadline';

/** Which shard a call goes to (a registry `Shard` fits). */
export interface ShardKey {
  institution: string;
  kind: string;
}

export interface ResilienceOptions {
  /** Retries of a failed query call on a connection error or a 502/503/504 (never of a mutation, never after a timeout); 0 turns them off. @default 2 */
  retries?: number;
  /** Delay before the first retry; it grows exponentially (with jitter) up to `retryMaxDelayMs`. @default 50 */
  retryInitialDelayMs?: number;
  /** @default 500 */
  retryMaxDelayMs?: number;
  /** Consecutive failed calls to one shard that open its circuit: it is then skipped at once (SHARD_UNAVAILABLE, cause "circuit-open"). @default 5 */
  breakerThreshold?: number;
  /** How long an open circuit skips its shard before one trial call is let through (half-open); success closes it. @default 10_000 */
  halfOpenAfterMs?: number;
  /** Calls in flight to one shard at once (the bulkhead). @default 32 */
  maxConcurrentPerShard?: number;
  /**
   * Calls waiting for one of those slots; beyond, a call is refused at once (SHARD_UNAVAILABLE, cause "overloaded").
   * A call still waiting at its request's deadline leaves the queue (GATEWAY_TIMEOUT, cause "timeout"). @default 32
   */
  maxQueuedPerShard?: number;
  /** Told when a shard's circuit changes state (logs). */
  onCircuitChange?: (shard: ShardKey, state: CircuitStateName) => void;
}

export const DEFAULT_RETRIES = 2;
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 50;
export const DEFAULT_RETRY_MAX_DELAY_MS = 500;
export const DEFAULT_BREAKER_THRESHOLD = 5;
export const DEFAULT_HALF_OPEN_AFTER_MS = 10_000;
export const DEFAULT_MAX_CONCURRENT_PER_SHARD = 32;
export const DEFAULT_MAX_QUEUED_PER_SHARD = 32;

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';
const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** A shard call the gateway did not make: its circuit is open, or its bulkhead and queue are full. */
export class ShardCallRefused extends Error {
  constructor(
    readonly reason: 'circuit-open' | 'overloaded' | 'wrong-shard',
    /** For a wrong shard: what answers at its URL instead. */
    readonly detail?: string,
  ) {
    super(
      reason === 'circuit-open'
        ? 'circuit open: the shard failed repeatedly and is skipped for a while'
        : reason === 'overloaded'
          ? 'too many calls to this shard are in flight'
          : `not the shard this hub was configured for: ${detail ?? ''}`,
    );
    this.name = 'ShardCallRefused';
  }
}

type ErrorLike = Error & {
  code?: string;
  cause?: { code?: string; name?: string };
  extensions?: { response?: { status?: number; body?: unknown } };
};

export function isTimeout(error: unknown): boolean {
  const e = error as ErrorLike;
  // Not reaching the shard at all is its unavailability (and worth a retry), not a slow answer.
  if ((e?.code ?? e?.cause?.code) === 'UND_ERR_CONNECT_TIMEOUT') return false;
  return (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    e?.cause?.name === 'TimeoutError' ||
    /timeout|aborted/i.test(String(e?.message))
  );
}

/** The HTTP status of a shard's non-2xx answer, as RemoteGraphQLDataSource reports it. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as ErrorLike)?.extensions?.response?.status;
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * A non-2xx answer that still carries data: the shard ran the operation and answered part of it (an error status set
 * by a field, say one naming a partner it could not read). That is an answer, neither worth a retry, which would throw
 * the data away and spend the request's deadline again, nor a fault of the shard.
 */
function answeredWithData(error: unknown): boolean {
  const body = (error as ErrorLike)?.extensions?.response?.body as { data?: unknown; errors?: unknown } | undefined;
  return typeof body?.data === 'object' && body.data !== null && Array.isArray(body.errors);
}

/** Worth another try at once: the call never reached the shard's resolvers, or a proxy in front said "try again". */
export function isTransient(error: unknown): boolean {
  if (isTimeout(error) || answeredWithData(error)) return false;
  const e = error as ErrorLike;
  const code = e?.cause?.code ?? e?.code;
  if (code !== undefined && CONNECTION_ERRORS.has(code)) return true;
  const status = httpStatusOf(error);
  return status === 502 || status === 503 || status === 504;
}

/** A failure of the shard (counts towards its breaker), as opposed to a 4xx with GraphQL errors, which is the request's. */
export function isShardFault(error: unknown): boolean {
  // A wrong shard is refused before any call: it is a configuration fault, not a failing shard to break a circuit on.
  // A retry not made because the request's deadline passed says nothing about the shard either.
  if (error instanceof ShardCallRefused || error instanceof DeadlinePassed || answeredWithData(error)) return false;
  const status = httpStatusOf(error);
  if (status === undefined || status >= 500) return true;
  const body = (error as ErrorLike).extensions?.response?.body as { errors?: unknown } | undefined;
  return !(body && Array.isArray(body.errors));
}

export interface CircuitReport {
  institution: string;
  kind: string;
  state: CircuitStateName;
}

export interface Resilience {
  /**
   * Runs one call to a shard under its bulkhead and circuit breaker, retrying queries on transient failures.
   * With a `deadline` (`performance.now()` clock), it settles by then: a call still queued, or a retry not yet
   * started, is given up with `DeadlinePassed`; `call` itself must end by then too (its own abort signal).
   */
  execute<T>(shard: ShardKey, operation: 'query' | 'mutation', call: () => Promise<T>, deadline?: number): Promise<T>;
  /** The circuit state of one shard (closed until it has been called). */
  circuitOf(shard: ShardKey): CircuitStateName;
  /** The circuits of every shard called so far. */
  circuits(): CircuitReport[];
}

interface ShardPolicies {
  shard: ShardKey;
  breaker: ReturnType<typeof circuitBreaker>;
  slots: Bulkhead;
  query: IPolicy;
  mutation: IPolicy;
}

/** A backoff delay may end after the deadline: the caller gets its answer at the deadline, not after the delay. */
function untilDeadline<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed()), timeLeft(deadline));
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

/**
 * Partners that fail cost little: per shard a bulkhead (a cap on concurrent calls plus a small queue, so one slow
 * shard cannot tie up the gateway), a circuit breaker (a dead shard is skipped at once and tried again after a
 * pause) and, for queries only, retries with exponential backoff. Every call ends by its request's deadline:
 * queued calls leave the queue then, and no retry starts after it; the shard client aborts the call in flight.
 * Policies are built once per shard, on its first call.
 */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const backoff = new ExponentialBackoff({
    initialDelay: options.retryInitialDelayMs ?? DEFAULT_RETRY_INITIAL_DELAY_MS,
    maxDelay: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
  });
  // One retry policy serves every shard: it holds no per-shard state.
  const retryPolicy = retry(handleWhen(isTransient), { maxAttempts: retries, backoff });
  const byShard = new Map<string, ShardPolicies>();

  const policiesOf = (shard: ShardKey): ShardPolicies => {
    const key = `${shard.kind}\u0000${shard.institution}`;
    let policies = byShard.get(key);
    if (!policies) {
      const breaker = circuitBreaker(handleWhen(isShardFault), {
        halfOpenAfter: options.halfOpenAfterMs ?? DEFAULT_HALF_OPEN_AFTER_MS,
        breaker: new ConsecutiveBreaker(options.breakerThreshold ?? DEFAULT_BREAKER_THRESHOLD),
      });
      const known = { institution: shard.institution, kind: shard.kind };
      if (options.onCircuitChange) {
        const report = options.onCircuitChange;
        breaker.onStateChange((state) => report(known, STATE_NAMES[state]));
      }
      const slots = new Bulkhead(
        options.maxConcurrentPerShard ?? DEFAULT_MAX_CONCURRENT_PER_SHARD,
        options.maxQueuedPerShard ?? DEFAULT_MAX_QUEUED_PER_SHARD,
      );
      // The bulkhead is outermost (a retried call keeps its slot), the breaker innermost (it sees every attempt).
      policies = {
        shard: known,
        breaker,
        slots,
        query: retries > 0 ? wrap(retryPolicy, breaker) : breaker,
        mutation: breaker,
      };
      byShard.set(key, policies);
    }
    return policies;
  };

  return {
    execute: async (shard, operation, call, deadline) => {
      const policies = policiesOf(shard);
      const policy = operation === 'mutation' ? policies.mutation : policies.query;
      // Each attempt checks the deadline first: a retry whose backoff ran past it is not sent.
      const attempt = () =>
        deadline !== undefined && timeLeft(deadline) === 0 ? Promise.reject(new DeadlinePassed()) : call();
      try {
        // The slot is held until the work really ends, even when the caller was answered at the deadline.
        return await untilDeadline(
          policies.slots.run(() => policy.execute(attempt), deadline),
          deadline,
        );
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw new ShardCallRefused('circuit-open');
        if (error instanceof BulkheadFull) throw new ShardCallRefused('overloaded');
        throw error;
      }
    },
    circuitOf: (shard) => {
      const policies = byShard.get(`${shard.kind}\u0000${shard.institution}`);
      return policies ? STATE_NAMES[policies.breaker.state] : 'closed';
    },
    circuits: () =>
      [...byShard.values()].map(({ shard, breaker }) => ({ ...shard, state: STATE_NAMES[breaker.state] })),
  };
}
