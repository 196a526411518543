import type { Caller } from '../platform/caller';
import type { HopIdempotency } from '../platform/signed-hop';
import type { TraceSpan } from '../platform/tracing';

/** What the gateway knows about a request, handed to every data source call. */
export interface HubContext {
  /** The request's id: on the response, in every error, on every log line and on the signed hop to shards. */
  requestId: string;
  /** The verified caller, or null for anonymous (public) requests. */
  caller: Caller | null;
  /** Why a presented token was refused, if one was. */
  authError?: string;
  /** `performance.now()` when the request arrived (latency metrics); its shard calls' deadline counts from it. */
  receivedAt: number;
  /** How long the caller said it would wait (`x-hub-budget-ms`, a shard asking through the hub): shortens the deadline. */
  budgetMs?: number;
  /** A mutation's Idempotency-Key and the digest of the whole operation, signed into every hop to the shards. */
  idempotency?: HopIdempotency;
  /** The span the next hop names as its parent (`traceparent`): the request's at the gateway, a shard call's on its hop. */
  trace?: TraceSpan;
  /** Set by the hub's own statistics fan-out (statistics/): the only request that may read shards' base cells. */
  statisticsFanOut?: true;
}
