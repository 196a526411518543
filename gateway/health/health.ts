import type { ServerResponse } from 'node:http';
import type { Registry, Shard } from '../registry/registry';
import type { CircuitStateName } from '../resilience/resilience';
import { sendJson, type Route } from '../../subgraphs/shared/http';

export interface HealthOptions {
  registry: Registry;
  /** How long a shard's /health may take before it counts as down. @default 2000 */
  timeoutMs?: number;
  /** The circuit breaker state of a shard, reported beside its health. */
  circuitOf?: (shard: Shard) => CircuitStateName;
  /** True once the gateway is shutting down: readiness then fails, so load balancers stop sending requests. */
  draining?: () => boolean;
  /** Whether the entity cache follows a shard's change feed (only shards with one are asked). */
  cacheFeed?: (shard: Shard) => { current: boolean } | null;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

/**
 * `/health/live`: the process answers. `/health/ready`: the supergraph is loaded and the registry read, with
 * each shard's state, circuit and (for shards with public data) whether the entity cache follows its feed; ready even when some shards are down, since the hub serves the rest; not
 * ready (503) while shutting down.
 */
export function healthRoutes(options: HealthOptions): Route[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const ready = async (response: ServerResponse): Promise<boolean> => {
    const shards = options.registry.kinds().flatMap((kind) => options.registry.shards(kind));
    const states = await Promise.all(
      shards.map(async (shard) => {
        const url = new URL('/health', shard.url);
        const feed = options.cacheFeed?.(shard);
        const extra = { ...(options.circuitOf ? { circuit: options.circuitOf(shard) } : {}), ...(feed ? { cacheFeed: feed.current ? 'current' : 'lost' } : {}) };
        try {
          const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          return { institution: shard.institution, kind: shard.kind, status: answer.ok ? 'up' : 'down', ...extra };
        } catch {
          return { institution: shard.institution, kind: shard.kind, status: 'down', ...extra };
        }
      }),
    );
    sendJson(response, 200, { status: 'ready', shards: states });
    return true;
  };
  return [
    (request, response) => {
      if (request.url !== '/health/live') return false;
      sendJson(response, 200, { status: 'ok' });
      return true;
    },
    // Synchronous until the path matches: other requests pay no await here.
    (request, response) => {
      if (request.url !== '/health/ready') return false;
      if (options.draining?.()) {
        sendJson(response, 503, { status: 'draining' });
        return true;
      }
      return ready(response);
    },
  ];
}
