import 'reflect-metadata';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { HubContext } from '../gateway/context';
import type { Shard } from '../gateway/registry/registry';
import * as shardClient from '../gateway/routing/shard-client';
import { LeanShardSource } from './lib/lean-shard-source';

/**
 * BENCH PROTOTYPE, process entry: the hub exactly as gateway/main.ts starts it, with one change — the shard
 * transport is bench/lib/lean-shard-source.ts (undici Pool.request) instead of RemoteGraphQLDataSource on
 * undici fetch. It exists to measure that lever at the hub level before anyone changes
 * gateway/routing/shard-client.ts; nothing else uses it.
 */
const patchable = shardClient as unknown as { createShardClients: typeof shardClient.createShardClients };
patchable.createShardClients = (options) => {
  const sources = new Map<string, LeanShardSource>();
  return {
    sourceFor: (shard: Shard): GraphQLDataSource<HubContext> => {
      const key = `${shard.url}\u0000${shard.institution}`;
      let source = sources.get(key);
      if (!source) {
        source = new LeanShardSource(shard.url, options.secretFor(shard), options.timeoutMs, options.connectionsPerShard);
        sources.set(key, source);
      }
      return source;
    },
    close: async () => {
      await Promise.all([...sources.values()].map((source) => source.close()));
    },
  };
};

// Loaded only now, after the patch (an import would be hoisted above it); gateway/main starts the hub itself.
require('../gateway/main');
