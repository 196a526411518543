/** The public types cached by default, with the memory store's byte budget of each. */
export const DEFAULT_CACHED_TYPES: ReadonlyMap<string, number> = new Map([
  ['Institution', 1_000_000],
  ['Qualification', 8_000_000],
  ['Unit', 32_000_000],
  ['LearningOutcome', 16_000_000],
]);

export const DEFAULT_FEED_WAIT_MS = 10_000;
export const DEFAULT_FEED_GRACE_MS = 2_000;

/** What configuration sets (gateway options, environment). */
export interface EntityCacheSettings {
  /** Cached types: each with its byte budget in memory, or its largest entry in Redis. */
  types?: ReadonlyMap<string, number>;
  /** Redis shared by the gateway replicas; in memory without it. */
  redisUrl?: string | null;
  /** Prefix of the cache's Redis keys, for hubs sharing one Redis. @default 'hub' */
  redisNamespace?: string;
  /** How long a shard may hold a change-feed poll open. @default 10_000 */
  feedWaitMs?: number;
  /** How much longer a silent feed is trusted before its institution's entries are dropped. @default 2_000 */
  feedGraceMs?: number;
  /** `max-age` of the Cache-Control hint on answers made only of public entities. @default 0 */
  clientMaxAgeSeconds?: number;
  /** Bearer token of operators allowed to flush an institution's entries (`POST /cache/flush`); none: no route. */
  operatorToken?: string | null;
}

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1_000, MB: 1_000_000, GB: 1_000_000_000 };

/**
 * Reads `Type:size,Type:size` (sizes in bytes, or with KB/MB/GB), e.g. "Unit:32MB,Qualification:8MB"; the
 * types listed are the ones cached. Throws with the entry at fault.
 */
export function parseCachedTypes(text: string): Map<string, number> {
  const types = new Map<string, number>();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Z][A-Za-z0-9_]*):(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(entry);
    if (!match) throw new Error(`"${entry}" is not Type:size (e.g. Unit:32MB)`);
    const [, typeName = '', amount = '0', unit = ''] = match;
    types.set(typeName, Math.round(Number(amount) * (UNITS[unit.toUpperCase()] ?? 1)));
  }
  return types;
}
