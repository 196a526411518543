import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { makeServer } from 'graphql-ws';
import { ErrorCode, RateLimitedError } from '../../schema/errors';
import type { Caller } from '../../platform/caller';
import type { HopSigningKey } from '../../platform/hop-keys';
import { moduleLogger, type Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { ShardIdentity } from '../health/shard-identity';
import type { Limits } from '../limits/limits';
import type { GatewayPart } from '../part';
import type { RateLimit } from '../rate-limit/rate-limit';
import type { Registry } from '../registry/registry';
import type { RoutingTable } from '../routing/routing-table';
import { AnonymousAdmission } from './admission';
import { bare, checkSubscription } from './operation-check';
import { createAdmission, type Connection } from './connection';
import { serveSockets, type SocketExtra } from './sockets';
import { DEFAULT_LIVE_EVENT_HOLD_MS } from './hold';
import { createSubscribe, type SubscribeOptions } from './subscribe';

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
  /**
   * How long an event whose payload a shard cannot complete (unavailable, timed out) is held and resolved again,
   * with the shard's later events waiting behind it. Completed within it: delivered once, complete. Not: each
   * subscriber that has not had it gets a SHARD_UNAVAILABLE error ending its subscription, and resumes with
   * `after:` its last cursor. 0 ends them at the first failure. @default DEFAULT_LIVE_EVENT_HOLD_MS (30 s)
   */
  liveEventHoldMs?: number;
  /** Root fields the gateway serves itself, and refusals (see SubscribeOptions.local). @default none */
  local?: SubscribeOptions['local'];
  /** @default the `subscriptions` module logger */
  log?: Logger;
}

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;
export const DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION = 1_000;
export const DEFAULT_MAX_CONCURRENT_PAYLOADS = 16;

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

/** As a gateway part: drain closes every socket (before the HTTP server stops, which they would hold open). */
export interface Subscriptions extends GatewayPart {
  stats(): SubscriptionStats;
  drain(): Promise<void>;
}

/**
 * Federated, lossless subscriptions at the gateway over graphql-ws, on the gateway's port and /graphql path:
 * sockets admitted, authenticated and limited here, each subscription served by a shared feed (subscribe.ts),
 * each event's payload resolved through the supergraph as a query by the subscriber, so access rules and
 * cross-kind fields work exactly as for queries.
 */
export function useSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const log = options.log ?? moduleLogger('subscriptions');
  const { admit, release } = createAdmission({
    authenticate: options.authenticate,
    allowedOrigins: options.allowedOrigins ?? null,
    maxPerInstitution: options.maxConnectionsPerInstitution ?? DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION,
    maxBodyBytes: options.limits.values.maxBodyBytes,
    log,
  });
  const connections = new WeakMap<object, Connection>();
  const open = { connections: 0, subscriptions: 0 };
  const maxPerConnection = options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  const admission = new AnonymousAdmission(
    options.maxAnonymousPerIp ?? DEFAULT_WS_MAX_ANONYMOUS_PER_IP,
    options.maxAnonymous ?? DEFAULT_WS_MAX_ANONYMOUS,
  );
  // When each signed-in connection's token expires: no event leaves after it, even one already on its way.
  const expiries = new WeakMap<HubContext, number>();
  const feeds = createSubscribe({
    routing: options.routing,
    registry: options.registry,
    hopKey: options.hopKey,
    identity: options.identity,
    execute: options.execute,
    schema: options.schema,
    maxConcurrentPayloads: options.maxConcurrentPayloads ?? DEFAULT_MAX_CONCURRENT_PAYLOADS,
    liveEventHoldMs: options.liveEventHoldMs ?? DEFAULT_LIVE_EVENT_HOLD_MS,
    expiresAt: (context) => expiries.get(context),
    local: options.local,
    log,
  });

  // No `schema` here: onSubscribe hands graphql-ws the checked document and the schema it was checked against.
  const protocol = makeServer<Record<string, unknown>, SocketExtra>({
    connectionInitWaitTimeout: options.initTimeoutMs ?? DEFAULT_WS_INIT_TIMEOUT_MS,
    onConnect: async (ctx) => {
      const connection = await admit(ctx);
      if (!connection) return false;
      if (connection.expiresAt !== null) expiries.set(connection.context, connection.expiresAt);
      connections.set(ctx, connection);
      open.connections += 1;
      return true;
    },
    onClose: (ctx) => {
      const state = connections.get(ctx);
      if (state) {
        release(state);
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
      if (!state || !caller)
        return [
          new GraphQLError('Subscriptions need a signed-in caller: send a token in connection_init', {
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          }),
        ];
      if (state.subscriptions >= maxPerConnection) {
        return [
          new GraphQLError(`At most ${maxPerConnection} subscriptions per connection`, {
            extensions: { code: 'LIMIT_EXCEEDED' },
          }),
        ];
      }
      const schema = options.schema();
      if (!schema)
        return [
          new GraphQLError('The hub is still loading its schema: retry shortly', {
            extensions: { code: ErrorCode.SHARD_UNAVAILABLE },
          }),
        ];
      const checked = checkSubscription(schema, payload, options.limits);
      if (Array.isArray(checked)) return checked;
      state.subscriptions += 1;
      open.subscriptions += 1;
      return {
        schema,
        document: checked.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: state.context,
      };
    },
    onComplete: (ctx) => {
      const state = connections.get(ctx);
      if (state && state.subscriptions > 0) {
        state.subscriptions -= 1;
        open.subscriptions -= 1;
      }
    },
    subscribe: feeds.subscribe as never,
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
    anonymousMaxPayload: Math.min(
      options.maxAnonymousMessageBytes ?? DEFAULT_WS_MAX_ANONYMOUS_MESSAGE_BYTES,
      options.limits.values.maxBodyBytes,
    ),
    log,
  });
  return {
    name: 'subscriptions',
    stats: () => ({ ...open, anonymous: admission.size, upstreams: feeds.upstreams() }),
    drain: () => sockets.dispose(),
  };
}
