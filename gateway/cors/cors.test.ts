import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseOrigins, useCors } from './cors';

function exchange(headers: Record<string, string>, method = 'POST') {
  const set: Record<string, string> = {};
  let status: number | undefined;
  const response = {
    setHeader: (name: string, value: string) => (set[name] = value),
    writeHead: (code: number) => (status = code),
    end: () => undefined,
  } as unknown as ServerResponse;
  return { request: { method, headers } as unknown as IncomingMessage, response, set, status: () => status };
}

test('CORS_ORIGINS is a comma-separated list; blanks and trailing slashes are dropped', () => {
  expect(parseOrigins(' https://a.example/, ,http://localhost:3000 ')).toEqual([
    'https://a.example',
    'http://localhost:3000',
  ]);
  expect(parseOrigins(undefined)).toEqual([]);
});

test('requests without an Origin pass untouched (non-browser clients: the hot path)', () => {
  const cors = useCors({ origins: ['https://a.example'] });
  const call = exchange({});
  expect(cors(call.request, call.response)).toBe(false);
  expect(call.set).toEqual({});
});

test('an allowed origin is echoed; a preflight is answered here', () => {
  const cors = useCors({ origins: ['https://a.example'] });
  const post = exchange({ origin: 'https://a.example' });
  expect(cors(post.request, post.response)).toBe(false);
  expect(post.set).toEqual(
    expect.objectContaining({ 'access-control-allow-origin': 'https://a.example', vary: 'Origin' }),
  );
  const preflight = exchange({ origin: 'https://a.example', 'access-control-request-method': 'POST' }, 'OPTIONS');
  expect(cors(preflight.request, preflight.response)).toBe(true);
  expect(preflight.status()).toBe(204);
  expect(preflight.set).toEqual(
    expect.objectContaining({ 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-max-age': '600' }),
  );
});

test('another origin gets no CORS header; `*` allows any page, without credentials', () => {
  const hostile = exchange({ origin: 'https://evil.example', 'access-control-request-method': 'POST' }, 'OPTIONS');
  expect(useCors({ origins: ['https://a.example'] })(hostile.request, hostile.response)).toBe(true);
  expect(Object.keys(hostile.set).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  const any = exchange({ origin: 'https://evil.example' });
  expect(useCors({ origins: ['*'] })(any.request, any.response)).toBe(false);
  expect(any.set['access-control-allow-origin']).toBe('*');
  expect(any.set['access-control-allow-credentials']).toBeUndefined();
});
