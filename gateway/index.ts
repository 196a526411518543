import { ApolloGateway } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import { createApolloServer, executeAs } from './apollo-server';
import { createRequestContexts } from './auth/request-context';
import { useSubscriptions, type SubscriptionStats, type WebSocketLimitsOptions } from './subscriptions/subscriptions';
import { useDashboard } from './dashboard/dashboard';
import { useOutcomeEditor } from './outcomes/outcomes';
import { useExplorer } from './explorer/explorer';
import { useDocuments } from './documents/documents';
import { STATISTICS_SUBGRAPH } from './statistics/schema';
import { useStatistics } from './statistics/statistics';
import type { HubContext } from './context';
import { useCors, type CorsOptions } from './cors/cors';
import { useErrors } from './errors/errors';
import { useHealth } from './health/health';
import { useShardIdentity } from './health/shard-identity';
import { useLimits, type LimitsOptions } from './limits/limits';
import { useMetrics, type MetricsOptions } from './metrics/metrics';
import { composeParts, type GatewayPart } from './part';
import { clientAddress, useRateLimit, type RateLimitOptions } from './rate-limit/rate-limit';
import { Registry } from './registry/registry';
import { useRequestId } from './request-id/request-id';
import type { ResilienceOptions } from './resilience/resilience';
import { createEntityCache, type EntityCache, type EntityCacheSettings } from './cache';
import { createCatalogue, type Catalogue, type CatalogueEngine, type CatalogueSettings } from './catalogue';
import type { ShardCallEvent } from './routing/data-source';
import { buildRoutingTable } from './routing/routing-table';
import { buildServices } from './routing/services';
import { useShardCalls } from './routing/shard-calls';
import { DEFAULT_SHARD_TIMEOUT_MS } from './routing/shard-client';
import { useTracing, type TracingOptions } from './tracing/tracing';
import { startHttpServer, type RunningHttpServer } from '../platform/http';
import { moduleLogger, type Logger } from '../platform/logger';
import type { HopSigningKey } from '../platform/hop-keys';
import { HOP_KEYS_PATH, jwksRoute } from '../platform/jwks-route';
import { useIdempotencyKeys } from '../platform/idempotency-key';

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
  /** Most bytes the hub reads of one shard answer; a longer one costs that shard's data (cause `too-large`). @default 8 MiB */
  maxShardAnswerBytes?: number;
  /** Most JSON values the hub parses of one shard answer; more cost that shard's data (cause `too-large`). @default 100,000 */
  maxShardAnswerValues?: number;
  /** Whether identical queries in flight to one shard at once (same caller) share one call (routing/shard-client.ts). @default true */
  shareInflight?: boolean;
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
  /** How long a live event a shard cannot complete is held before its subscribers are ended (see subscriptions/hold.ts). @default 30_000 */
  liveEventHoldMs?: number;
  /** Prometheus metrics at /metrics; false turns them off. @default on */
  metrics?: MetricsOptions | false;
  /** The entity cache for public types (see cache/); false turns it off. @default on, in memory */
  entityCache?: EntityCacheSettings | false;
  /**
   * The catalogue that answers lists and searches (`units`, `qualifications`, `institutions`) without waiting for
   * every shard (see catalogue/); false or absent: they fan out. The configuration (gateway/config.ts) turns it on.
   * `engine`: one made elsewhere (tests), instead of the one the settings name.
   */
  catalogue?: (CatalogueSettings & { engine?: CatalogueEngine }) | false;
  /** W3C trace context: whether a client's `traceparent` is continued (spans are exported when the process started tracing, see platform/tracing.ts). @default continued */
  tracing?: TracingOptions;
  /** How long `close()` lets in-flight requests finish before it cuts their connections. @default 10_000 */
  shutdownTimeoutMs?: number;
  /** ecvetStatistics: suppression threshold, base-cell reuse, live recount's debounce (see statistics/). @default 5 learners, 30 s, 500 ms */
  statistics?: { suppressionThreshold?: number; cacheMs?: number; debounceMs?: number };
  /** @default the `gateway` module logger (each concern logs through a child of it) */
  logger?: Logger;
}

