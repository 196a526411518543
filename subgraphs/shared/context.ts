import type { Caller } from '../../platform/caller';
import type { Database } from './database';
import type { HubClient } from './hub-client';
import type { OutboxSignal } from './outbox/outbox';

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

/** What a shard's resolvers reach besides their database. */
export interface ShardServices {
  /** Reads what other shards own (memoranda, units, transcripts), through the hub; null without a hub URL. */
  hub: HubClient | null;
  /** Wakes event subscribers after a commit (Redis across replicas when configured). */
  outbox: OutboxSignal;
}

/** A kind's request context: the request, the shard's database and the kind's per-request loaders. */
export interface KindContext<Loaders> extends ShardRequestContext {
  db: Database;
  loaders: Loaders;
}

/** The context of a kind that reads other shards through the hub and publishes events. */
export interface ServedKindContext<Loaders> extends KindContext<Loaders>, ShardServices {}
