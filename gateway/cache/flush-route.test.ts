import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRegistry } from '../registry/registry';
import { flushRoute } from './flush-route';

const registry = parseRegistry({
  institutions: [{ code: 'rvt.lv', names: [{ lang: 'en', value: 'RVT' }], country: 'LV', shards: {} }],
});

async function call(route: ReturnType<typeof flushRoute>, url: string, method = 'POST', authorization?: string) {
  const request = { url, method, headers: authorization ? { authorization } : {} } as unknown as IncomingMessage;
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    writeHead: (status: number) => {
      sent.status = status;
      return response;
    },
    setHeader: () => response,
    end: (body: string) => void (sent.body = JSON.parse(body)),
  } as unknown as ServerResponse;
  const handled = await route(request, response);
  return { handled, ...sent };
}

test("flushes a registered institution's entries for the operator's bearer token only", async () => {
  const flushed: string[] = [];
  const route = flushRoute({
    operatorToken: 'secret',
    registry,
    flush: async (institution) => (flushed.push(institution), 3),
  });
  expect(await call(route, '/graphql')).toEqual({ handled: false });
  expect(await call(route, '/cache/flush?institution=rvt.lv', 'POST', 'Bearer wrong')).toMatchObject({
    handled: true,
    status: 403,
  });
  expect(await call(route, '/cache/flush?institution=rvt.lv', 'GET', 'Bearer secret')).toMatchObject({
    handled: true,
    status: 403,
  });
  expect(await call(route, '/cache/flush?institution=nobody.example', 'POST', 'Bearer secret')).toMatchObject({
    status: 400,
  });
  expect(await call(route, '/cache/flush?institution=rvt.lv', 'POST', 'Bearer secret')).toEqual({
    handled: true,
    status: 200,
    body: { institution: 'rvt.lv', dropped: 3 },
  });
  expect(flushed).toEqual(['rvt.lv']);
});

test('without an operator token the route answers 404', async () => {
  const route = flushRoute({ operatorToken: null, registry, flush: async () => 0 });
  expect(await call(route, '/cache/flush?institution=rvt.lv', 'POST', 'Bearer ')).toMatchObject({
    handled: true,
    status: 404,
  });
});
