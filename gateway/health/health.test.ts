import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRegistry } from '../registry/registry';
import { useHealth } from './health';
import type { ShardIdentity } from './shard-identity';

const registry = parseRegistry({
  institutions: [{ code: 'rvt.lv', names: [{ lang: 'en', value: 'RVT' }], country: 'LV', shards: {} }],
});

/** Tries the part's routes in order, as the HTTP server does, and returns what answered. */
async function get(routes: ReturnType<typeof useHealth>['routes'], url: string) {
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    writeHead: (status: number) => ((sent.status = status), response),
    setHeader: () => response,
    end: (body: string) => void (sent.body = JSON.parse(body)),
  } as unknown as ServerResponse;
  for (const route of routes ?? [])
    if (await route({ url, method: 'GET', headers: {} } as IncomingMessage, response)) return sent;
  return null;
}

test('live always answers; ready lists the shards, and fails with 503 while draining', async () => {
  let draining = false;
  const health = useHealth({ registry, identity: {} as ShardIdentity, draining: () => draining });
  expect(health.name).toBe('health');
  expect(await get(health.routes, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await get(health.routes, '/health/ready')).toEqual({ status: 200, body: { status: 'ready', shards: [] } });
  expect(await get(health.routes, '/graphql')).toBeNull();
  draining = true;
  expect(await get(health.routes, '/health/ready')).toEqual({ status: 503, body: { status: 'draining' } });
});
