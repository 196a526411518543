import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { bulkhead } from 'cockatiel';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { CloseCode, makeServer } from 'graphql-ws';
import { ErrorCode, RateLimitedError } from '../../schema/errors';
import type { Caller } from '../../platform/caller';
import type { HopSigningKey } from '../../platform/hop-keys';
import { moduleLogger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { Limits } from '../limits/limits';
import type { RateLimit } from '../rate-limit/rate-limit';
import type { Registry } from '../registry/registry';
import type { RoutingTable, SubscriptionRoot } from '../routing/routing-table';
import { decodeHubCursor, encodeHubCursor } from '../routing/cursor';
import { parseFetch, rootFields, subOperation } from '../routing/operation';
import { AnonymousAdmission } from './admission';
import { AsyncQueue } from './async-queue';
import { bare, checkSubscription } from './operation-check';
import { raiseMaxPayload, serveSockets, type SocketExtra } from './sockets';
import { atTime, tokenExpiry } from './token-expiry';
import { Feed, type Delivery, type FeedMember, type FeedSource } from './feed';
import type { ShardIdentity } from '../health/shard-identity';
import { openUpstreamCount, subscribeUpstream } from './upstream';

/** Limits on sockets themselves, before and around the operations they carry. */
export interface WebSocketLimitsOptions {
  /**
   * Largest message, in bytes, from a socket that has not shown a valid token in `connection_init`; larger closes
   * the socket with 1009 before the message is read. Signed-in sockets get the limits' `maxBodyBytes`. @default 65_536
   */
  maxAnonymousMessageBytes?: number;
  /** Sockets without a valid token open at once from one client address; more are refused at the upgrade with HTTP 429. @default 32 */
  maxAnonymousPerIp?: number;
  /** Sockets without a valid token open at once in all; more are refused at the upgrade with HTTP 503. @default 2000 */
  maxAnonymous?: number;
  /** How long a socket may wait before sending `connection_init`; then it is closed with 4408. @default 3000 */
  initTimeoutMs?: number;
}

export const DEFAULT_WS_MAX_ANONYMOUS_MESSAGE_BYTES = 65_536;
export const DEFAULT_WS_MAX_ANONYMOUS_PER_IP = 32;
export const DEFAULT_WS_MAX_ANONYMOUS = 2_000;
export const DEFAULT_WS_INIT_TIMEOUT_MS = 3_000;

/**
 * Why a socket closes when its token expires. 4403 rather than 4401: graphql-ws clients give up on 4401 but
 * reconnect on 4403, so a client whose `connectionParams` fetch a fresh token comes back on its own.
 */
export const TOKEN_EXPIRED = { code: CloseCode.Forbidden, reason: 'token expired' } as const;

export interface SubscriptionsOptions extends WebSocketLimitsOptions {
  /** The gateway's HTTP server: subscriptions share its port and its /graphql path (WebSocket upgrade). */
  server: Server;
  /** The supergraph's routing table: the kind, filter and entity fields of every subscription root. */
  routing: RoutingTable;
  registry: Registry;
  /** The gateway's API schema once loaded, to validate subscriptions against. */
  schema: () => GraphQLSchema | undefined;
  /** Checks the token sent in `connection_init` (`{ authorization: "Bearer …" }`). */
  authenticate: (authorization: string | undefined) => Promise<Caller | null>;
  hopKey: HopSigningKey | null;
  /** Checks that a shard is the one this hub was configured for before a subscription is opened on it; without it, no check. */
  identity?: ShardIdentity;
  /** Runs a query through the supergraph as the subscriber: how each event's payload is resolved. */
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  /** Browser origins allowed to open a socket besides the hub's own pages; `*` or null allows any. @default null */
  allowedOrigins?: readonly string[] | null;
  /** Operation limits, applied to every `subscribe` message as to an HTTP request; `maxBodyBytes` caps signed-in sockets' messages. */
  limits: Limits;
  /** The HTTP rate limits: every `subscribe` message counts as a request of its client address and institution. Null: none. */
  rateLimit: Pick<RateLimit, 'consumeIp' | 'consumeInstitution'> | null;
  /** The client's address, as the rate limits see it (proxies trusted alike). */
  clientAddress: (request: IncomingMessage) => string;
  /** @default 20 */
  maxSubscriptionsPerConnection?: number;
  /** @default 1000 */
  maxConnectionsPerInstitution?: number;
  /**
   * Event payloads resolved at once; more wait their turn. A burst (a thousand dashboards catching up at
   * once) is paced here instead of overflowing the shards' bulkheads. @default 16
   */
  maxConcurrentPayloads?: number;
}

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;
export const DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION = 1_000;
export const DEFAULT_MAX_CONCURRENT_PAYLOADS = 16;

interface ConnectionState {
  context: HubContext;
  subscriptions: number;
  /** Stops the timer that closes the socket when its token expires. */
  cancelExpiry: (() => void) | null;
}

const idVariable = (field: string) => `__hub_${field}`;

function variableDefinition(name: string): VariableDefinitionNode {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  };
}

