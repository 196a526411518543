import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { CacheMiss, EntityCache } from '../cache';
import type { HubContext } from '../context';
import type { Shard } from '../registry/registry';
import type { CacheKeys, EntitiesCall, ShardRequest } from './plan';
import type { CacheResult, ShardResult } from './shard-call';
import { neverSent } from './shard-errors';

type Json = Record<string, unknown>;

/** What routing uses of the entity cache. */
export type RoutingCache = Pick<EntityCache, 'rootType' | 'cachesType' | 'lookup' | 'fill' | 'afterWrite' | 'bypass'>;

/** The entity cache and the request it serves. */
export interface CacheStep {
  cache: RoutingCache;
  context: HubContext;
}

/**
 * A query to one shard through the entity cache: answered from it when the call asks only for cached
 * types (by ID, or a shard's page of a list) and an entry is there; otherwise sent, and its answer stored
 * if the shard marked it public.
 */
export async function throughCache(
  step: CacheStep | undefined,
  shard: Shard,
  request: ShardRequest,
  keys: CacheKeys,
  send: (cache: Exclude<CacheResult, 'hit'>) => Promise<ShardResult>,
  onHit: () => void,
): Promise<ShardResult> {
  if (!step) return send('bypass');
  const { cache, context } = step;
  const typeName = cache.rootType(keys.fields);
  const lookup = typeName ? await cache.lookup(context, shard, typeName, request, keys.ids) : null;
  if (!lookup) {
    cache.bypass(context);
    return send('bypass');
  }
  if ('hit' in lookup) {
    onHit();
    return { shard, response: lookup.hit as GatewayGraphQLResponse };
  }
  const result = await send('miss');
  if ('response' in result) await cache.fill(lookup.miss, { data: result.response.data }, result.response);
  return result;
}

/**
 * Looks up the references of one owner's `_entities` call, answering those the cache holds into `results`;
 * returns the positions still to ask the shard, with the misses to fill for those the cache may keep.
 */
export async function entitiesFromCache(
  step: CacheStep | undefined,
  call: EntitiesCall,
  representations: readonly Json[],
  results: unknown[],
): Promise<Map<number, CacheMiss | null>> {
  const misses = new Map<number, CacheMiss | null>();
  if (!step) {
    for (const index of call.indexes) misses.set(index, null);
    return misses;
  }
  const { cache, context } = step;
  const { representations: _representations, ...variables } = call.variables;
  await Promise.all(
    call.indexes.map(async (index) => {
      const representation = representations[index] ?? {};
      const typeName = String(representation.__typename);
      const requestedIds = typeof representation.id === 'string' ? [representation.id] : [];
      const lookup = cache.cachesType(typeName)
        ? await cache.lookup(
            context,
            call.shard,
            typeName,
            { query: call.query, variables: { representation, variables } },
            requestedIds,
          )
        : null;
      if (lookup && 'hit' in lookup) results[index] = lookup.hit;
      else {
        if (!lookup) cache.bypass(context);
        misses.set(index, lookup ? lookup.miss : null);
      }
    }),
  );
  return misses;
}

/** Stores the answers of the references the cache may keep. */
export async function fillEntities(
  step: CacheStep | undefined,
  misses: ReadonlyMap<number, CacheMiss | null>,
  indexes: readonly number[],
  answers: readonly unknown[],
  response: GatewayGraphQLResponse,
): Promise<void> {
  if (!step) return;
  await Promise.all(
    indexes.map((index, j) => {
      const miss = misses.get(index);
      return miss ? step.cache.fill(miss, answers[j], response) : undefined;
    }),
  );
}

/**
 * After a write, before its answer goes back: a read that follows it must not find what the write changed.
 * A call that never reached the shard changed nothing (and flushing then would only add load to an
 * overloaded shard).
 */
export async function afterWrite(step: CacheStep | undefined, shard: Shard, result: ShardResult): Promise<void> {
  if (step && ('response' in result || !neverSent(result.failure)))
    await step.cache.afterWrite(shard, 'response' in result ? result.response : null);
}
