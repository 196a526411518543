import type { Shard } from '../registry/registry';
import type { Route, RootFieldRule, RoutingTable } from './routing-table';

/** A routing table for unit tests, from `'query.unit'`-style keys: routes only, nothing cacheable, no subscriptions. */
export function routingTableOf(routes: ReadonlyArray<readonly [string, Route]>): RoutingTable {
  const query = new Map<string, RootFieldRule>();
  const mutation = new Map<string, RootFieldRule>();
  for (const [key, route] of routes) {
    const [operation, field] = key.split('.') as ['query' | 'mutation', string];
    (operation === 'query' ? query : mutation).set(field, { route, entityType: null, writes: null });
  }
  return { query, mutation, byId: new Map(), subscription: new Map() };
}

export const DE = 'bbs-hannover.de';
export const FI = 'omnia.fi';
export const LV = 'rvt.lv';

/** A qualifications shard of the institution, at a URL no test dials. */
export const shard = (institution: string): Shard => ({
  institution,
  kind: 'qualifications',
  url: `http://${institution}/graphql`,
});

/** Three shards in institution code order, as the registry lists them. */
export const SHARDS = [shard(DE), shard(FI), shard(LV)];
