export { createEntityCache, type CacheLookup, type CacheMiss, type EntityCache } from './entity-cache';
export {
  DEFAULT_CACHED_TYPES,
  DEFAULT_FEED_GRACE_MS,
  DEFAULT_FEED_WAIT_MS,
  parseCachedTypes,
  type EntityCacheSettings,
} from './settings';
