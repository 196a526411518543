import type { ServerResponse } from 'node:http';
import type { Registry, Shard } from '../registry/registry';
import type { CircuitStateName } from '../resilience/resilience';
import type { ShardIdentity } from './shard-identity';
import { sendJson } from '../../platform/http';
import type { GatewayPart } from '../part';
import type { CatalogueHealth } from '../catalogue';

export interface HealthOptions {
  registry: Registry;
  /** Asks each shard who it is: a shard that proves to be another is reported "wrong shard" with the problem. */
  identity: ShardIdentity;
  /** The circuit breaker state of a shard, reported beside its health. */
  circuitOf?: (shard: Shard) => CircuitStateName;
  /** True once the gateway is shutting down: readiness then fails, so load balancers stop sending requests. */
  draining?: () => boolean;
  /** Whether the entity cache follows a shard's change feed (only shards with one are asked). */
  cacheFeed?: (shard: Shard) => { current: boolean } | null;
  /** The hub catalogue's state (engine, institutions current, stale, not read yet, age), when it is on. */
  catalogue?: () => CatalogueHealth;
}

/** How old a shard's state may be in a readiness answer before its /health is asked again. */
const SHARD_STATE_MAX_AGE_MS = 5_000;
/**
 * Longest a readiness answer waits for a shard's /health (which may take 2 s to count as down): load balancers give
 * readiness a second or so, and one member's hanging shard must not make the hub look unready.
 */
const SHARD_STATE_WAIT_MS = 500;

/**
 * `/health/live`: the process answers. `/health/ready`: the supergraph is loaded and the registry read, with
 * each shard's state (up, down, or "wrong shard" with the problem), circuit and (for shards with public data) whether the entity cache follows its feed; ready even when some shards are down, since the hub serves the rest; not
 * ready (503) while shutting down. With the catalogue on, also its state: a stale part does not make the hub unready
 * (answers name it).
 */
export function useHealth(options: HealthOptions): GatewayPart {
  const ready = async (response: ServerResponse): Promise<boolean> => {
    const shards = options.registry.kinds().flatMap((kind) => options.registry.shards(kind));
    const states = await Promise.all(
      shards.map(async (shard) => {
        const feed = options.cacheFeed?.(shard);
        const extra = {
          ...(options.circuitOf ? { circuit: options.circuitOf(shard) } : {}),
          ...(feed ? { cacheFeed: feed.current ? 'current' : 'lost' } : {}),
        };
        // Anyone may ask for readiness, as often as the rate limit lets them: it asks a shard at most every
        // SHARD_STATE_MAX_AGE_MS, and readiness requests at the same time share one ask, so they cannot flood
        // members' shards. Calls share the verdict it leaves.
        const verdict = await options.identity.state(shard, SHARD_STATE_MAX_AGE_MS, SHARD_STATE_WAIT_MS);
        return {
          institution: shard.institution,
          kind: shard.kind,
          status: verdict.status,
          ...(verdict.status === 'wrong shard' ? { error: verdict.error } : {}),
          ...extra,
        };
      }),
    );
    sendJson(response, 200, {
      status: 'ready',
      shards: states,
      ...(options.catalogue ? { catalogue: options.catalogue() } : {}),
    });
    return true;
  };
  return {
    name: 'health',
    routes: [
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
    ],
  };
}
