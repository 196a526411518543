import type { RoutingTable } from './routing-table';

export { buildRoutingTable as routingRulesFromSupergraph, routeFor, type Route } from './routing-table';

/** The routes of the root fields: the routing table, under the name the owner-routing data source takes it by. */
export type RoutingRules = RoutingTable;