export interface RunningGateway extends RunningHttpServer {
  registry: Registry;
  /** The entity cache, when on (its feeds' states, flushes). */
  entityCache: EntityCache | null;
  /** The catalogue, when on (its parts' states, rebuilds). */
  catalogue: Catalogue | null;
  /** What subscriptions hold open on this gateway: sockets, subscriptions, upstreams to shards. */
  subscriptions: { stats(): SubscriptionStats };
}

/**
 * The hub: Apollo Gateway over a static supergraph, with owner routing for every kind the registry shards.
 * A kind without shards in the registry is served from its supergraph URL exactly as stock Apollo Gateway
 * would. Around it, one part per concern (gateway/part.ts): request ids, tracing, CORS, operation limits, error shaping,
 * health, metrics, rate limits, the entity cache, documents, subscriptions; resilience around shard calls.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.logger ?? moduleLogger('gateway');
  const production = options.production ?? false;
  const routing = buildRoutingTable(options.supergraphSdl);
  const identity = useShardIdentity({ registry: options.registry, hopKey: options.hopKey, log });
  const shardCalls = useShardCalls({
    registry: options.registry,
    hopKey: options.hopKey,
    identity,
    timeoutMs: options.shardTimeoutMs,
    connectionsPerShard: options.connectionsPerShard,
    shareInflight: options.shareInflight,
    maxAnswerBytes: options.maxShardAnswerBytes,
    maxAnswerValues: options.maxShardAnswerValues,
    resilience: options.resilience,
    log,
  });
  // Subscriptions start with the HTTP server, after the metrics: read through this once they have.
  let subscriptionStats: (() => SubscriptionStats) | undefined;
  let draining = false;
  let apiSchema: GraphQLSchema | undefined;
  // Parts run queries through Apollo, which takes their plugins: it exists by the time they call.
  let apollo: ApolloServer<HubContext> | undefined;
  const execute = (query: string, variables: Record<string, unknown>, context: HubContext) => {
    if (!apollo) throw new Error('the gateway has not started');
    return executeAs(apollo, query, variables, context);
  };

  const metrics =
    options.metrics === false
      ? null
      : useMetrics({
          ...options.metrics,
          circuits: shardCalls.circuits,
          subscriptions: () => subscriptionStats?.(),
        });
  const requestIds = useRequestId();
  const tracing = useTracing(options.tracing);
  const errors = useErrors({
    production,
    requestIdOf: requestIds.requestIdOf,
    onError: metrics?.countError,
    log: log.child({ component: 'errors' }),
  });
  const limits = useLimits({ blockFieldSuggestions: production, ...options.limits });
  const rateLimit =
    options.rateLimit === false
      ? null
      : useRateLimit({ log: log.child({ component: 'rate-limit' }), ...options.rateLimit });
  const entityCache =
    options.entityCache === false
      ? null
      : createEntityCache({
          ...options.entityCache,
          routing,
          registry: options.registry,
          hopKey: options.hopKey,
          metrics: metrics?.registry,
          log,
        });
  const catalogue = options.catalogue
    ? createCatalogue({
        ...options.catalogue,
        registry: options.registry,
        hopKey: options.hopKey,
        metrics: metrics?.registry,
        log,
      })
    : null;
  const contexts = createRequestContexts({
    registry: options.registry,
    demoTokenSecret: options.demoTokenSecret,
    requestIdOf: requestIds.requestIdOf,
    limits,
    rateLimit,
    schema: () => apiSchema,
  });
  const statistics = useStatistics({
    ...options.statistics,
    registry: options.registry,
    execute,
    contextOf: contexts.download,
    log: log.child({ component: 'statistics' }),
  });
  // Stopped in reverse order: the shard pools last, once no part is left to call a shard.
  const parts: GatewayPart[] = [
    shardCalls,
    requestIds,
    tracing,
    { name: 'cors', routes: [useCors(options.cors)] },
    limits,
    errors,
    useHealth({
      registry: options.registry,
      identity,
      circuitOf: shardCalls.resilience.circuitOf,
      draining: () => draining,
      cacheFeed: (shard) =>
        entityCache?.feeds.hasFeed(shard) ? { current: entityCache.feeds.isCurrent(shard) } : null,
      catalogue: catalogue ? () => catalogue.health() : undefined,
    }),
    ...(metrics ? [metrics] : []),
    useDashboard(),
    useOutcomeEditor(),
    useExplorer({ production }),
    {
      name: 'hop-keys',
      routes: [
        jwksRoute(HOP_KEYS_PATH, [
          ...(options.hopKey ? [options.hopKey.publicJwk] : []),
          ...(options.hopRolloverKeys?.keys ?? []),
        ]),
      ],
    },
    ...(rateLimit ? [rateLimit] : []),
    ...(entityCache ? [entityCache] : []),
    ...(catalogue ? [catalogue] : []),
    { name: 'idempotency-keys', plugins: [useIdempotencyKeys<HubContext>()] },
    useDocuments({ execute, contextOf: contexts.download }),
    statistics,
  ];
  const composed = composeParts(parts);
  await composed.start();
  const onShardCall = (event: ShardCallEvent): void => {
    metrics?.observeShardCall(event);
    if (event.outcome !== 'ok') errors.logShardCall(event);
  };

  const services = buildServices({
    registry: options.registry,
    routing,
    shardSource: shardCalls.sourceFor,
    timeoutMs: options.shardTimeoutMs ?? DEFAULT_SHARD_TIMEOUT_MS,
    resilience: shardCalls.resilience,
    onShardCall,
    cache: entityCache ?? undefined,
    catalogue: catalogue ?? undefined,
  });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    // The hub's own subgraph runs in this process; every other one is a shard kind or a one-URL subgraph.
    buildService: (service) => (service.name === STATISTICS_SUBGRAPH ? statistics.dataSource : services(service)),
  });
  gateway.onSchemaLoadOrUpdate((state) => {
    apiSchema = state.apiSchema;
  });
  const server = createApolloServer({
    gateway,
    production,
    limits,
    errors,
    plugins: composed.plugins,
    keptJson: statistics.keptJson,
  });
  await server.start();
  apollo = server;

  let closing: Promise<void> | null = null;
  const http = await startHttpServer<HubContext>({
    apollo: server,
    port: options.port,
    host: options.host,
    maxBodyBytes: limits.values.maxBodyBytes,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    routes: composed.routes,
    onErrors: errors.onErrors,
    context: (request, body) => tracing.traced(request, () => contexts.graphql(request, body)),
  });
  const subscriptions = useSubscriptions({
    server: http.server,
    routing,
    registry: options.registry,
    schema: () => apiSchema,
    authenticate: contexts.authenticate,
    hopKey: options.hopKey,
    identity,
    execute,
    allowedOrigins: options.cors?.origins ?? [],
    limits,
    rateLimit,
    clientAddress: (request) => clientAddress(request, options.rateLimit ? (options.rateLimit.trustProxyHops ?? 0) : 0),
    ...options.webSockets,
    liveEventHoldMs: options.liveEventHoldMs,
    local: statistics.subscribe,
    log: log.child({ component: 'subscriptions' }),
  });
  subscriptionStats = subscriptions.stats;
  const running = composeParts([...parts, subscriptions]);
  log.info(
    { url: http.url, institutions: options.registry.institutions.length, limits: limits.values },
    'gateway listening',
  );
  // Every shard's /health asked now, not by the first call to it: a wrong shard in the registry shows in the log at
  // start, and the first requests neither wait for the ask nor sign their hops one by one.
  void identity.warm(options.registry.kinds().flatMap((kind) => options.registry.shards(kind)));
  return {
    ...http,
    registry: options.registry,
    entityCache,
    catalogue,
    subscriptions,
    // Close sockets, stop accepting, let in-flight requests finish; then each part (Redis, feeds, the shard pools).
    close: () => {
      closing ??= (async () => {
        draining = true;
        await running.drain();
        await http.close();
        identity.close();
        await server.stop();
        await running.stop();
      })();
      return closing;
    },
  };
}

export { loadRegistry, parseRegistry, Registry } from './registry/registry';
