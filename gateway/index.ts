import { performance } from 'node:perf_hooks';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import { createAuthenticator } from './auth/auth';
import { createServiceAuthenticator } from './auth/service-hop';
import { useSubscriptions, type SubscriptionStats, type WebSocketLimitsOptions } from './subscriptions/subscriptions';
import { dashboardRoute } from './dashboard/dashboard';
import { explorerLandingPage, explorerRoute } from './explorer/explorer';
import { documentRoute } from './documents/documents';
import type { HubContext } from './context';
import { useCors, type CorsOptions } from './cors/cors';
import { useErrors } from './errors/errors';
import { healthRoutes } from './health/health';
import { useShardIdentity } from './health/shard-identity';
import { checkBodyStrings, getParameters, httpInputRoute, type GraphQLRequestFields } from './limits/http-input';
import { useLimits, type LimitsOptions } from './limits/limits';
import { useMetrics, type MetricsOptions } from './metrics/metrics';
import { clientAddress, useRateLimit, type RateLimitOptions } from './rate-limit/rate-limit';
import { Registry } from './registry/registry';
import { useRequestId } from './request-id/request-id';
import { createResilience, type ResilienceOptions } from './resilience/resilience';
import { createEntityCache, type EntityCache, type EntityCacheSettings } from './cache/entity-cache';
import { OwnerRoutingDataSource, type ShardCallEvent } from './routing/data-source';
import { routingRulesFromSupergraph } from './routing/rules';
import { createShardClients, DEFAULT_CONNECTIONS_PER_SHARD, DEFAULT_SHARD_TIMEOUT_MS } from './routing/shard-client';
import { startHttpServer, type Route, type RunningHttpServer } from '../platform/http';
import { moduleLogger, type Logger } from '../platform/logger';
import type { HopSigningKey } from '../platform/hop-keys';
import { HOP_KEYS_PATH, jwksRoute } from '../platform/jwks-route';
import { operationOf } from '../platform/signed-hop';
import { checkIdempotencyKey, useIdempotencyKeys } from '../platform/idempotency-key';

export interface GatewayOptions {
  /** The composed supergraph SDL (the committed schema/supergraph.graphql, or any other). */
  supergraphSdl: string;
  registry: Registry;
  port?: number;
  host?: string;
  /** The private key that signs hops to shards; null sends unsigned calls (public data only). */
  hopKey: HopSigningKey | null;
  /** Public keys published at /.well-known/hub-hop-keys.json besides the signing key's, during a rotation. */
  hopRolloverKeys?: JSONWebKeySet;
  /** Secret for HS256 demo tokens; null accepts only institutions' RS256/ES256 tokens. */
  demoTokenSecret: string | null;
  /** @default 5000 */
  shardTimeoutMs?: number;
  /** @default 32 */
  connectionsPerShard?: number;
  /**
   * Production: no introspection, no landing page, no field suggestions, and no internals (messages of internal
   * errors, stack traces) in answers. @default false
   */
  production?: boolean;
  /** Operation limits: depth, aliases, tokens, directives, root fields, cost, body size, batches (defaults: see limits/). */
  limits?: LimitsOptions;
  /** Browser origins allowed to call the hub. @default none */
  cors?: CorsOptions;
  /** Retries, circuit breakers and bulkheads around every shard call (defaults: see resilience/). */
  resilience?: ResilienceOptions;
  /** Rate limits per IP and per institution; false turns them off. @default on, in memory (see rate-limit/) */
  rateLimit?: RateLimitOptions | false;
  /** Limits on WebSocket connections: anonymous message size and counts, connection_init timeout (defaults: see subscriptions/). */
  webSockets?: WebSocketLimitsOptions;
  /** Prometheus metrics at /metrics; false turns them off. @default on */
  metrics?: MetricsOptions | false;
  /** The entity cache for public types (see cache/); false turns it off. @default on, in memory */
  entityCache?: EntityCacheSettings | false;
  /** How long `close()` lets in-flight requests finish before it cuts their connections. @default 10_000 */
  shutdownTimeoutMs?: number;
  /** @default the `gateway` module logger (each concern logs through a child of it) */
  logger?: Logger;
}

export interface RunningGateway extends RunningHttpServer {
  registry: Registry;
  /** The entity cache, when on (its feeds' states, flushes). */
  entityCache: EntityCache | null;
}

