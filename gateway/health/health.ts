import type { Registry } from '../registry/registry';
import { sendJson, type Route } from '../../subgraphs/shared/http';

export interface HealthOptions {
  registry: Registry;
  /** How long a shard's /health may take before it counts as down. @default 2000 */
  timeoutMs?: number;
}

/**
 * `/health/live`: the process answers. `/health/ready`: the supergraph is loaded and the registry read, with
 * each shard's state; ready even when some shards are down, since the hub serves the rest.
 */
export function healthRoutes(options: HealthOptions): Route[] {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return [
    (request, response) => {
      if (request.url !== '/health/live') return false;
      sendJson(response, 200, { status: 'ok' });
      return true;
    },
    async (request, response) => {
      if (request.url !== '/health/ready') return false;
      const shards = options.registry.kinds().flatMap((kind) => options.registry.shards(kind));
      const states = await Promise.all(
        shards.map(async (shard) => {
          const url = new URL('/health', shard.url);
          try {
            const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
            return { institution: shard.institution, kind: shard.kind, status: answer.ok ? 'up' : 'down' };
          } catch {
            return { institution: shard.institution, kind: shard.kind, status: 'down' };
          }
        }),
      );
      sendJson(response, 200, { status: 'ready', shards: states });
      return true;
    },
  ];
}
