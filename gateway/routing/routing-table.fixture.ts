import type { Route, RootFieldRule, RoutingTable } from './routing-table';

/** A routing table for unit tests, from `'query.unit'`-style keys: routes only, nothing cacheable, no subscriptions. */
export function routingTableOf(routes: ReadonlyArray<readonly [string, Route]>): RoutingTable {
  const query = new Map<string, RootFieldRule>();
  const mutation = new Map<string, RootFieldRule>();
  for (const [key, route] of routes) {
    const [operation, field] = key.split('.') as ['query' | 'mutation', string];
    (operation === 'query' ? query : mutation).set(field, { route, entityType: null });
  }
  return { query, mutation, byId: new Map(), subscription: new Map() };
}
