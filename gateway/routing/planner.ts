import type { FieldNode, VariableDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '../../schema/errors';
import { ownerOf } from '../../schema/ids';
import type { Shard } from '../registry/registry';
import { decodeHubCursor, type Positions } from './cursor';
import { prepareConnection, type PreparedConnection } from './fan-out';
import { errorAt, ownerShard } from './field-owner';
import { connectionClaims, entitiesClaims, itemClaims, listClaims } from './own-items';
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
import type {
  ByIdClaim,
  CacheKeys,
  EntitiesPlan,
  FanOutMerge,
  FetchPlan,
  MutationPlan,
  MutationStep,
  PlanCaller,
  QueryCall,
  QueryPlan,
  RoutingView,
  ShardRequest,
  WriteClaim,
} from './plan';
import { routeFor, type Route } from './routing-table';
import type { ResponseError } from './shard-errors';

type Json = Record<string, unknown>;

/** Cut-down fetches repeat as often as the fetches they come from. */
const subOperations = new LRUCache<string, SubOperation>({ max: 2_000 });

function cut(
  fetch: FetchOperation,
  fields: readonly FieldNode[],
  keys: string,
  extra: readonly VariableDefinitionNode[],
): SubOperation {
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
  const sub = cut(
    fetch,
    fields.map((f) => f.node),
    fields.map((f) => f.responseKey).join(','),
    [],
  );
  return { query: sub.query, variables: pickVariables(variables, sub.variableNames) };
}

/** What the entity cache is told of a call: the root fields' names and the IDs they ask for. */
function cacheKeys(fields: readonly RootField[], variables: Variables): CacheKeys {
  const ids = fields
    .map((field) => argumentValue(field.node, ['id'], variables))
    .filter((id): id is string => typeof id === 'string');
  return { fields: fields.map((field) => field.name), ids };
}

interface FanOut {
  field: RootField;
  prepared: PreparedConnection | null;
  merge: FanOutMerge;
  after: Positions;
}

/** A fanned-out root field: a connection is rewritten for the shards; a cursor the hub did not issue throws. */
function fanOutOf(
  fetch: FetchOperation,
  field: RootField,
  index: number,
  route: Extract<Route, { kind: 'fan-out' }>,
  variables: Variables,
  members: ReadonlySet<string>,
): FanOut {
  const prepared = route.shape === 'connection' ? prepareConnection(field.node, index) : null;
  const after = prepared
    ? decodeHubCursor(argumentValue(field.node, ['after'], variables) as string | null, 'after', field.name, members)
    : {};
  const first = Number(argumentValue(field.node, ['first'], variables) ?? route.defaultFirst);
  const claims = prepared ? null : listClaims(field.node, fetch.fragments);
  const merge: FanOutMerge = prepared
    ? {
        responseKey: field.responseKey,
        merge: 'connection',
        claims: connectionClaims(field.node, fetch.fragments, prepared.ids, prepared.cursors),
        cursors: prepared.cursors,
        node: field.node,
        fragments: fetch.fragments,
        first,
        after,
      }
    : { responseKey: field.responseKey, merge: 'list', ...(claims ? { claims } : {}) };
  return { field, prepared, merge, after };
}

/** Where each root field of a query goes, before the calls are shaped. */
interface RoutedFields {
  data: Json;
  errors: ResponseError[];
  /** Root fields by the institution that answers them. */
  owned: Map<string, RootField[]>;
  /** Fields that any shard of the kind can answer: another may stand in when theirs fails. */
  anyShard: Set<RootField>;
  fanOuts: FanOut[];
  byId: ByIdClaim[];
}

function routeQueryFields(
  fetch: FetchOperation,
  fields: readonly RootField[],
  variables: Variables,
  view: RoutingView,
  caller: PlanCaller,
): RoutedFields {
  const routed: RoutedFields = {
    data: {},
    errors: [],
    owned: new Map(),
    anyShard: new Set(),
    fanOuts: [],
    byId: [],
  };
  const members = new Set(view.shards.map((shard) => shard.institution));
  fields.forEach((field, index) => {
    if (field.name === '__typename') {
      routed.data[field.responseKey] = 'Query';
      return;
    }
    const route = routeFor(view.rules, 'query', field.name) ?? { kind: 'any' };
    if (route.kind === 'fan-out') {
      try {
        routed.fanOuts.push(fanOutOf(fetch, field, index, route, variables, members));
      } catch (error) {
        routed.data[field.responseKey] = null;
        routed.errors.push({
          ...errorAt(field, ErrorCode.BAD_USER_INPUT, (error as Error).message),
          extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' },
        });
      }
      return;
    }
    const shard = ownerShard(field, route, view, caller, variables);
    if ('message' in shard) {
      routed.data[field.responseKey] = null;
      routed.errors.push(shard);
      return;
    }
    const list = routed.owned.get(shard.institution) ?? [];
    list.push(field);
    routed.owned.set(shard.institution, list);
    if (route.kind === 'any') routed.anyShard.add(field);
    const id = byIdOf(field, route, view, variables, fetch);
    if (id) routed.byId.push(id);
  });
  return routed;
}

function planQuery(
  fetch: FetchOperation,
  fields: readonly RootField[],
  variables: Variables,
  view: RoutingView,
  caller: PlanCaller,
): QueryPlan {
  const { data, errors, owned, anyShard, fanOuts, byId } = routeQueryFields(fetch, fields, variables, view, caller);
  const targets = fanOuts.length > 0 ? view.shards : view.shards.filter((s) => owned.has(s.institution));
  // One shard answers the whole fetch: it gets the fetch as it came, uncut.
  const everyFieldToOne = fanOuts.length === 0 && targets.length === 1 && errors.length === 0;
  // Shards that own none of the fields get the same cut of the fetch, and tell the entity cache the same fields
  // and IDs (the client's; only `after` differs from shard to shard): both made once, not once per shard.
  let fanOutsOnly: { sub: SubOperation; cache: CacheKeys } | undefined;
  const fanOutFields = fanOuts.map((fanOut) => fanOut.field);
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
    if (mine.length > 0) {
      const sub = fanOutCut(fetch, mine, fanOuts);
      return { shard, ...withFanOuts(sub, mine, fanOuts, shard, variables), owned: keys, standIns: null };
    }
    fanOutsOnly ??= { sub: fanOutCut(fetch, mine, fanOuts), cache: cacheKeys(fanOutFields, variables) };
    const { sub, cache } = fanOutsOnly;
    return { shard, ...withFanOuts(sub, mine, fanOuts, shard, variables, cache), owned: keys, standIns: null };
  });
  return {
    type: 'query',
    data,
    errors,
    calls,
    fanOuts: fanOuts.map((fanOut) => fanOut.merge),
    ...(byId.length > 0 ? { byId } : {}),
  };
}

