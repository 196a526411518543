import { Counter, Histogram, type Registry as MetricsRegistry } from 'prom-client';

/** The entity cache's counters, on the gateway's metrics registry (none: counted nowhere). */
export function createCacheMetrics(registry: MetricsRegistry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    hits: new Counter({
      name: 'hub_entity_cache_hits_total',
      help: 'Shard calls answered from the entity cache, by type',
      labelNames: ['type'],
      registers,
    }),
    misses: new Counter({
      name: 'hub_entity_cache_misses_total',
      help: 'Cacheable shard calls sent to the shard, by type',
      labelNames: ['type'],
      registers,
    }),
    evictions: new Counter({
      name: 'hub_entity_cache_evictions_total',
      help: 'Entries pushed out to stay within a type budget',
      labelNames: ['type'],
      registers,
    }),
    invalidations: new Counter({
      name: 'hub_entity_cache_invalidations_total',
      help: 'Invalidations by source (write through the hub, change feed, feed gap, operator flush, feed lost)',
      labelNames: ['source'],
      registers,
    }),
    dropped: new Counter({
      name: 'hub_entity_cache_dropped_entries_total',
      help: 'Entries dropped by invalidations, by source',
      labelNames: ['source'],
      registers,
    }),
    staleness: new Histogram({
      name: 'hub_entity_cache_staleness_seconds',
      help: "From a change's commit at its shard to its invalidation here: how stale a cached read could have been",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

export type CacheMetrics = ReturnType<typeof createCacheMetrics>;
