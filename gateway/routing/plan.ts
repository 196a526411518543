import type { FieldNode, FragmentDefinitionNode, VariableDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '../../schema/errors';
import { malformedIdMessage, ownerOf } from '../../schema/ids';
import type { Shard } from '../registry/registry';
import { decodeHubCursor, type Positions } from './cursor';
import { prepareConnection, type PreparedConnection } from './fan-out';
import {
  argumentValue,
  parseFetch,
  pickVariables,
  rootFields,
  subOperation,
  withDefaults,
  type FetchOperation,
  type RootField,
  type SubOperation,
  type Variables,
} from './operation';
import { routeFor, type Route, type RoutingRules } from './rules';
import type { ResponseError } from './shard-errors';

type Json = Record<string, unknown>;

/** What the planner knows of the federation for one subgraph kind: plain data, taken once per fetch. */
export interface RoutingView {
  kind: string;
  /** Every shard of the kind, in institution code order (the registry's order). */
  shards: readonly Shard[];
  rules: RoutingRules;
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

/** How the shards' answers to a fanned-out root field become one value. */
export type FanOutMerge =
  | { responseKey: string; merge: 'list' }
  | {
      responseKey: string;
      merge: 'connection';
      /** The client's selection, which shapes the merged page. */
      node: FieldNode;
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
}

export type MutationStep =
  | { responseKey: string; value: 'Mutation' }
  | { responseKey: string; error: ResponseError }
  | { responseKey: string; call: ShardRequest & { shard: Shard } };

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
}

export type FetchPlan = QueryPlan | MutationPlan | EntitiesPlan;

const errorAt = (field: RootField, code: ErrorCode, message: string, extra: Json = {}): ResponseError => ({
  message,
  path: [field.responseKey],
  extensions: { code, ...extra },
});

/** Cut-down fetches repeat as often as the fetches they come from. */
const subOperations = new LRUCache<string, SubOperation>({ max: 2_000 });

function cut(fetch: FetchOperation, fields: readonly FieldNode[], keys: string, extra: readonly VariableDefinitionNode[]): SubOperation {
  const cacheKey = `${keys}\u0000${fetch.query}`;
  let sub = subOperations.get(cacheKey);
  if (!sub) {
    sub = subOperation(fetch, fields, extra);
    subOperations.set(cacheKey, sub);
  }
  return sub;
}

/** The part of a fetch that asks for `fields` only, with the variables it uses. */
function cutFor(fetch: FetchOperation, fields: readonly RootField[], variables: Variables): ShardRequest {
  const sub = cut(fetch, fields.map((f) => f.node), fields.map((f) => f.responseKey).join(','), []);
  return { query: sub.query, variables: pickVariables(variables, sub.variableNames) };
}

function cacheKeys(fields: readonly RootField[], variables: Variables): CacheKeys {
  const ids = fields.map((field) => argumentValue(field.node, ['id'], variables)).filter((id): id is string => typeof id === 'string');
  return { fields: fields.map((field) => field.name), ids };
}

/**
 * Who answers a field any shard of the kind can answer (`compareUnits`, `verifyCredential`): the caller's own
 * institution, so each institution's questions cost its own shard and it sees its own shard's reference data
 * (ESCO); else the first in the registry whose circuit is not open, so one dead shard does not take such
 * fields down for everyone, and the same question keeps getting the same shard.
 */
function anyInstitution(view: RoutingView, caller: PlanCaller): string | null {
  const open = (shard: Shard) => view.openCircuits.has(shard.institution);
  const own = caller.institution ? view.shards.find((shard) => shard.institution === caller.institution) : undefined;
  const chosen = own && !open(own) ? own : (view.shards.find((shard) => !open(shard)) ?? own ?? view.shards[0]);
  return chosen?.institution ?? null;
}

/** The shard that owns a root field's target, or the error that says why there is none. */
function ownerShard(field: RootField, route: Route, view: RoutingView, caller: PlanCaller, variables: Variables): Shard | ResponseError {
  let institution: string | null;
  if (route.kind === 'owner') {
    const value = argumentValue(field.node, route.argument, variables);
    const path = route.argument.join('.');
    if (typeof value !== 'string') return errorAt(field, ErrorCode.BAD_USER_INPUT, `${path} must be a hub ID`, { field: path });
    institution = ownerOf(value);
    if (!institution) return errorAt(field, ErrorCode.BAD_USER_INPUT, malformedIdMessage(path, value), { field: path });
  } else if (route.kind === 'caller') {
    institution = caller.institution;
    if (!institution) {
      return errorAt(field, ErrorCode.UNAUTHENTICATED, caller.authError ?? `${field.name} acts for the caller's institution: send a bearer token`);
    }
  } else {
    institution = anyInstitution(view, caller);
  }
  const shard = institution ? view.shards.find((s) => s.institution === institution) : undefined;
  if (!shard) {
    return errorAt(field, ErrorCode.NOT_FOUND, `No institution "${institution}" with a ${view.kind} shard is registered in the hub`, { institution });
  }
  return shard;
}

interface FanOut {
  field: RootField;
  prepared: PreparedConnection | null;
  merge: FanOutMerge;
  after: Positions;
}

function planQuery(fetch: FetchOperation, fields: RootField[], variables: Variables, view: RoutingView, caller: PlanCaller): QueryPlan {
  const data: Json = {};
  const errors: ResponseError[] = [];
  const owned = new Map<string, RootField[]>();
  const anyShard = new Set<RootField>();
  const fanOuts: FanOut[] = [];
  fields.forEach((field, index) => {
    if (field.name === '__typename') {
      data[field.responseKey] = 'Query';
      return;
    }
    const route = routeFor(view.rules, 'query', field.name) ?? { kind: 'any' };
    if (route.kind === 'fan-out') {
      try {
        const prepared = route.shape === 'connection' ? prepareConnection(field.node, index) : null;
        const after = prepared ? decodeHubCursor(argumentValue(field.node, ['after'], variables) as string | null, 'after', field.name) : {};
        const first = Number(argumentValue(field.node, ['first'], variables) ?? route.defaultFirst);
        const merge: FanOutMerge = prepared
          ? { responseKey: field.responseKey, merge: 'connection', node: field.node, fragments: fetch.fragments, first, after }
          : { responseKey: field.responseKey, merge: 'list' };
        fanOuts.push({ field, prepared, merge, after });
      } catch (error) {
        data[field.responseKey] = null;
        errors.push({ ...errorAt(field, ErrorCode.BAD_USER_INPUT, (error as Error).message), extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' } });
      }
      return;
    }
    const shard = ownerShard(field, route, view, caller, variables);
    if ('message' in shard) {
      data[field.responseKey] = null;
      errors.push(shard);
      return;
    }
    const list = owned.get(shard.institution) ?? [];
    list.push(field);
    owned.set(shard.institution, list);
    if (route.kind === 'any') anyShard.add(field);
  });

  const targets = fanOuts.length > 0 ? view.shards : view.shards.filter((s) => owned.has(s.institution));
  // One shard answers the whole fetch: it gets the fetch as it came, uncut.
  const everyFieldToOne = fanOuts.length === 0 && targets.length === 1 && errors.length === 0;
  const calls = targets.map((shard): QueryCall => {
    const mine = owned.get(shard.institution) ?? [];
    const keys = mine.map((f) => f.responseKey);
    if (fanOuts.length === 0 && mine.every((field) => anyShard.has(field))) {
      const request = everyFieldToOne ? { query: fetch.query, variables } : cutFor(fetch, mine, variables);
      const standIns = view.shards.filter((other) => other.institution !== shard.institution);
      return { shard, ...request, owned: keys, standIns, cache: cacheKeys(mine, request.variables) };
    }
    if (everyFieldToOne && mine.length === fields.length) {
      return { shard, query: fetch.query, variables, owned: keys, standIns: null, cache: cacheKeys(mine, variables) };
    }
    const nodes = [...mine.map((f) => f.node), ...fanOuts.map((f) => f.prepared?.node ?? f.field.node)];
    const cutKeys = [...keys, ...fanOuts.map((f) => `*${f.field.responseKey}`)].join(',');
    const extra = fanOuts.flatMap((f) => (f.prepared ? [f.prepared.definition] : []));
    const sub = cut(fetch, nodes, cutKeys, extra);
    const shardVariables = pickVariables(variables, sub.variableNames);
    for (const fanOut of fanOuts) {
      if (fanOut.prepared) shardVariables[fanOut.prepared.afterVariable] = fanOut.after[shard.institution] ?? null;
    }
    const cache = cacheKeys([...mine, ...fanOuts.map((fanOut) => fanOut.field)], shardVariables);
    return { shard, query: sub.query, variables: shardVariables, owned: keys, standIns: null, cache };
  });
  return { type: 'query', data, errors, calls, fanOuts: fanOuts.map((fanOut) => fanOut.merge) };
}

function planMutation(fetch: FetchOperation, fields: RootField[], variables: Variables, view: RoutingView, caller: PlanCaller): MutationPlan {
  const steps = fields.map((field): MutationStep => {
    const responseKey = field.responseKey;
    if (field.name === '__typename') return { responseKey, value: 'Mutation' };
    const route = routeFor(view.rules, 'mutation', field.name) ?? { kind: 'caller' };
    const shard = ownerShard(field, route, view, caller, variables);
    if ('message' in shard) return { responseKey, error: shard };
    if (fields.length === 1) return { responseKey, call: { shard, query: fetch.query, variables } };
    const sub = cut(fetch, [field.node], responseKey, []);
    return { responseKey, call: { shard, query: sub.query, variables: pickVariables(variables, sub.variableNames) } };
  });
  return { type: 'mutation', steps };
}

function planEntities(fetch: FetchOperation, field: RootField, variables: Variables, view: RoutingView): EntitiesPlan {
  const representations = (variables.representations as Json[] | undefined) ?? [];
  const errors: ResponseError[] = [];
  const groups = new Map<string, { shard: Shard; indexes: number[] }>();
  const byInstitution = new Map(view.shards.map((shard) => [shard.institution, shard]));
  representations.forEach((representation, index) => {
    const id = representation.id;
    const owner = typeof id === 'string' ? ownerOf(id) : null;
    const shard = owner ? byInstitution.get(owner) : undefined;
    if (!shard) {
      errors.push({
        message: owner
          ? `No institution "${owner}" with a ${view.kind} shard is registered in the hub (${String(representation.__typename)} ${String(id)})`
          : `${String(representation.__typename)} reference ${JSON.stringify(id)} is not a hub ID`,
        path: [field.responseKey, index],
        extensions: { code: ErrorCode.NOT_FOUND, institution: owner },
      });
      return;
    }
    const group = groups.get(shard.institution) ?? { shard, indexes: [] };
    group.indexes.push(index);
    groups.set(shard.institution, group);
  });
  const calls = [...groups.values()].map(({ shard, indexes }) => ({
    shard,
    query: fetch.query,
    variables: { ...variables, representations: indexes.map((i) => representations[i]) },
    indexes,
  }));
  return { type: 'entities', responseKey: field.responseKey, representations, errors, calls };
}

/**
 * Decides where one subgraph fetch goes, without any I/O: by-ID fields and mutations to the owner's shard,
 * fields for the caller to the caller's, lists and connections out to every shard, other fields to any one
 * shard, `_entities` batches split by owner. Throws only on a fetch that is not one GraphQL operation.
 */
export function planFetch(fetch: ShardRequest, view: RoutingView, caller: PlanCaller): FetchPlan {
  const operation = parseFetch(fetch.query);
  const variables = withDefaults(operation, fetch.variables);
  const fields = rootFields(operation, variables);
  if (fields.length === 1 && fields[0]?.name === '_entities') return planEntities(operation, fields[0], variables, view);
  if (operation.type === 'mutation') return planMutation(operation, fields, variables, view, caller);
  return planQuery(operation, fields, variables, view, caller);
}