/** The ID a field routed by its `id` asks for; null for a field routed otherwise (or without a usable ID). */
function idAskedBy(field: RootField, route: Route, variables: Variables): string | null {
  if (route.kind !== 'owner' || route.argument.join('.') !== 'id') return null;
  const id = argumentValue(field.node, ['id'], variables);
  return typeof id === 'string' ? id : null;
}

/** A field that fetches one entity by its `id`, and how its answer shows which it is; null for any other field. */
function byIdOf(
  field: RootField,
  route: Route,
  view: RoutingView,
  variables: Variables,
  fetch: FetchOperation,
): ByIdClaim | null {
  if (!view.rules.query.get(field.name)?.entityType) return null;
  const id = idAskedBy(field, route, variables);
  const claims = itemClaims(field.node.selectionSet, fetch.fragments);
  return id !== null && claims ? { responseKey: field.responseKey, id, claims } : null;
}

/**
 * How a write's answer shows which item it is, when its type carries hub IDs and the selection asks for what shows
 * it: a write to one item by its `id` answers that item; any other, an item of the owner it went to.
 */
function writeClaim(
  field: RootField,
  route: Route,
  view: RoutingView,
  variables: Variables,
  fetch: FetchOperation,
): { claim: WriteClaim } | null {
  if (!view.rules.mutation.get(field.name)?.writes) return null;
  const claims = itemClaims(field.node.selectionSet, fetch.fragments);
  return claims ? { claim: { id: idAskedBy(field, route, variables), claims } } : null;
}

