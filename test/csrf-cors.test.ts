import { startTestHub, type TestHub } from './harness/hub';

/** Browsers: Apollo's CSRF prevention refuses requests a page could send without a preflight; CORS follows the allowlist. */
let hub: TestHub;
const ALLOWED = 'https://dashboard.rvt.lv';
const HOSTILE = 'https://evil.example';
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv'],
    shards: 'in-process',
    gateway: { cors: { origins: [ALLOWED] } },
  });
});
afterAll(async () => hub?.dispose());

const MUTATION = 'mutation { retireUnit(id: "rvt.lv:WELD-U1") { id status } }';
const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

test('a GET mutation is refused: as a possible CSRF without a preflight header, as a GET with one', async () => {
  const token = await hub.token('rvt.lv', ['coordinator']);
  const url = `${hub.url}?query=${encodeURIComponent(MUTATION)}`;
  const simple = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(simple.status).toBe(400);
  expect(
    ((await simple.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> }).errors[0],
  ).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/Cross-Site Request Forgery/),
      extensions: expect.objectContaining({ code: 'BAD_REQUEST', requestId: expect.any(String) }),
    }),
  );
  const preflighted = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
  });
  expect(preflighted.status).toBe(405);
  expect(preflighted.headers.get('allow')).toBe('POST');
  // Nothing was retired.
  const unit = await hub.request('{ unit(id: "rvt.lv:WELD-U1") { status } }');
  expect(unit.body.data).toEqual({ unit: { status: 'ACTIVE' } });
});

test('a form-like POST (text/plain) is refused as a possible CSRF', async () => {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ query: MUTATION }),
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
});

test('a hostile Origin gets no CORS header, on a preflight or a request', async () => {
  const preflight = await fetch(hub.url, {
    method: 'OPTIONS',
    headers: {
      origin: HOSTILE,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  expect(preflight.status).toBe(204);
  expect(corsHeaders(preflight)).toEqual([]);
  const post = await fetch(hub.url, {
    method: 'POST',
    headers: { origin: HOSTILE, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ institutions { id } }' }),
  });
  expect(corsHeaders(post)).toEqual([]);
});

test('an allowed Origin is answered with its own origin, and its preflight lists what it may send', async () => {
  const preflight = await fetch(hub.url, {
    method: 'OPTIONS',
    headers: {
      origin: ALLOWED,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  expect(preflight.headers.get('vary')).toBe('Origin');
  const post = await fetch(hub.url, {
    method: 'POST',
    headers: { origin: ALLOWED, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ institutions { id } }' }),
  });
  expect(post.status).toBe(200);
  expect(post.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(post.headers.get('access-control-expose-headers')).toContain('x-request-id');
});
