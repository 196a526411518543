import { waitFor } from '../../test/harness/wait';
import { createResilience, isShardFault, isTransient, ShardCallRefused } from './resilience';

const shard = { institution: 'rvt.lv', kind: 'qualifications' };
const refused = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
const timeout = () => Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
const httpError = (status: number, body: unknown) =>
  Object.assign(new Error(`${status}`), { extensions: { response: { status, body } } });

test('what is retried and what counts against a shard', () => {
  expect(isTransient(refused('ECONNREFUSED'))).toBe(true);
  expect(isTransient(refused('ECONNRESET'))).toBe(true);
  expect(isTransient(httpError(503, '<html>'))).toBe(true);
  expect(isTransient(timeout())).toBe(false);
  expect(isTransient(httpError(500, { errors: [] }))).toBe(false);
  expect(isTransient(new SyntaxError('Unexpected token <'))).toBe(false);

  expect(isShardFault(timeout())).toBe(true);
  expect(isShardFault(httpError(500, { errors: [{ message: 'x' }] }))).toBe(true);
  expect(isShardFault(httpError(404, '<html>not here</html>'))).toBe(true);
  // A shard refusing a request with GraphQL errors is working as it should.
  expect(isShardFault(httpError(400, { errors: [{ message: 'bad value' }] }))).toBe(false);
  // A partial answer whose field error set a 503 (a partner the shard reads was down) is the shard working.
  const partial = httpError(503, {
    data: { record: { id: 'x', points: null } },
    errors: [{ message: 'partner down' }],
  });
  expect(isTransient(partial)).toBe(false);
  expect(isShardFault(partial)).toBe(false);
  expect(isTransient(httpError(503, { data: null, errors: [{ message: 'down' }] }))).toBe(true);
});

test('queries are retried on transient failures; mutations and timeouts are not', async () => {
  const resilience = createResilience({ retries: 2, retryInitialDelayMs: 1, breakerThreshold: 100 });
  let calls = 0;
  const flaky = async () => {
    calls += 1;
    if (calls < 3) throw refused('ECONNRESET');
    return 'ok';
  };
  await expect(resilience.execute(shard, 'query', flaky)).resolves.toBe('ok');
  expect(calls).toBe(3);

  calls = 0;
  await expect(resilience.execute(shard, 'mutation', flaky)).rejects.toThrow('fetch failed');
  expect(calls).toBe(1);

  let timeouts = 0;
  await expect(
    resilience.execute(shard, 'query', async () => {
      timeouts += 1;
      throw timeout();
    }),
  ).rejects.toThrow(/timeout/);
  expect(timeouts).toBe(1);
});

test('the breaker opens after consecutive failures, skips the shard, and closes after a successful trial', async () => {
  const resilience = createResilience({ retries: 0, breakerThreshold: 3, halfOpenAfterMs: 100 });
  let calls = 0;
  let healthy = false;
  const call = async () => {
    calls += 1;
    if (!healthy) throw refused('ECONNREFUSED');
    return 'ok';
  };
  for (let i = 0; i < 3; i += 1) await expect(resilience.execute(shard, 'query', call)).rejects.toThrow('fetch failed');
  expect(resilience.circuitOf(shard)).toBe('open');
  await expect(resilience.execute(shard, 'query', call)).rejects.toEqual(new ShardCallRefused('circuit-open'));
  expect(calls).toBe(3);
  // Another shard is not affected.
  await expect(
    resilience.execute({ institution: 'omnia.fi', kind: 'qualifications' }, 'query', async () => 'fine'),
  ).resolves.toBe('fine');

  healthy = true;
  // Skipped without a call until the half-open trial, which now succeeds.
  await waitFor('the half-open trial passes', () =>
    resilience.execute(shard, 'query', call).then(
      (answer) => answer === 'ok',
      () => false,
    ),
  );
  expect(resilience.circuitOf(shard)).toBe('closed');
  expect(resilience.circuits()).toEqual(
    expect.arrayContaining([
      { institution: 'rvt.lv', kind: 'qualifications', state: 'closed' },
      { institution: 'omnia.fi', kind: 'qualifications', state: 'closed' },
    ]),
  );
});

test("a shard's 4xx answers with GraphQL errors do not open its breaker", async () => {
  const resilience = createResilience({ retries: 0, breakerThreshold: 2 });
  for (let i = 0; i < 5; i += 1)
    await expect(
      resilience.execute(shard, 'query', async () => Promise.reject(httpError(400, { errors: [{ message: 'no' }] }))),
    ).rejects.toThrow();
  expect(resilience.circuitOf(shard)).toBe('closed');
});

test('the bulkhead: calls beyond the slots and the queue are refused at once as overloaded', async () => {
  const resilience = createResilience({ maxConcurrentPerShard: 2, maxQueuedPerShard: 1 });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let running = 0;
  let most = 0;
  const slow = async () => {
    running += 1;
    most = Math.max(most, running);
    await gate;
    running -= 1;
    return 'done';
  };
  const calls = Array.from({ length: 5 }, () =>
    resilience.execute(shard, 'query', slow).catch((error: unknown) => error),
  );
  await waitFor('both slots are taken', () => running === 2);
  release();
  const results = await Promise.all(calls);
  expect(results.filter((r) => r === 'done')).toHaveLength(3);
  expect(results.filter((r) => r instanceof ShardCallRefused && r.reason === 'overloaded')).toHaveLength(2);
  expect(most).toBe(2);
});
