import { performance } from 'node:perf_hooks';

/**
 * How long the caller will still wait for an answer, in whole milliseconds: sent by the gateway on every shard call
 * and by a shard on its own calls to the hub, so that a request that goes gateway → shard → gateway → shard ends
 * inside the first caller's deadline, not a full timeout later at each hop (gRPC's `grpc-timeout` does the same).
 * It is not signed: it can only shorten the receiver's own deadline, never lengthen it.
 */
export const BUDGET_HEADER = 'x-hub-budget-ms';

/** A well-formed budget, capped at `maxMs`; undefined for none or a malformed one (which is ignored, not refused). */
export function parseBudget(value: string | string[] | undefined, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return undefined;
  return Math.min(Number(value), maxMs);
}

/** A budget received with a request: what is left of it now. */
export interface Budget {
  /** `performance.now()` when the request arrived. */
  readonly arrivedAt: number;
  readonly ms: number;
}

/** Milliseconds left of a budget, less what the receiver keeps for its own work; 0 once spent. */
export function budgetLeft(budget: Budget, keepMs = 0): number {
  return Math.max(0, Math.floor(budget.arrivedAt + budget.ms - keepMs - performance.now()));
}
