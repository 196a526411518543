import { GraphQLError, type ExecutionResult } from 'graphql';
import { heldTooLong, outageOf, resolveHeld } from './hold';

const complete: ExecutionResult = { data: { assessment: { unit: { title: 'MAG welding' } } } };
const down = (code = 'SHARD_UNAVAILABLE'): ExecutionResult => ({
  data: { assessment: { unit: null } },
  errors: [
    new GraphQLError('The qualifications shard of rvt.lv could not be reached', {
      extensions: { code, institution: 'rvt.lv', kind: 'qualifications' },
    }),
  ],
});

/** A resolver that answers from `answers` in turn (the last one again when they run out), noting when it was called. */
function scripted(...answers: ExecutionResult[]) {
  const calls: number[] = [];
  const started = Date.now();
  const resolve = () => {
    calls.push(Date.now() - started);
    return Promise.resolve(answers[Math.min(calls.length - 1, answers.length - 1)] ?? null);
  };
  return { resolve, calls };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a complete answer is taken at once', async () => {
  const { resolve, calls } = scripted(complete);
  await expect(resolveHeld(resolve, { holdMs: 30_000 })).resolves.toEqual({ answer: complete });
  expect(calls).toEqual([0]);
});

test('while a shard cannot answer, the event is resolved again after 250 ms, doubling, and delivered once complete', async () => {
  const { resolve, calls } = scripted(down(), down('GATEWAY_TIMEOUT'), down(), complete);
  const held = resolveHeld(resolve, { holdMs: 30_000 });
  await jest.advanceTimersByTimeAsync(2_000);
  await expect(held).resolves.toEqual({ answer: complete });
  expect(calls).toEqual([0, 250, 750, 1_750]);
});

test('waits double up to 5 s; past the hold the shard that could not answer is named', async () => {
  const { resolve, calls } = scripted(down());
  const held = resolveHeld(resolve, { holdMs: 30_000 });
  await jest.advanceTimersByTimeAsync(31_000);
  await expect(held).resolves.toEqual({ outage: { institution: 'rvt.lv', kind: 'qualifications' } });
  // 250, 500, 1000, 2000, 4000, then 5 s each, the last try at the bound itself.
  expect(calls).toEqual([0, 250, 750, 1_750, 3_750, 7_750, 12_750, 17_750, 22_750, 27_750, 30_000]);
});

test('errors other than a shard outage are final: an authorization null is delivered as it is, without retries', async () => {
  const forbidden: ExecutionResult = {
    data: { assessment: null },
    errors: [new GraphQLError('Not a party', { extensions: { code: 'FORBIDDEN' } })],
  };
  const { resolve, calls } = scripted(forbidden, complete);
  await expect(resolveHeld(resolve, { holdMs: 30_000 })).resolves.toEqual({ answer: forbidden });
  expect(calls).toEqual([0]);
});

test('a resolver that throws is delivered as an error, not held', async () => {
  const held = await resolveHeld(() => Promise.reject(new Error('bug')), { holdMs: 30_000 });
  expect('answer' in held && held.answer?.errors?.[0]?.message).toBe('bug');
});

test('a hold of 0 tries once', async () => {
  const { resolve, calls } = scripted(down(), complete);
  await expect(resolveHeld(resolve, { holdMs: 0 })).resolves.toEqual({
    outage: { institution: 'rvt.lv', kind: 'qualifications' },
  });
  expect(calls).toEqual([0]);
});

test('an aborted hold stops waiting at once', async () => {
  const { resolve, calls } = scripted(down());
  const stop = new AbortController();
  const held = resolveHeld(resolve, { holdMs: 30_000, signal: stop.signal });
  await jest.advanceTimersByTimeAsync(300);
  stop.abort();
  await expect(held).resolves.toEqual({ outage: { institution: 'rvt.lv', kind: 'qualifications' } });
  expect(calls).toEqual([0, 250]);
});

test('the outage is read from the gateway error codes only', () => {
  expect(outageOf(down('GATEWAY_TIMEOUT'))).toEqual({ institution: 'rvt.lv', kind: 'qualifications' });
  expect(
    outageOf({
      errors: [new GraphQLError('x', { extensions: { code: 'INTERNAL_SERVER_ERROR', institution: 'rvt.lv' } })],
    }),
  ).toBeNull();
  expect(outageOf(null)).toBeNull();
});

test('the ending error names the institution and says how to resume', () => {
  const error = heldTooLong({ institution: 'rvt.lv', kind: 'qualifications' }, 30_000, 'hub1.abc');
  expect(error.message).toMatch(/qualifications shard of rvt\.lv .*30000 ms.*`after:` the last cursor you received/);
  expect(error.extensions).toEqual({
    code: 'SHARD_UNAVAILABLE',
    institution: 'rvt.lv',
    kind: 'qualifications',
    after: 'hub1.abc',
  });
});
