import type { FieldNode, FragmentDefinitionNode } from 'graphql';
import type { Shard } from '../registry/registry';
import type { Positions } from './cursor';
import type { CursorKeys } from './fan-out';
import type { Variables } from './operation';
import type { Claims, ItemsClaim } from './own-items';
import type { RoutingTable } from './routing-table';
import type { ResponseError } from './shard-errors';

type Json = Record<string, unknown>;

/** What the planner knows of the federation for one subgraph kind: plain data, taken once per fetch. */
export interface RoutingView {
  kind: string;
  /** Every shard of the kind, in institution code order (the registry's order). */
  shards: readonly Shard[];
  rules: RoutingTable;
  /** Institutions whose circuit to their shard of this kind is open: fields any shard can answer avoid them. */
  openCircuits: ReadonlySet<string>;
}

/** Who is asking: their institution (null when anonymous) and why a token they sent was refused. */
export interface PlanCaller {
  institution: string | null;
  authError?: string;
}

/** A subgraph fetch as the query planner sent it. */
export interface ShardRequest {
  query: string;
  variables: Variables;
}

/** What the entity cache is told of a query call: the root fields it answers and the IDs they ask for. */
export interface CacheKeys {
  fields: string[];
  ids: string[];
}

/** One shard call of a query. */
export interface QueryCall extends ShardRequest {
  shard: Shard;
  /** Response keys of the root fields this call alone answers (by owner, for the caller, or any shard). */
  owned: string[];
  /** A call any shard could answer: the other shards that may stand in when it fails, in order; else null. */
  standIns: Shard[] | null;
  cache: CacheKeys;
}

/**
 * How the shards' answers to a fanned-out root field become one value; `claims` says how a shard's items show
 * whose they are (a list whose selection shows nothing of it has none).
 */
export type FanOutMerge =
  | { responseKey: string; merge: 'list'; claims?: ItemsClaim[] }
  | {
      responseKey: string;
      merge: 'connection';
      claims: ItemsClaim[];
      /** The client's selection, which shapes the merged page. */
      node: FieldNode;
      /** Where each shard's answer carries its items' cursors. */
      cursors: CursorKeys;
      fragments: ReadonlyMap<string, FragmentDefinitionNode>;
      first: number;
      after: Positions;
    };

/** Root query fields sent in parallel, one call per shard, merged by owner and by fan-out. */
export interface QueryPlan {
  type: 'query';
  /** Values known without a shard (`__typename`) and nulls for fields that go nowhere, in field order. */
  data: Json;
  /** Why the fields that go nowhere do (unknown owner, bad ID or cursor, no caller). */
  errors: ResponseError[];
  calls: QueryCall[];
  /** Every shard of the kind answers these; the calls above are then one per shard. */
  fanOuts: FanOutMerge[];
  /**
   * The by-ID root fields whose selection shows which item the answer is (its `id`, its `institution`): an owner's
   * answer naming another item or institution is refused (own-items), as a fan-out refuses such a share.
   */
  byId?: ByIdClaim[];
}

/** A by-ID root field's ID, and how its answer shows which item it is. */
export interface ByIdClaim {
  responseKey: string;
  id: string;
  claims: Claims;
}

/**
 * How a write's answer shows which item it is, where its type carries hub IDs: `id` is the item the write was
 * asked of (`@owner(argument: "id")`); null, the answer is any item of the owner's own (one it created).
 */
export interface WriteClaim {
  id: string | null;
  claims: Claims;
}

/**
 * One mutation field: answered by the hub itself, refused with the routing error, or sent to its owner; an answer
 * naming another item or member than `claim` allows is refused (own-items).
 */
export type MutationStep =
  | { responseKey: string; value: 'Mutation' }
  | { responseKey: string; error: ResponseError }
  | { responseKey: string; call: ShardRequest & { shard: Shard }; claim?: WriteClaim };

/** Root mutation fields run one after another, in document order, each on its owner's shard. */
export interface MutationPlan {
  type: 'mutation';
  steps: MutationStep[];
}

/** One owner's part of an `_entities` batch; `variables.representations` holds its references, in order. */
export interface EntitiesCall extends ShardRequest {
  shard: Shard;
  /** The positions of its references in the whole batch, where their answers go back. */
  indexes: number[];
}

/** An `_entities` batch split by owner; the owners' calls run in parallel. */
export interface EntitiesPlan {
  type: 'entities';
  responseKey: string;
  representations: Json[];
  /** References no registered shard owns, at their positions. */
  errors: ResponseError[];
  calls: EntitiesCall[];
  /**
   * By type, how an answer shows which item it is (its `id`, its `institution`): an owner's answer naming another
   * item or institution is refused at its place (own-items).
   */
  claims?: ReadonlyMap<string, Claims>;
}

/** What `planFetch` decides for one fetch and `runPlan` carries out: plain data, no I/O. */
export type FetchPlan = QueryPlan | MutationPlan | EntitiesPlan;