/**
 * The query that resolves one event's payload through the supergraph: each entity field the client selected
 * becomes the by-ID root field of its type, with the client's own selection (aliases, fragments, variables).
 */
export function payloadQuery(document: ExecutionArgs['document'], operation: OperationDefinitionNode, route: SubscriptionRoot, field: FieldNode) {
  const selected = (field.selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const entityFields = selected.flatMap((s) => {
    const entity = route.entities.find((e) => e.field === s.name.value);
    if (!entity) return [];
    const node: FieldNode = {
      ...s,
      alias: { kind: Kind.NAME, value: s.alias?.value ?? s.name.value },
      name: { kind: Kind.NAME, value: entity.rootField },
      arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable(entity.field) } } }],
    };
    return [{ node, entity: entity.field }];
  });
  const asQuery: OperationDefinitionNode = { ...operation, operation: 'query' as OperationDefinitionNode['operation'], name: { kind: Kind.NAME, value: 'HubEventPayload' } };
  const fetch = { ...parseFetch('{ __typename }'), document, operation: asQuery, type: 'query' as const, fragments: new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))) };
  const usedEntities = [...new Set(entityFields.map((e) => e.entity))];
  const cut = subOperation(fetch, entityFields.map((e) => e.node), usedEntities.map((e) => variableDefinition(idVariable(e))));
  return { query: entityFields.length > 0 ? cut.query : null, variableNames: cut.variableNames };
}

/** What is open right now: for metrics. */
export interface SubscriptionStats {
  /** WebSocket connections accepted and not yet closed. */
  connections: number;
  /** Sockets open without a valid token (counted from the upgrade on). */
  anonymous: number;
  /** Subscriptions running on them. */
  subscriptions: number;
  /** Subscriptions to shards behind them (shared by subscribers with the same caller and operation). */
  upstreams: number;
}

/**
 * Federated, lossless subscriptions at the gateway over graphql-ws. Subscribers with the same caller, field,
 * filter and payload selection share a feed (feed.ts): one upstream subscription on every shard of the kind
 * that emits it, each event's payload resolved once through the supergraph as a query by that caller, so
 * access rules and cross-kind fields work exactly as for queries. Each subscriber keeps its own positions
 * (its `after` cursor, or the shards' first events) and catches up privately before joining the feed.
 */
