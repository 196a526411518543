import type { Budget } from '../../platform/budget';
import { currentTraceScope, runInTraceScope, type TraceScope, type TraceSpan } from '../../platform/tracing';
import type { IdempotencyState } from './idempotency/idempotency';

/**
 * What a shard learns about one GraphQL request while running it, wherever in the call tree it learns it:
 * database hooks (TypeORM subscribers) and plugins see the same object without it being passed down.
 */
export interface ShardRequestScope extends TraceScope {
  /** Cache tags of the public records the answer was read from: the hub's entity cache keys on them. */
  readonly reads: Set<string>;
  /** Cache tags of the records a committed write changed: the hub drops its entries for them. */
  readonly changes: Set<string>;
  /** The change-feed numbers of those changes: the hub need not drop the same entries again when the feed brings them. */
  readonly changeSeqs: number[];
  /** Whether an answer depended on who asked (an access rule read the caller): never cached across callers. */
  callerConsulted: boolean;
  /** The mutation's Idempotency-Key, when the gateway signed one in, and whether a commit has claimed it. */
  idempotency?: IdempotencyState;
  /** The request's span, continuing the gateway's shard call (see tracing.ts). */
  trace?: TraceSpan;
  /** How long the gateway waits for this answer (`x-hub-budget-ms`): calls to the hub made for it end inside it. */
  budget?: Budget;
}

const scopes = new WeakSet<TraceScope>();

/** Runs one request with a fresh scope, in the process's one request storage (platform/tracing.ts). */
export function runInRequestScope<T>(work: () => Promise<T>): Promise<T> {
  const scope: ShardRequestScope = { reads: new Set(), changes: new Set(), changeSeqs: [], callerConsulted: false };
  scopes.add(scope);
  return runInTraceScope(work, scope);
}

/** The running request's scope; undefined outside one (seeding, migrations, background work). */
export function currentRequestScope(): ShardRequestScope | undefined {
  const scope = currentTraceScope();
  // Only scopes made above are shard request scopes; the set says so without trusting a cast.
  return scope && scopes.has(scope) ? (scope as ShardRequestScope) : undefined;
}
