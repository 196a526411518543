import type { ApolloServerPlugin } from '@apollo/server';
import type { Route } from '../platform/http';
import type { HubContext } from './context';
import { composeParts, type GatewayPart } from './part';

function recordingPart(name: string, steps: string[], extra: Partial<GatewayPart> = {}): GatewayPart {
  return {
    name,
    start: async () => void steps.push(`start ${name}`),
    drain: async () => void steps.push(`drain ${name}`),
    stop: async () => void steps.push(`stop ${name}`),
    ...extra,
  };
}

test('parts start and drain in order and stop in reverse order', async () => {
  const steps: string[] = [];
  const composed = composeParts([
    recordingPart('cache', steps),
    { name: 'dashboard' },
    recordingPart('subscriptions', steps),
  ]);
  await composed.start();
  await composed.drain();
  await composed.stop();
  expect(steps).toEqual([
    'start cache',
    'start subscriptions',
    'drain cache',
    'drain subscriptions',
    'stop subscriptions',
    'stop cache',
  ]);
});

test("plugins and routes keep the order of the parts, then each part's own", () => {
  const route =
    (path: string): Route =>
    (request) =>
      request.url === path;
  const plugin = (): ApolloServerPlugin<HubContext> => ({});
  const [a, b, c] = [route('/a'), route('/b'), route('/c')];
  const [p, q] = [plugin(), plugin()];
  const composed = composeParts([
    { name: 'one', routes: [a, b], plugins: [p] },
    { name: 'two' },
    { name: 'three', routes: [c], plugins: [q] },
  ]);
  expect(composed.routes).toEqual([a, b, c]);
  expect(composed.plugins).toEqual([p, q]);
});

test('a part that fails to start is named, and the parts after it do not start', async () => {
  const steps: string[] = [];
  const failing: GatewayPart = { name: 'rate-limit', start: () => Promise.reject(new Error('Redis refused')) };
  const composed = composeParts([recordingPart('cache', steps), failing, recordingPart('subscriptions', steps)]);
  await expect(composed.start()).rejects.toThrow('gateway part "rate-limit" failed to start: Redis refused');
  expect(steps).toEqual(['start cache']);
});
