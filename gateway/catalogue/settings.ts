import type { ReadBudgetSettings } from './read-budget';

/** How long a shard may hold a catalogue feed poll open, and how much longer a silent feed is trusted. */
export const DEFAULT_CATALOGUE_FEED_WAIT_MS = 10_000;
export const DEFAULT_CATALOGUE_FEED_GRACE_MS = 2_000;
/** Longest wait between two attempts to read back an institution whose shard does not answer. */
export const DEFAULT_REBUILD_BACKOFF_MS = 2_000;
/**
 * Whole institutions read at once (at start, after feed gaps). A whole read is megabytes of text from one shard (about
 * 4 KB a unit); started together for every member, none would be current until all were, and the hub would hold every
 * read in memory at once. A few at a time keep the shards' and the hub's cores busy, and parts become current one by one.
 */
export const WHOLE_READS_AT_ONCE = 4;
/**
 * How often the part of an institution whose shard serves no change feed (404 on `/changes`, an institution's own
 * system, say) is read again whole: its part is at most this old, plus one read.
 */
export const DEFAULT_UNFOLLOWED_REFRESH_MS = 60_000;
/**
 * What the catalogue reads of one member (see read-budget.ts): 64 MiB of answers at once, then 16 MiB a minute. A
 * member of 2,000 units sends some 8 MB a whole read, which costs the hub about 2 s of CPU to read, fold and write:
 * it may be read whole some eight times in a row (feed gaps one after another), and twice a minute for ever (a shard
 * without a feed is read once a minute). One whose feed has it read without end costs the hub some 9% of a core, not
 * 62% (npm run bench -- catalogue-hostile); one read of the most a member may send (MAX_READ_BYTES_PER_INSTITUTION)
 * still goes whole, and its next waits some twelve minutes.
 */
export const DEFAULT_MEMBER_READ_BUDGET: ReadBudgetSettings = {
  bytes: 64 * 1024 * 1024,
  bytesPerMinute: 16 * 1024 * 1024,
};
/** More records than this named by one change: the institution is read again whole (one request, paged). */
export const MAX_RECORDS_READ_BY_TAG = 50;

/**
 * Most units, and most qualifications, the catalogue reads of one institution: a shard answering page after page
 * without end fails its read past this, instead of growing the hub's memory. Generous: a large school holds a few
 * thousand.
 */
export const DEFAULT_MAX_ITEMS_PER_INSTITUTION = 100_000;
/**
 * Most characters of text (titles, descriptions, outcomes, criteria, skills, IDs) one unit or qualification read
 * for the catalogue may hold; a shard accepts texts of at most 4,000 characters, so this allows some fifty of them.
 */
export const MAX_ITEM_TEXT_CHARS = 200_000;

/** What configuration sets (gateway options, environment). */
export interface CatalogueSettings {
  /** `postgres://…`: a catalogue shared by every gateway replica; none: SQLite in this process. */
  url?: string | null;
  /** The embedded engine's file. @default in memory (rebuilt from the shards at every start) */
  sqlitePath?: string;
  /** @default 10_000 */
  feedWaitMs?: number;
  /** @default 2_000 */
  feedGraceMs?: number;
  /** How often an institution without a change feed is read again whole. @default 60_000 */
  unfollowedRefreshMs?: number;
  /** How long a read of a shard for the catalogue may take. @default 10_000 */
  readTimeoutMs?: number;
  /** Most units, and most qualifications, read of one institution (`CATALOG_MAX_ITEMS_PER_INSTITUTION`). @default 100_000 */
  maxItemsPerInstitution?: number;
  /**
   * What the catalogue reads of one member's shard (`CATALOG_MEMBER_READ_BYTES`, `CATALOG_MEMBER_READ_BYTES_PER_MINUTE`).
   * @default DEFAULT_MEMBER_READ_BUDGET
   */
  memberReadBudget?: ReadBudgetSettings;
  /** Bearer token of operators allowed to rebuild an institution (`POST /catalogue/rebuild`); none: no route. */
  operatorToken?: string | null;
}
