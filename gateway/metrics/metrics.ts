import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sendJson, type Route } from '../../platform/http';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import type { CircuitReport, CircuitStateName } from '../resilience/resilience';
import type { ShardCallEvent } from '../routing/data-source';
import type { SubscriptionStats } from '../subscriptions/subscriptions';

export interface MetricsOptions {
  /** Where Prometheus scrapes. @default '/metrics' */
  path?: string;
  /** Node.js process metrics (CPU, memory, event-loop lag, GC) too. @default true */
  processMetrics?: boolean;
  /** Distinct operation names (and error codes) kept as label values; later ones are counted as "(other)". @default 200 */
  maxLabelValues?: number;
  /** Every shard's circuit, read at each scrape. */
  circuits?: () => CircuitReport[];
  /** What subscriptions hold open, read at each scrape. */
  subscriptions?: () => SubscriptionStats | undefined;
}

/** As a gateway part: its route is GET `path` (the metrics in Prometheus' text format), its plugin counts requests and their latency by operation name. */
export interface Metrics extends GatewayPart {
  /** The gateway's own registry: every part registers its metrics here. */
  registry: Registry;
  routes: readonly [Route];
  plugins: readonly [ApolloServerPlugin<HubContext>];
  observeShardCall(event: ShardCallEvent): void;
  countError(code: string): void;
}

export const DEFAULT_METRICS_PATH = '/metrics';
export const DEFAULT_MAX_LABEL_VALUES = 200;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CIRCUIT_VALUES: Record<CircuitStateName, number> = { closed: 0, open: 1, 'half-open': 2, isolated: 3 };

/** Label values chosen by clients (operation names) or partners (error codes) are capped, so a hostile client cannot grow the registry. */
function boundedLabels(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return '(other)';
    seen.add(value);
    return value;
  };
}

/** Prometheus metrics on a registry of this gateway's own (several gateways can share a process in tests). */
export function useMetrics(options: MetricsOptions = {}): Metrics {
  const path = options.path ?? DEFAULT_METRICS_PATH;
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const max = options.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES;
  const operationLabel = boundedLabels(max);
  const codeLabel = boundedLabels(max);

  const requests = new Counter({
    name: 'hub_graphql_requests_total',
    help: 'GraphQL requests by operation name',
    labelNames: ['operation'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'hub_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name, from the request to its answer',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const shardCalls = new Counter({
    name: 'hub_shard_calls_total',
    help: 'Calls to shards by institution, subgraph kind and outcome (ok, errors, timeout, unavailable, malformed, circuit-open, overloaded)',
    labelNames: ['institution', 'kind', 'outcome'],
    registers: [registry],
  });
  const shardSeconds = new Histogram({
    name: 'hub_shard_call_duration_seconds',
    help: 'Shard call latency by institution and subgraph kind (retries included)',
    labelNames: ['institution', 'kind'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'hub_errors_total',
    help: 'Errors sent to clients, by extensions.code',
    labelNames: ['code'],
    registers: [registry],
  });
  const circuits = options.circuits;
  new Gauge({
    name: 'hub_shard_circuit_state',
    help: 'Circuit breaker state per shard: 0 closed, 1 open, 2 half-open, 3 isolated',
    labelNames: ['institution', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const circuit of circuits?.() ?? [])
        this.labels(circuit.institution, circuit.kind).set(CIRCUIT_VALUES[circuit.state]);
    },
  });

  const subscriptions = options.subscriptions;
  const gauges: Array<[keyof SubscriptionStats, string, string]> = [
    ['connections', 'hub_subscription_connections_open', 'WebSocket connections open for subscriptions'],
    [
      'anonymous',
      'hub_subscription_anonymous_sockets_open',
      'WebSocket connections open without a valid token (capped per client IP and in all)',
    ],
    ['subscriptions', 'hub_subscriptions_open', 'Subscriptions open'],
    [
      'upstreams',
      'hub_subscription_upstreams_open',
      'Subscriptions to shards open behind them (shared by subscribers with the same caller and operation)',
    ],
  ];
  for (const [key, name, help] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(subscriptions?.()?.[key] ?? 0);
      },
    });
  }

  // Children by label value, so the hot path skips prom-client's label hashing.
  const requestChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'operation'> }>();
  const shardCallChildren = new Map<string, Counter.Internal>();
  const shardSecondsChildren = new Map<string, Histogram.Internal<'institution' | 'kind'>>();
  const errorChildren = new Map<string, Counter.Internal>();

  const listener: GraphQLRequestListener<HubContext> = {
    async willSendResponse({ contextValue, operation, operationName }) {
      const name = operationLabel(operation ? (operationName ?? '(anonymous)') : '(invalid)');
      let children = requestChildren.get(name);
      if (!children) {
        children = { count: requests.labels(name), seconds: requestSeconds.labels(name) };
        requestChildren.set(name, children);
      }
      children.count.inc();
      children.seconds.observe((performance.now() - contextValue.receivedAt) / 1_000);
    },
  };

  // Synchronous until the path matches: GraphQL requests pay no await here.
  const route: Route = (request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== path) return false;
    return registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(text);
        return true;
      },
      (error: unknown) => {
        sendJson(response, 500, { error: (error as Error).message });
        return true;
      },
    );
  };

  return {
    name: 'metrics',
    registry,
    routes: [route],
    plugins: [{ requestDidStart: async () => listener }],
    observeShardCall: (event) => {
      const { institution, kind } = event.shard;
      const callKey = `${institution}\u0000${kind}\u0000${event.outcome}`;
      let calls = shardCallChildren.get(callKey);
      if (!calls) {
        calls = shardCalls.labels(institution, kind, event.outcome);
        shardCallChildren.set(callKey, calls);
      }
      calls.inc();
      const timeKey = `${institution}\u0000${kind}`;
      let seconds = shardSecondsChildren.get(timeKey);
      if (!seconds) {
        seconds = shardSeconds.labels(institution, kind);
        shardSecondsChildren.set(timeKey, seconds);
      }
      seconds.observe(event.durationMs / 1_000);
    },
    countError: (code) => {
      const label = codeLabel(code);
      let child = errorChildren.get(label);
      if (!child) {
        child = errors.labels(label);
        errorChildren.set(label, child);
      }
      child.inc();
    },
  };
}