/** A shard's owned fields and every fan-out, cut from the fetch. */
function fanOutCut(fetch: FetchOperation, mine: readonly RootField[], fanOuts: readonly FanOut[]): SubOperation {
  const nodes = [...mine.map((f) => f.node), ...fanOuts.map((f) => f.prepared?.node ?? f.field.node)];
  const keys = [...mine.map((f) => f.responseKey), ...fanOuts.map((f) => `*${f.field.responseKey}`)].join(',');
  const extra = fanOuts.flatMap((f) => (f.prepared ? [f.prepared.definition] : []));
  return cut(fetch, nodes, keys, extra);
}

/**
 * The request of a shard's cut (`fanOutCut`), each connection read from the shard's own position; `cache`, when
 * given, is what the entity cache is told, already made for another shard of the same cut.
 */
function withFanOuts(
  sub: SubOperation,
  mine: readonly RootField[],
  fanOuts: readonly FanOut[],
  shard: Shard,
  variables: Variables,
  cache?: CacheKeys,
): ShardRequest & { cache: CacheKeys } {
  const shardVariables = pickVariables(variables, sub.variableNames);
  for (const fanOut of fanOuts) {
    if (fanOut.prepared) shardVariables[fanOut.prepared.afterVariable] = fanOut.after[shard.institution] ?? null;
  }
  return {
    query: sub.query,
    variables: shardVariables,
    cache: cache ?? cacheKeys([...mine, ...fanOuts.map((fanOut) => fanOut.field)], shardVariables),
  };
}

function planMutation(
  fetch: FetchOperation,
  fields: RootField[],
  variables: Variables,
  view: RoutingView,
  caller: PlanCaller,
): MutationPlan {
  const steps = fields.map((field): MutationStep => {
    const responseKey = field.responseKey;
    if (field.name === '__typename') return { responseKey, value: 'Mutation' };
    const route = routeFor(view.rules, 'mutation', field.name) ?? { kind: 'caller' };
    const shard = ownerShard(field, route, view, caller, variables);
    if ('message' in shard) return { responseKey, error: shard };
    const claim = writeClaim(field, route, view, variables, fetch);
    if (fields.length === 1) return { responseKey, call: { shard, query: fetch.query, variables }, ...claim };
    const sub = cut(fetch, [field.node], responseKey, []);
    const call = { shard, query: sub.query, variables: pickVariables(variables, sub.variableNames) };
    return { responseKey, call, ...claim };
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
  const claims = entitiesClaims(field.node.selectionSet, fetch.fragments);
  return {
    type: 'entities',
    responseKey: field.responseKey,
    representations,
    errors,
    calls,
    ...(claims.size > 0 ? { claims } : {}),
  };
}

/**
 * Decides where one subgraph fetch goes, without any I/O: by-ID fields and mutations to the owner's shard,
 * fields for the caller to the caller's, lists and connections out to every shard, other fields to any one
 * shard, `_entities` batches split by owner. Throws only on a fetch that does not parse as exactly one operation.
 */
export function planFetch(fetch: ShardRequest, view: RoutingView, caller: PlanCaller): FetchPlan {
  const operation = parseFetch(fetch.query);
  const variables = withDefaults(operation, fetch.variables);
  const fields = rootFields(operation, variables);
  if (fields.length === 1 && fields[0]?.name === '_entities')
    return planEntities(operation, fields[0], variables, view);
  if (operation.type === 'mutation') return planMutation(operation, fields, variables, view, caller);
  return planQuery(operation, fields, variables, view, caller);
}
