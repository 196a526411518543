import type { Caller } from '../../platform/caller';

/** What every shard resolver knows about the request, whatever the kind. */
export interface ShardRequestContext {
  /** The institution this shard serves. */
  institution: string;
  /** The caller vouched for by the gateway; null for public (unsigned) calls. */
  caller: Caller | null;
  /** Why a signed hop was refused, when it was: reported as UNAUTHENTICATED where a caller is needed. */
  hopError: string | null;
  requestId: string;
}
