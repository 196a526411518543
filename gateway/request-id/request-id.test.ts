import type { IncomingMessage, ServerResponse } from 'node:http';
import { useRequestId } from './request-id';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;

test('one id per request, on the response; a well-formed incoming one is kept', () => {
  const ids = useRequestId();
  const set: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (set[name] = value) } as unknown as ServerResponse;
  const incoming = request({ 'x-request-id': 'trace-1:abc' });
  expect(ids.routes[0](incoming, response)).toBe(false);
  expect(set['x-request-id']).toBe('trace-1:abc');
  expect(ids.requestIdOf(incoming)).toBe('trace-1:abc');

  const fresh = request();
  expect(ids.requestIdOf(fresh)).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids.requestIdOf(fresh)).toBe(ids.requestIdOf(fresh));
  expect(ids.requestIdOf(request({ 'x-request-id': 'x'.repeat(200) }))).toMatch(/^[0-9a-f-]{36}$/);
  expect(useRequestId({ trustIncoming: false }).requestIdOf(request({ 'x-request-id': 'trace-1' }))).not.toBe(
    'trace-1',
  );
});
