import { ShardCallRefused } from '../resilience/resilience';
import { neverSent } from './shard-errors';

/** A write that never reached its shard changed nothing there: the entity cache keeps that shard's entries. */
test('calls the gateway refused, or that found no connection, never reached the shard; the rest may have', () => {
  const code = (value: string) => Object.assign(new Error(value), { code: value });
  expect(neverSent(new ShardCallRefused('circuit-open'))).toBe(true);
  expect(neverSent(new ShardCallRefused('overloaded'))).toBe(true);
  expect(neverSent(code('ECONNREFUSED'))).toBe(true);
  expect(neverSent(Object.assign(new Error('fetch failed'), { cause: code('UND_ERR_CONNECT_TIMEOUT') }))).toBe(true);
  // Sent, then lost: the shard may have committed.
  expect(neverSent(code('ECONNRESET'))).toBe(false);
  expect(neverSent(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false);
  expect(neverSent(new Error('socket hang up'))).toBe(false);
});
