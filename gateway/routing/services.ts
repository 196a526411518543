import type { GraphQLDataSource } from '@apollo/gateway';
import type { EntityCache } from '../cache';
import type { Catalogue } from '../catalogue';
import type { HubContext } from '../context';
import type { Registry, Shard } from '../registry/registry';
import type { Resilience } from '../resilience/resilience';
import { OwnerRoutingDataSource, type ShardCallEvent } from './data-source';
import type { RoutingTable } from './routing-table';
import { isIncomingOperation } from './shard-client';

export interface ServicesOptions {
  registry: Registry;
  routing: RoutingTable;
  /** The data source that calls one shard (signing, connection pool, timeout); also serves a kind without shards. */
  shardSource: (shard: Shard) => GraphQLDataSource<HubContext>;
  /** A request's deadline: this long after it arrived (`HubContext.receivedAt`). */
  timeoutMs: number;
  resilience: Resilience;
  onShardCall: (event: ShardCallEvent) => void;
  /** The entity cache for public types; none: every call goes to its shard. */
  cache?: EntityCache;
  /** The catalogue that answers lists and searches; none: they fan out. */
  catalogue?: Catalogue;
}

/**
 * Apollo Gateway's `buildService`: owner routing for every kind the registry shards; a kind without shards is
 * called at its supergraph URL exactly as stock Apollo Gateway would.
 */
export function buildServices(
  options: ServicesOptions,
): (service: { name: string; url?: string }) => GraphQLDataSource<HubContext> {
  const { registry, routing, shardSource, timeoutMs, resilience, onShardCall, cache, catalogue } = options;
  return ({ name, url }) => {
    if (registry.shards(name).length > 0)
      return new OwnerRoutingDataSource({
        kind: name,
        registry,
        rules: routing,
        shardSource,
        timeoutMs,
        resilience,
        onShardCall,
        cache,
        catalogue,
      });
    const source = shardSource({ institution: '', kind: name, url: url ?? '' });
    if (!cache) return source;
    // A subgraph without shards has no cache hints: what it answers is never called public.
    return {
      process: (request) => {
        if (isIncomingOperation(request)) cache.bypass(request.context);
        return source.process(request);
      },
    };
  };
}