/**
 * The hub: Apollo Gateway over a static supergraph, with owner routing for every kind the registry shards.
 * A kind without shards in the registry is served from its supergraph URL exactly as stock Apollo Gateway
 * would. Around it, one module per concern: request ids, CORS, health, metrics, rate limits, operation limits,
 * error shaping, and resilience around shard calls.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.logger ?? moduleLogger('gateway');
  const production = options.production ?? false;
  const rules = routingRulesFromSupergraph(options.supergraphSdl);
  const identity = useShardIdentity({ registry: options.registry, hopKey: options.hopKey });
  const clients = createShardClients({
    timeoutMs: options.shardTimeoutMs ?? DEFAULT_SHARD_TIMEOUT_MS,
    connectionsPerShard: options.connectionsPerShard ?? DEFAULT_CONNECTIONS_PER_SHARD,
    hopKey: options.hopKey,
    identity,
  });
  const resilience = createResilience({
    ...options.resilience,
    onCircuitChange: (shard, state) => {
      log.warn({ module: 'resilience', institution: shard.institution, kind: shard.kind, state }, `circuit ${state}`);
      options.resilience?.onCircuitChange?.(shard, state);
    },
  });
  const everyShard = () => options.registry.kinds().flatMap((kind) => options.registry.shards(kind));
  // Subscriptions start with the HTTP server, after the metrics: read through this once they have.
  let subscriptionStats: (() => SubscriptionStats) | undefined;
  const metrics =
    options.metrics === false
      ? null
      : useMetrics({
          ...options.metrics,
          circuits: () => everyShard().map((shard) => ({ institution: shard.institution, kind: shard.kind, state: resilience.circuitOf(shard) })),
          subscriptions: () => subscriptionStats?.(),
        });
  const requestIds = useRequestId();
  const errors = useErrors({ production, requestIdOf: requestIds.requestIdOf, onError: metrics?.countError, log: log.child({ component: 'errors' }) });
  const limits = useLimits({ blockFieldSuggestions: production, ...options.limits });
  const rateLimit = options.rateLimit === false ? null : useRateLimit({ log: log.child({ component: 'rate-limit' }), ...options.rateLimit });
  await rateLimit?.ready;
  const entityCache =
    options.entityCache === false
      ? null
      : createEntityCache({ ...options.entityCache, supergraphSdl: options.supergraphSdl, registry: options.registry, hopKey: options.hopKey, metrics: metrics?.registry, log });
  await entityCache?.ready;
  const onShardCall = (event: ShardCallEvent): void => {
    metrics?.observeShardCall(event);
    if (event.outcome !== 'ok') errors.logShardCall(event);
  };

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }): GraphQLDataSource<HubContext> => {
      if (options.registry.shards(name).length > 0) {
        return new OwnerRoutingDataSource({ kind: name, registry: options.registry, rules, shardSource: clients.sourceFor, timeoutMs: options.shardTimeoutMs ?? DEFAULT_SHARD_TIMEOUT_MS, resilience, onShardCall, cache: entityCache ?? undefined });
      }
      const source = clients.sourceFor({ institution: '', kind: name, url: url ?? '' });
      if (!entityCache) return source;
      // A subgraph without shards has no cache hints: what it answers is never called public.
      return {
        process: (request) => {
          if (request.kind === 'incoming operation') entityCache.bypass(request.context);
          return source.process(request);
        },
      };
    },
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((state) => {
    apiSchema = state.apiSchema;
  });
  const authenticate = createAuthenticator({ registry: options.registry, demoSecret: options.demoTokenSecret });
  const authenticateService = createServiceAuthenticator({ registry: options.registry });
  const apollo = new ApolloServer<HubContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // On by default in Apollo Server 5; stated here because the hub relies on it (GET mutations, form posts).
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: production,
    // Shutdown is the gateway's (main.ts): Apollo's own handler would stop it under in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    formatError: (formatted, error) => errors.formatError(limits.formatError(formatted), error),
    plugins: [...limits.plugins, errors.plugin, ...(metrics ? [metrics.plugin] : []), ...(entityCache ? [entityCache.plugin] : []), useIdempotencyKeys<HubContext>(), production ? ApolloServerPluginLandingPageDisabled() : explorerLandingPage()],
  });
  await apollo.start();

  let draining = false;
  let closing: Promise<void> | null = null;
  // Queries the gateway runs on a caller's behalf: subscription payloads and document downloads.
  const execute = async (query: string, variables: Record<string, unknown>, contextValue: HubContext): Promise<ExecutionResult> => {
    // Its deadline counts from now: a subscription's context was made when its socket opened.
    const answer = await apollo.executeOperation({ query, variables }, { contextValue: { ...contextValue, receivedAt: performance.now() } });
    if (answer.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not used by the hub')] };
    const { data, errors } = answer.body.singleResult;
    // Apollo hands back formatted errors; graphql-ws serialises GraphQLErrors (toJSON), so they become ones again.
    return {
      data: data ?? null,
      ...(errors ? { errors: errors.map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions })) } : {}),
    };
  };
  const routes: Route[] = [
    requestIds.route,
    useCors(options.cors),
    httpInputRoute(),
    ...healthRoutes({
      registry: options.registry,
      identity,
      circuitOf: resilience.circuitOf,
      draining: () => draining,
      cacheFeed: (shard) => (entityCache?.feeds.hasFeed(shard) ? { current: entityCache.feeds.isCurrent(shard) } : null),
    }),
    ...(metrics ? [metrics.route] : []),
    dashboardRoute(),
    ...(production ? [] : [explorerRoute()]),
    jwksRoute(HOP_KEYS_PATH, [...(options.hopKey ? [options.hopKey.publicJwk] : []), ...(options.hopRolloverKeys?.keys ?? [])]),
    ...(rateLimit ? [rateLimit.route] : []),
    ...(entityCache ? [entityCache.route] : []),
    documentRoute({
      execute,
      contextOf: async (request) => {
        const caller = await authenticate(request.headers.authorization);
        if (caller && rateLimit) await rateLimit.consumeInstitution(caller.institution, 1);
        return { requestId: requestIds.requestIdOf(request), caller, receivedAt: performance.now() };
      },
    }),
  ];
  const http = await startHttpServer<HubContext>({
    apollo,
    port: options.port,
    host: options.host,
    maxBodyBytes: limits.values.maxBodyBytes,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    routes,
    onErrors: errors.onErrors,
    context: async (request, body) => {
      const receivedAt = performance.now();
      const requestId = requestIds.requestIdOf(request);
      limits.checkBatch(body);
      const fields = body ?? getParameters(request);
      checkBodyStrings(fields, body === undefined ? 'query string' : 'body');
      for (const operation of Array.isArray(fields) ? fields : [fields]) limits.checkRequest(apiSchema, operation as GraphQLRequestFields);
      let caller: HubContext['caller'];
      try {
        const service = await authenticateService((name) => request.headers[name] as string | undefined, operationOf(body));
        caller = service ?? (await authenticate(request.headers.authorization));
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        throw new GraphQLError('Authentication failed', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
      if (caller && rateLimit) await rateLimit.consumeInstitution(caller.institution, Array.isArray(body) ? body.length : 1);
      checkIdempotencyKey(request.headers['idempotency-key'], body);
      return { requestId, caller, receivedAt };
    },
  });
  const subscriptions = useSubscriptions({
    server: http.server,
    supergraphSdl: options.supergraphSdl,
    registry: options.registry,
    schema: () => apiSchema,
    authenticate,
    hopKey: options.hopKey,
    identity,
    execute,
    allowedOrigins: options.cors?.origins ?? [],
    limits,
    rateLimit,
    clientAddress: (request) => clientAddress(request, options.rateLimit ? (options.rateLimit.trustProxyHops ?? 0) : 0),
    ...options.webSockets,
  });
  subscriptionStats = subscriptions.stats;
  log.info({ url: http.url, institutions: options.registry.institutions.length, limits: limits.values }, 'gateway listening');
  return {
    ...http,
    registry: options.registry,
    entityCache,
    // Stop accepting, let in-flight requests finish, close sockets; then the shard pools and Redis.
    close: () => {
      closing ??= (async () => {
        draining = true;
        await subscriptions.close();
        await http.close();
        await apollo.stop();
        await clients.close();
        await rateLimit?.close();
        await entityCache?.close();
      })();
      return closing;
    },
  };
}

export { loadRegistry, parseRegistry, Registry } from './registry/registry';
