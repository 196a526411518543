import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { FieldNode, VariableDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '../../schema/errors';
import { malformedIdMessage, ownerOf } from '../../schema/ids';
import type { HubContext } from '../context';
import type { Registry, Shard } from '../registry/registry';
import { decodeHubCursor, type Positions } from './cursor';
import { mergeConnection, prepareConnection, type PreparedConnection } from './fan-out';
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
import type { CacheMiss, EntityCache } from '../cache/entity-cache';
import type { Resilience } from '../resilience/resilience';
import { dedupe, failureCause, fromShard, MalformedAnswer, neverSent, shardFailure, type FailureCause, type ResponseError } from './shard-errors';

type ProcessOptions = GraphQLDataSourceProcessOptions<HubContext>;
/** `GraphQLDataSourceRequestKind` is a type only: the incoming-operation branch is picked by its string. */
type IncomingOptions = Extract<ProcessOptions, { incomingRequestContext: unknown }>;
type Json = Record<string, unknown>;

export interface OwnerRoutingOptions {
  kind: string;
  registry: Registry;
  rules: RoutingRules;
  /** The data source that calls one shard (signing, connection pool, timeout); one per shard. */
  shardSource: (shard: Shard) => GraphQLDataSource<HubContext>;
  /** Bulkhead, circuit breaker and retries around every shard call; none: calls go straight out. */
  resilience?: Resilience;
  /** Told about every shard call once it is over (metrics, logs). */
  onShardCall?: (event: ShardCallEvent) => void;
  /** The entity cache for public types; none: every call goes to its shard. */
  cache?: EntityCache;
}

/** One finished shard call. */
export interface ShardCallEvent {
  shard: Shard;
  operation: 'query' | 'mutation';
  /** `ok`; `errors` when the shard answered with GraphQL errors; otherwise why its data is missing. */
  outcome: 'ok' | 'errors' | FailureCause;
  durationMs: number;
  requestId: string;
  /** What went wrong, when the call failed. */
  failure?: unknown;
  /** The shard's own GraphQL errors, when it answered with some. */
  errors?: readonly ResponseError[];
}

/** A body a GraphQL server could have sent: `data` (an object or null) and/or an `errors` list. */
function isGraphQLResponse(response: GatewayGraphQLResponse | null | undefined): boolean {
  if (typeof response !== 'object' || response === null) return false;
  const { data, errors } = response;
  if (data === undefined && errors === undefined) return false;
  return (data === undefined || typeof data === 'object') && (errors === undefined || Array.isArray(errors));
}

/** `shard` is the one the plan filed the call under; `answeredBy` the one that answered, where another stood in. */
type ShardResult = { shard: Shard; response: GatewayGraphQLResponse; answeredBy?: Shard } | { shard: Shard; failure: unknown };

interface FanOut {
  field: RootField;
  route: Extract<Route, { kind: 'fan-out' }>;
  prepared: PreparedConnection | null;
  first: number;
  after: Positions;
}

interface Plan {
  data: Json;
  errors: ResponseError[];
  /** Root fields by the institution that answers them. */
  owned: Map<string, RootField[]>;
  /** Fields that any shard of the kind can answer: another may stand in when theirs fails. */
  anyShard: Set<RootField>;
  fanOuts: FanOut[];
}

const errorAt = (field: RootField, code: ErrorCode, message: string, extra: Json = {}): ResponseError => ({
  message,
  path: [field.responseKey],
  extensions: { code, ...extra },
});

/** Cut-down fetches repeat as often as the fetches they come from. */
const subOperations = new LRUCache<string, SubOperation>({ max: 2_000 });

/**
 * The hub's routing data source for one subgraph kind: federation routes by type, this routes by owner.
 * By-ID fields and mutations go to the owner's shard, `_entities` batches are split by owner and put back
 * in order, lists fan out to every shard and are merged. It never throws: a failing shard costs only its
 * own data, reported in errors that name the institution and the cause.
 */
export class OwnerRoutingDataSource implements GraphQLDataSource<HubContext> {
  constructor(private readonly options: OwnerRoutingOptions) {}

  async process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      if (options.kind !== 'incoming operation') return await this.anyShard(options);
      const fetch = parseFetch(options.request.query ?? '');
      const variables = withDefaults(fetch, options.request.variables ?? {});
      const fields = rootFields(fetch, variables);
      if (fields.length === 1 && fields[0]?.name === '_entities') return await this.entities(options, fields[0], variables);
      if (fetch.type === 'mutation') return await this.mutations(options, fetch, fields, variables);
      return await this.queries(options, fetch, fields, variables);
    } catch (error) {
      return { errors: [{ message: (error as Error).message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, kind: this.options.kind } }] };
    }
  }

  private async anyShard(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const shard = this.options.registry.shards(this.options.kind)[0];
    if (!shard) return { errors: [{ message: `No institution runs a ${this.options.kind} shard` }] };
    return this.options.shardSource(shard).process(options);
  }

  /** The one place a shard is called: under its bulkhead and breaker (queries retried), timed and reported. */
  private async call(options: IncomingOptions, shard: Shard, query: string, variables: Variables, operation: 'query' | 'mutation' = 'query'): Promise<ShardResult> {
    const source = this.options.shardSource(shard);
    const operationName = options.request.operationName;
    // A fresh request per attempt: RemoteGraphQLDataSource writes `http` (and the signed headers) on the one it gets.
    const attempt = async (): Promise<GatewayGraphQLResponse> => {
      const response = await source.process({ ...options, request: { query, variables, operationName } });
      if (!isGraphQLResponse(response)) throw new MalformedAnswer();
      return response;
    };
    const started = performance.now();
    let result: ShardResult;
    try {
      result = { shard, response: this.options.resilience ? await this.options.resilience.execute(shard, operation, attempt) : await attempt() };
    } catch (error) {
      // A shard that answers 4xx/5xx with GraphQL errors still has something to say to the client.
      // Its data counts too: a FORBIDDEN field error can set a 403 on a partly answered request.
      const body = (error as { extensions?: { response?: { body?: { data?: unknown; errors?: unknown; extensions?: unknown } } } }).extensions?.response?.body;
      // Its extensions too: a write's change hints must reach the entity cache whatever the status.
      const extensions = typeof body?.extensions === 'object' && body.extensions !== null ? { extensions: body.extensions as Record<string, unknown> } : {};
      result =
        body && Array.isArray(body.errors)
          ? { shard, response: { data: (body.data as Record<string, unknown> | null | undefined) ?? null, errors: body.errors as ResponseError[], ...extensions } }
          : { shard, failure: error };
    }
    if (this.options.onShardCall) {
      const errors = 'response' in result ? (result.response.errors as ResponseError[] | undefined) : undefined;
      this.options.onShardCall({
        shard,
        operation,
        outcome: 'failure' in result ? failureCause(result.failure) : errors && errors.length > 0 ? 'errors' : 'ok',
        durationMs: performance.now() - started,
        requestId: options.context.requestId,
        ...('failure' in result ? { failure: result.failure } : {}),
        ...(errors && errors.length > 0 ? { errors } : {}),
      });
    }
    return result;
  }

  /**
   * A query to one shard through the entity cache: answered from it when the call asks only for cached
   * types (by ID, or a shard's page of a list) and an entry is there; otherwise sent, and its answer stored
   * if the shard marked it public.
   */
  private async cachedCall(options: IncomingOptions, shard: Shard, query: string, variables: Variables, fields: readonly RootField[]): Promise<ShardResult> {
    const cache = this.options.cache;
    if (!cache) return this.call(options, shard, query, variables);
    const typeName = cache.rootType(fields.map((field) => field.name));
    const ids = () => fields.map((field) => argumentValue(field.node, ['id'], variables)).filter((id): id is string => typeof id === 'string');
    const lookup = typeName ? await cache.lookup(options.context, shard, typeName, { query, variables }, ids()) : null;
    if (!lookup) {
      cache.bypass(options.context);
      return this.call(options, shard, query, variables);
    }
    if ('hit' in lookup) return { shard, response: lookup.hit as GatewayGraphQLResponse };
    const result = await this.call(options, shard, query, variables);
    if ('response' in result) await cache.fill(lookup.miss, { data: result.response.data }, result.response);
    return result;
  }

  /**
   * Who answers a field any shard of the kind can answer (`compareUnits`, `verifyCredential`): the caller's own
   * institution, so each institution's questions cost its own shard and it sees its own shard's reference data
   * (ESCO); else the first in the registry whose circuit is not open, so one dead shard does not take such
   * fields down for everyone, and the same question keeps getting the same shard.
   */
  private anyInstitution(context: HubContext): string | null {
    const shards = this.options.registry.shards(this.options.kind);
    const open = (shard: Shard) => this.options.resilience?.circuitOf(shard) === 'open';
    const own = context.caller ? shards.find((shard) => shard.institution === context.caller?.institution) : undefined;
    const chosen = own && !open(own) ? own : (shards.find((shard) => !open(shard)) ?? own ?? shards[0]);
    return chosen?.institution ?? null;
  }

  /** The shard that owns a root field's target, or the error that says why there is none. */
  private ownerShard(field: RootField, route: Route, context: HubContext, variables: Variables): Shard | ResponseError {
    let institution: string | null;
    if (route.kind === 'owner') {
      const value = argumentValue(field.node, route.argument, variables);
      const path = route.argument.join('.');
      if (typeof value !== 'string') return errorAt(field, ErrorCode.BAD_USER_INPUT, `${path} must be a hub ID`, { field: path });
      institution = ownerOf(value);
      if (!institution) return errorAt(field, ErrorCode.BAD_USER_INPUT, malformedIdMessage(path, value), { field: path });
    } else if (route.kind === 'caller') {
      institution = context.caller?.institution ?? null;
      if (!institution) {
        return errorAt(field, ErrorCode.UNAUTHENTICATED, context.authError ?? `${field.name} acts for the caller's institution: send a bearer token`);
      }
    } else {
      institution = this.anyInstitution(context);
    }
    const shard = institution ? this.options.registry.shard(this.options.kind, institution) : undefined;
    if (!shard) {
      return errorAt(field, ErrorCode.NOT_FOUND, `No institution "${institution}" with a ${this.options.kind} shard is registered in the hub`, {
        institution,
      });
    }
    return shard;
  }

  private plan(fields: RootField[], context: HubContext, variables: Variables): Plan {
    const plan: Plan = { data: {}, errors: [], owned: new Map(), anyShard: new Set(), fanOuts: [] };
    fields.forEach((field, index) => {
      if (field.name === '__typename') {
        plan.data[field.responseKey] = 'Query';
        return;
      }
      const route = routeFor(this.options.rules, 'query', field.name) ?? { kind: 'any' };
      if (route.kind === 'fan-out') {
        try {
          const prepared = route.shape === 'connection' ? prepareConnection(field.node, index) : null;
          const after = prepared ? decodeHubCursor(argumentValue(field.node, ['after'], variables) as string | null, 'after', field.name) : {};
          const first = Number(argumentValue(field.node, ['first'], variables) ?? route.defaultFirst);
          plan.fanOuts.push({ field, route, prepared, first, after });
        } catch (error) {
          plan.data[field.responseKey] = null;
          plan.errors.push({ ...errorAt(field, ErrorCode.BAD_USER_INPUT, (error as Error).message), extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' } });
        }
        return;
      }
      const shard = this.ownerShard(field, route, context, variables);
      if ('message' in shard) {
        plan.data[field.responseKey] = null;
        plan.errors.push(shard);
        return;
      }
      const list = plan.owned.get(shard.institution) ?? [];
      list.push(field);
      plan.owned.set(shard.institution, list);
      if (route.kind === 'any') plan.anyShard.add(field);
    });
    return plan;
  }

  private subOperation(fetch: FetchOperation, fields: readonly FieldNode[], keys: string, extra: readonly VariableDefinitionNode[]): SubOperation {
    const cacheKey = `${keys}\u0000${fetch.query}`;
    let cut = subOperations.get(cacheKey);
    if (!cut) {
      cut = subOperation(fetch, fields, extra);
      subOperations.set(cacheKey, cut);
    }
    return cut;
  }

  /** The part of a fetch that asks for `owned` only, with the variables it uses. */
  private cutFor(fetch: FetchOperation, owned: readonly RootField[], variables: Variables): { query: string; variables: Variables } {
    const cut = this.subOperation(fetch, owned.map((f) => f.node), owned.map((f) => f.responseKey).join(','), []);
    return { query: cut.query, variables: pickVariables(variables, cut.variableNames) };
  }

  /**
   * Runs a call any shard of the kind could answer; when its shard fails (no answer at all), up to two others
   * whose circuits are not open stand in. Not after a timeout: the client has waited one shard timeout already.
   * The result keeps the first shard's name, under which the plan filed the fields; its failure is the one
   * reported when no stand-in answers.
   */
  private async withStandIns(shard: Shard, run: (shard: Shard) => Promise<ShardResult>): Promise<ShardResult> {
    const first = await run(shard);
    if (!('failure' in first) || failureCause(first.failure) === 'timeout') return first;
    const standIns = this.options.registry
      .shards(this.options.kind)
      .filter((other) => other.institution !== shard.institution && this.options.resilience?.circuitOf(other) !== 'open')
      .slice(0, 2);
    for (const standIn of standIns) {
      const result = await run(standIn);
      if ('response' in result) return { shard, response: result.response, answeredBy: standIn };
    }
    return first;
  }

  private async queries(options: IncomingOptions, fetch: FetchOperation, fields: RootField[], variables: Variables): Promise<GatewayGraphQLResponse> {
    const plan = this.plan(fields, options.context, variables);
    const kindShards = this.options.registry.shards(this.options.kind);
    const targets = plan.fanOuts.length > 0 ? kindShards : kindShards.filter((s) => plan.owned.has(s.institution));
    const everyFieldToOne = plan.fanOuts.length === 0 && targets.length === 1 && plan.errors.length === 0;

    const calls = targets.map((shard) => {
      const owned = plan.owned.get(shard.institution) ?? [];
      if (plan.fanOuts.length === 0 && owned.every((field) => plan.anyShard.has(field))) {
        const cut = everyFieldToOne ? { query: fetch.query, variables } : this.cutFor(fetch, owned, variables);
        return this.withStandIns(shard, (standIn) => this.cachedCall(options, standIn, cut.query, cut.variables, owned));
      }
      if (everyFieldToOne && owned.length === fields.length) return this.cachedCall(options, shard, fetch.query, variables, owned);
      const nodes = [...owned.map((f) => f.node), ...plan.fanOuts.map((f) => f.prepared?.node ?? f.field.node)];
      const keys = [...owned.map((f) => f.responseKey), ...plan.fanOuts.map((f) => `*${f.field.responseKey}`)].join(',');
      const extra = plan.fanOuts.flatMap((f) => (f.prepared ? [f.prepared.definition] : []));
      const cut = this.subOperation(fetch, nodes, keys, extra);
      const shardVariables = pickVariables(variables, cut.variableNames);
      for (const fanOut of plan.fanOuts) {
        if (fanOut.prepared) shardVariables[fanOut.prepared.afterVariable] = fanOut.after[shard.institution] ?? null;
      }
      return this.cachedCall(options, shard, cut.query, shardVariables, [...owned, ...plan.fanOuts.map((fanOut) => fanOut.field)]);
    });
    const results = await Promise.all(calls);

    const fanOutErrors: ResponseError[] = [];
    const fanOutValues = new Map<string, Array<{ institution: string; value: unknown }>>();
    for (const result of results) {
      const owned = plan.owned.get(result.shard.institution) ?? [];
      const ownedKeys = new Set(owned.map((f) => f.responseKey));
      if ('failure' in result) {
        for (const field of owned) {
          plan.data[field.responseKey] = null;
          plan.errors.push(shardFailure(result.shard, result.failure, [field.responseKey]));
        }
        if (plan.fanOuts.length > 0) fanOutErrors.push(shardFailure(result.shard, result.failure, undefined));
        continue;
      }
      const data = (result.response.data ?? {}) as Json;
      for (const field of owned) plan.data[field.responseKey] = data[field.responseKey] ?? null;
      for (const fanOut of plan.fanOuts) {
        const list = fanOutValues.get(fanOut.field.responseKey) ?? [];
        if (data[fanOut.field.responseKey] != null) list.push({ institution: result.shard.institution, value: data[fanOut.field.responseKey] });
        fanOutValues.set(fanOut.field.responseKey, list);
      }
      for (const error of (result.response.errors ?? []) as ResponseError[]) {
        const head = error.path?.[0];
        if (typeof head === 'string' && ownedKeys.has(head)) plan.errors.push(fromShard(result.answeredBy ?? result.shard, error));
        else fanOutErrors.push(fromShard(result.shard, error, typeof head === 'string' ? [head] : undefined));
      }
    }

    for (const fanOut of plan.fanOuts) {
      const values = fanOutValues.get(fanOut.field.responseKey) ?? [];
      const key = fanOut.field.responseKey;
      if (values.length === 0 && fanOutErrors.length > 0) plan.data[key] = null;
      else if (fanOut.prepared) {
        plan.data[key] = mergeConnection({
          node: fanOut.field.node,
          fragments: fetch.fragments,
          first: fanOut.first,
          after: fanOut.after,
          shards: values.map((v) => ({ institution: v.institution, value: v.value as Json })),
        });
      } else plan.data[key] = values.flatMap((v) => (Array.isArray(v.value) ? v.value : [v.value]));
    }
    const errors = [...plan.errors, ...dedupe(fanOutErrors)];
    return errors.length > 0 ? { data: plan.data, errors } : { data: plan.data };
  }

  /** Mutation fields run one after another, in document order, each on its owner's shard. */
  private async mutations(options: IncomingOptions, fetch: FetchOperation, fields: RootField[], variables: Variables): Promise<GatewayGraphQLResponse> {
    const data: Json = {};
    const errors: ResponseError[] = [];
    for (const field of fields) {
      if (field.name === '__typename') {
        data[field.responseKey] = 'Mutation';
        continue;
      }
      const route = routeFor(this.options.rules, 'mutation', field.name) ?? { kind: 'caller' };
      const shard = this.ownerShard(field, route, options.context, variables);
      if ('message' in shard) {
        data[field.responseKey] = null;
        errors.push(shard);
        continue;
      }
      const alone = fields.length === 1;
      const cut = alone ? null : this.subOperation(fetch, [field.node], field.responseKey, []);
      const result = await this.call(options, shard, cut?.query ?? fetch.query, cut ? pickVariables(variables, cut.variableNames) : variables, 'mutation');
      // Before the answer goes back: a read that follows it must not find what the write changed. A call that
      // never reached the shard changed nothing (and flushing then would only add load to an overloaded shard).
      if ('response' in result || !neverSent(result.failure)) await this.options.cache?.afterWrite(shard, 'response' in result ? result.response : null);
      if ('failure' in result) {
        data[field.responseKey] = null;
        errors.push(shardFailure(shard, result.failure, [field.responseKey]));
        continue;
      }
      data[field.responseKey] = (result.response.data as Json | null | undefined)?.[field.responseKey] ?? null;
      for (const error of (result.response.errors ?? []) as ResponseError[]) errors.push(fromShard(shard, error));
    }
    return errors.length > 0 ? { data, errors } : { data };
  }

  /**
   * Answers the representations of cached types that the cache holds (into `results`); returns the
   * positions still to ask the shard, with the misses to fill for those the cache may keep.
   */
  private async entitiesFromCache(
    options: IncomingOptions,
    shard: Shard,
    query: string,
    otherVariables: Variables,
    indexes: readonly number[],
    representations: readonly Json[],
    results: unknown[],
  ): Promise<Map<number, CacheMiss | null>> {
    const cache = this.options.cache;
    const misses = new Map<number, CacheMiss | null>();
    if (!cache) {
      for (const index of indexes) misses.set(index, null);
      return misses;
    }
    await Promise.all(
      indexes.map(async (index) => {
        const representation = representations[index] ?? {};
        const typeName = String(representation.__typename);
        const requestedIds = typeof representation.id === 'string' ? [representation.id] : [];
        const lookup = cache.cachesType(typeName)
          ? await cache.lookup(options.context, shard, typeName, { query, variables: { representation, variables: otherVariables } }, requestedIds)
          : null;
        if (lookup && 'hit' in lookup) results[index] = lookup.hit;
        else {
          if (!lookup) cache.bypass(options.context);
          misses.set(index, lookup ? lookup.miss : null);
        }
      }),
    );
    return misses;
  }

  /**
   * One `_entities` batch, split by owner and sent to the owners in parallel; answers go back to their
   * original positions and error paths are renumbered to match.
   */
  private async entities(options: IncomingOptions, field: RootField, variables: Variables): Promise<GatewayGraphQLResponse> {
    const representations = (variables.representations as Array<Json> | undefined) ?? [];
    const results: unknown[] = representations.map(() => null);
    const errors: ResponseError[] = [];
    const groups = new Map<string, { shard: Shard; indexes: number[] }>();
    representations.forEach((representation, index) => {
      const id = representation.id;
      const owner = typeof id === 'string' ? ownerOf(id) : null;
      const shard = owner ? this.options.registry.shard(this.options.kind, owner) : undefined;
      if (!shard) {
        errors.push({
          message: owner
            ? `No institution "${owner}" with a ${this.options.kind} shard is registered in the hub (${String(representation.__typename)} ${String(id)})`
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
    const query = options.request.query ?? '';
    const { representations: _representations, ...otherVariables } = variables;
    await Promise.all(
      [...groups.values()].map(async ({ shard, indexes: owned }) => {
        const misses = await this.entitiesFromCache(options, shard, query, otherVariables, owned, representations, results);
        const indexes = owned.filter((index) => misses.has(index));
        if (indexes.length === 0) return;
        const subset = indexes.map((i) => representations[i]);
        const result = await this.call(options, shard, query, { ...variables, representations: subset });
        if ('failure' in result) {
          for (const index of indexes) errors.push(shardFailure(shard, result.failure, [field.responseKey, index]));
          return;
        }
        const answers = (result.response.data as Json | null | undefined)?.[field.responseKey];
        if (!Array.isArray(answers) || answers.length !== indexes.length) {
          for (const index of indexes) {
            errors.push(fromShard(shard, { message: `The ${shard.kind} shard of ${shard.institution} answered ${indexes.length} references wrongly`, path: [field.responseKey, index], extensions: { code: ErrorCode.SHARD_UNAVAILABLE, cause: 'malformed' } }));
          }
        } else {
          answers.forEach((answer, j) => {
            results[indexes[j] as number] = answer;
          });
          await Promise.all(indexes.map((index, j) => {
            const miss = misses.get(index);
            return miss ? this.options.cache?.fill(miss, answers[j], result.response) : undefined;
          }));
        }
        for (const error of (result.response.errors ?? []) as ResponseError[]) {
          const [head, position, ...rest] = error.path ?? [];
          const original = typeof position === 'number' ? indexes[position] : undefined;
          errors.push(fromShard(shard, error, head !== undefined && original !== undefined ? [head, original, ...rest] : error.path));
        }
      }),
    );
    return errors.length > 0 ? { data: { [field.responseKey]: results }, errors } : { data: { [field.responseKey]: results } };
  }
}