export function useSubscriptions(options: SubscriptionsOptions): { stats: () => SubscriptionStats; close: () => Promise<void> } {
  const log = moduleLogger('subscriptions');
  const perInstitution = new Map<string, number>();
  const connections = new WeakMap<object, ConnectionState>();
  const open = { connections: 0, subscriptions: 0 };
  const feeds = new Map<string, Feed>();
  const maxPerConnection = options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  const maxPerInstitution = options.maxConnectionsPerInstitution ?? DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION;
  const admission = new AnonymousAdmission(options.maxAnonymousPerIp ?? DEFAULT_WS_MAX_ANONYMOUS_PER_IP, options.maxAnonymous ?? DEFAULT_WS_MAX_ANONYMOUS);
  // When each signed-in connection's token expires: no event leaves after it, even one already on its way.
  const expiries = new WeakMap<HubContext, number>();
  const payloads = bulkhead(options.maxConcurrentPayloads ?? DEFAULT_MAX_CONCURRENT_PAYLOADS, Number.MAX_SAFE_INTEGER);

  const hubSubscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as HubContext;
    const operation = args.document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const [field] = operation ? rootFields({ ...parseFetch('{ __typename }'), document: args.document, operation, type: 'subscription', fragments: new Map() }, variables) : [];
    const route = field ? options.routing.subscription.get(field.name) : undefined;
    if (!operation || !field || !route) return { errors: [new GraphQLError('The hub serves subscriptions to one root field at a time', { extensions: { code: ErrorCode.BAD_USER_INPUT } })] };
    if (!context.caller) return { errors: [new GraphQLError('Subscriptions need a signed-in caller: send a token in connection_init', { extensions: { code: ErrorCode.UNAUTHENTICATED } })] };
    const argument = (name: string) => {
      const node = field.node.arguments?.find((a) => a.name.value === name)?.value;
      return node ? valueFromASTUntyped(node, variables) : undefined;
    };
    let positions: Record<string, string>;
    try {
      positions = decodeHubCursor(argument(route.cursorArgument) as string | null | undefined);
    } catch (error) {
      return { errors: [error as GraphQLError] };
    }
    const payload = payloadQuery(args.document, operation, route, field.node);
    const caller = context.caller;
    const filter = route.filter ? (argument(route.filter.argument) ?? null) : null;
    const payloadVariables = Object.fromEntries(payload.variableNames.map((n) => [n, variables[n]]));
    const source: FeedSource = {
      shards: options.registry.shards(route.kind),
      open: (shard, after, onEvent) =>
        subscribeUpstream({
          shard,
          hopKey: options.hopKey,
          identity: options.identity,
          caller,
          requestId: context.requestId,
          field: field.name,
          root: route,
          filter,
          after,
          onEvent,
          onError: (error) => log.warn({ institution: shard.institution, kind: shard.kind, error: String(error) }, 'upstream subscription interrupted'),
        }),
      resolve: async (event) => {
        if (!payload.query) return null;
        const ids = Object.fromEntries(Object.entries(event.ids).map(([entity, id]) => [idVariable(entity), id]));
        const query = payload.query;
        return payloads.execute(() => options.execute(query, { ...payloadVariables, ...ids }, context));
      },
    };
    let member: FeedMember | null = null;
    const queue = new AsyncQueue<ExecutionResult>(() => member?.leave());
    const deliver: Delivery = (_shard, event, answer, reached) => {
      const expiresAt = expiries.get(context);
      if (expiresAt !== undefined && Date.now() >= expiresAt) return;
      const result: Record<string, unknown> = { ...(answer?.data ?? {}) };
      for (const selection of field.node.selectionSet?.selections ?? []) {
        if (selection.kind !== Kind.FIELD) continue;
        const key = selection.alias?.value ?? selection.name.value;
        if (selection.name.value === 'cursor') result[key] = encodeHubCursor(reached);
        else if (selection.name.value === 'type') result[key] = event.type;
        else if (selection.name.value === 'occurredAt') result[key] = event.occurredAt;
        else if (selection.name.value === '__typename') result[key] = getEventTypeName(options.schema(), field.name);
      }
      queue.push({ data: { [field.responseKey]: result }, ...(answer?.errors?.length ? { errors: answer.errors } : {}) });
    };
    // Everything the signed hop says about the caller, the field, its filter and the payload selection:
    // subscribers equal in all of these would receive the same events with the same payloads.
    const key = stableJson([caller, field.name, filter, payload.query, payloadVariables]);
    member = feeds.get(key)?.join(positions, deliver) ?? null;
    if (!member) {
      const feed: Feed = new Feed(source, positions, () => {
        if (feeds.get(key) === feed) feeds.delete(key);
      });
      // When a live feed refused the join (cursors that cannot be compared), this one stays private.
      if (!feeds.get(key)?.size) feeds.set(key, feed);
      member = feed.founder(deliver);
    }
    return queue;
  };

  // No `schema` here: onSubscribe hands graphql-ws the checked document and the schema it was checked against.
  const protocol = makeServer<Record<string, unknown>, SocketExtra>({
    connectionInitWaitTimeout: options.initTimeoutMs ?? DEFAULT_WS_INIT_TIMEOUT_MS,
    onConnect: async (ctx) => {
      const { socket, request, ticket } = ctx.extra;
      if (!originAllowed(request, options.allowedOrigins ?? null)) return false;
      const params = ctx.connectionParams ?? {};
      const authorization = typeof params.authorization === 'string' ? params.authorization : undefined;
      // Only `authorization` is read: the rest (up to the message cap) would stay in memory as long as the socket.
      (ctx as { connectionParams?: unknown }).connectionParams = undefined;
      let caller: Caller | null;
      let expiresAt: number | null = null;
      try {
        caller = await options.authenticate(authorization);
        if (caller) expiresAt = tokenExpiry(authorization);
      } catch {
        socket.close(CloseCode.Unauthorized, 'Unauthorized');
        return false;
      }
      // The authenticator tolerates clock skew past `exp`; an open socket lives by the hub's own clock.
      if (expiresAt !== null && expiresAt <= Date.now()) {
        socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason);
        return false;
      }
      let cancelExpiry: (() => void) | null = null;
      if (caller) {
        const open = perInstitution.get(caller.institution) ?? 0;
        if (open >= maxPerInstitution) {
          socket.close(CloseCode.Forbidden, `Too many connections for ${caller.institution}`);
          return false;
        }
        perInstitution.set(caller.institution, open + 1);
        ticket.release();
        if (!raiseMaxPayload(socket, options.limits.values.maxBodyBytes)) log.warn('cannot raise the message cap of a signed-in socket: it keeps the anonymous cap');
        if (expiresAt !== null) cancelExpiry = atTime(expiresAt, () => socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason));
      }
      const context: HubContext = { requestId: requestIdOf(request), caller, receivedAt: performance.now() };
      if (expiresAt !== null) expiries.set(context, expiresAt);
      connections.set(ctx, { context, subscriptions: 0, cancelExpiry });
      open.connections += 1;
      return true;
    },
    onClose: (ctx) => {
      const state = connections.get(ctx);
      const caller = state?.context.caller;
      if (caller) perInstitution.set(caller.institution, Math.max(0, (perInstitution.get(caller.institution) ?? 1) - 1));
      if (state) {
        state.cancelExpiry?.();
        open.connections -= 1;
        open.subscriptions -= state.subscriptions;
        state.subscriptions = 0;
        connections.delete(ctx);
      }
    },
    // Every check HTTP makes, in the order it makes them, before anything is opened upstream.
    onSubscribe: async (ctx, _id, payload) => {
      const state = connections.get(ctx);
      const caller = state?.context.caller ?? null;
      try {
        await options.rateLimit?.consumeIp(ctx.extra.address);
        if (caller) await options.rateLimit?.consumeInstitution(caller.institution);
      } catch (error) {
        if (error instanceof GraphQLError) return [bare(error)];
        throw error;
      }
      if (!state || !caller) return [new GraphQLError('Subscriptions need a signed-in caller: send a token in connection_init', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
      if (state.subscriptions >= maxPerConnection) {
        return [new GraphQLError(`At most ${maxPerConnection} subscriptions per connection`, { extensions: { code: 'LIMIT_EXCEEDED' } })];
      }
      const schema = options.schema();
      if (!schema) return [new GraphQLError('The hub is still loading its schema: retry shortly', { extensions: { code: ErrorCode.SHARD_UNAVAILABLE } })];
      const checked = checkSubscription(schema, payload, options.limits);
      if (Array.isArray(checked)) return checked;
      state.subscriptions += 1;
      open.subscriptions += 1;
      return { schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables, contextValue: state.context };
    },
    onComplete: (ctx) => {
      const state = connections.get(ctx);
      if (state && state.subscriptions > 0) {
        state.subscriptions -= 1;
        open.subscriptions -= 1;
      }
    },
    subscribe: hubSubscribe as never,
  });
  const sockets = serveSockets({
    server: options.server,
    path: '/graphql',
    protocol,
    admission,
    addressOf: options.clientAddress,
    countUpgrade: async (address) => {
      try {
        await options.rateLimit?.consumeIp(address);
        return null;
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        return { status: 429, message: error.message, retryAfterSeconds: Number(error.extensions.retryAfterSeconds) };
      }
    },
    anonymousMaxPayload: Math.min(options.maxAnonymousMessageBytes ?? DEFAULT_WS_MAX_ANONYMOUS_MESSAGE_BYTES, options.limits.values.maxBodyBytes),
    log,
  });
  return {
    stats: () => ({ ...open, anonymous: admission.size, upstreams: openUpstreamCount() }),
    close: () => sockets.dispose(),
  };
}

/** Sockets from non-browser clients (no Origin) and from the hub's own pages are always let in. */
function originAllowed(request: IncomingMessage, allowed: readonly string[] | null): boolean {
  const origin = request.headers.origin;
  if (!origin || allowed === null || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' ? header : randomUUID();
}

function getEventTypeName(schema: GraphQLSchema | undefined, field: string): string {
  const type = schema?.getSubscriptionType()?.getFields()[field]?.type;
  return type ? String(type).replace(/[!\[\]]/g, '') : field;
}

/** JSON with object keys sorted, so equal values give equal keys whatever order their fields were set in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
