/**
 * Where the entity cache keeps its entries: in the gateway's memory (one replica) or in Redis (every replica
 * shares one copy, so an invalidation is seen by all at once). Entries and tags are per shard: a shard's
 * changes invalidate only its own entries, and an operator can flush one institution's.
 */
export interface CachedEntry {
  /** The answer as JSON text. */
  value: string;
  /** The GraphQL type the entry answers (its budget in the memory store). */
  typeName: string;
}

/** Why entries left the cache. */
export type DropReason = 'write' | 'feed' | 'gap' | 'flush' | 'feed-lost' | 'write-unknown';

/** A place in a shard's change feed: which history (`feedId`) and how far into it. */
export interface FeedPosition {
  feedId: string;
  seq: number;
}

/** What a lookup finds: the scope's invalidation epoch as it read the entry, and the entry if there is one. */
export interface CacheRead {
  /**
   * A miss keeps this and fills only if it is unchanged: an answer read from the shard before an invalidation
   * is never stored after it.
   */
  epoch: number;
  entry: CachedEntry | undefined;
}

/** Entries are kept per scope: one shard (a kind of one institution). */
export interface CacheStore {
  read(scope: string, key: string): Promise<CacheRead>;
  /** Stores the entry under its tags if the epoch is still `epoch`; false if it moved on (or the entry is too big). */
  fill(scope: string, epoch: number, key: string, entry: CachedEntry, tags: readonly string[]): Promise<boolean>;
  /** Drops every entry carrying one of the tags; returns how many went. */
  invalidate(scope: string, tags: readonly string[]): Promise<number>;
  /** Drops every entry of the scope, and its shared cursor; returns how many went, or null where that is not counted. */
  flush(scope: string): Promise<number | null>;
  /** The change-feed position the entries are current with, where replicas share it. */
  sharedCursor(scope: string): Promise<FeedPosition | null>;
  /** Raises the shared cursor to `seq` within the same feed (never lowers it); another feed replaces it. */
  setSharedCursor(scope: string, position: FeedPosition): Promise<void>;
  close(): Promise<void>;
}
