import { getEventListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { waitFor } from '../../test/harness/wait';
import { Bulkhead } from './bulkhead';
import { DeadlinePassed, withDeadline } from './deadline';
import { createResilience, isShardFault, ShardCallRefused } from './resilience';

const shard = { institution: 'rvt.lv', kind: 'qualifications' };
/** Slack for timers on a busy machine; the slot-holders below never finish before the deadline, so any answer proves the drop. */
const LATE_MS = 250;
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });

/** A call that holds its slot until released. */
function gate(): { call: () => Promise<string>; release: () => void; running: () => number } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let running = 0;
  return {
    call: async () => {
      running += 1;
      await opened;
      running -= 1;
      return 'done';
    },
    release: () => open(),
    running: () => running,
  };
}

const settle = <T>(work: Promise<T>) =>
  work.then(
    (value) => ({ value, at: performance.now() }),
    (error: unknown) => ({ error, at: performance.now() }),
  );

describe('Bulkhead', () => {
  it('drops a queued call from the queue at its deadline, and its place can be taken again', async () => {
    const slots = new Bulkhead(1, 1);
    const held = gate();
    const holding = slots.run(held.call);
    const deadline = performance.now() + 40;
    const queued = await settle(slots.run(async () => 'never run', deadline));
    expect(queued).toEqual({ error: new DeadlinePassed(), at: expect.any(Number) });
    expect(queued.at).toBeGreaterThanOrEqual(deadline - 1);
    expect(queued.at).toBeLessThan(deadline + LATE_MS);
    // The queue place is free again: another call waits in it, and runs once the slot frees.
    const next = slots.run(async () => 'ran after the first');
    held.release();
    await expect(holding).resolves.toBe('done');
    await expect(next).resolves.toBe('ran after the first');
  });

  it('refuses a call whose deadline has already passed without running it', async () => {
    const slots = new Bulkhead(1, 1);
    let ran = false;
    await expect(
      slots.run(async () => {
        ran = true;
      }, performance.now() - 1),
    ).rejects.toBeInstanceOf(DeadlinePassed);
    expect(ran).toBe(false);
  });

  it('hands a freed slot to the longest-waiting call', async () => {
    const slots = new Bulkhead(1, 2);
    const held = gate();
    const order: string[] = [];
    const first = slots.run(held.call);
    const second = slots.run(async () => void order.push('second'));
    const third = slots.run(async () => void order.push('third'));
    held.release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['second', 'third']);
  });
});

describe('resilience with a deadline', () => {
  it('a call still queued at the deadline is given up then, not when a slot frees', async () => {
    const resilience = createResilience({ maxConcurrentPerShard: 1, maxQueuedPerShard: 4 });
    const held = gate();
    const holding = resilience.execute(shard, 'query', held.call);
    await waitFor('the slot is taken', () => held.running() === 1);
    const deadline = performance.now() + 50;
    let ran = false;
    const queued = await settle(
      resilience.execute(
        shard,
        'query',
        async () => {
          ran = true;
          return 'late';
        },
        deadline,
      ),
    );
    expect('error' in queued && queued.error).toBeInstanceOf(DeadlinePassed);
    expect(queued.at).toBeLessThan(deadline + LATE_MS);
    held.release();
    await holding;
    expect(ran).toBe(false);
    // Giving up a queued call says nothing about the shard.
    expect(resilience.circuitOf(shard)).toBe('closed');
  });

  it('starts no retry after the deadline, even when a backoff delay ends past it', async () => {
    const resilience = createResilience({
      retries: 5,
      retryInitialDelayMs: 200,
      retryMaxDelayMs: 200,
      breakerThreshold: 100,
    });
    const starts: number[] = [];
    const deadline = performance.now() + 60;
    const result = await settle(
      resilience.execute(
        shard,
        'query',
        async () => {
          starts.push(performance.now());
          throw refused();
        },
        deadline,
      ),
    );
    expect('error' in result && result.error).toBeInstanceOf(DeadlinePassed);
    expect(result.at).toBeLessThan(deadline + LATE_MS);
    // Longer than any backoff delay: a retry it led to would have started by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.filter((at) => at >= deadline)).toEqual([]);
    expect(isShardFault(new DeadlinePassed())).toBe(false);
  });

  it('still refuses calls over the bulkhead and its queue at once as overloaded', async () => {
    const resilience = createResilience({ maxConcurrentPerShard: 1, maxQueuedPerShard: 1 });
    const held = gate();
    const deadline = performance.now() + 5_000;
    const calls = [0, 1, 2].map(() =>
      resilience.execute(shard, 'query', held.call, deadline).catch((error: unknown) => error),
    );
    await expect(calls[2]).resolves.toEqual(new ShardCallRefused('overloaded'));
    held.release();
    await expect(Promise.all(calls.slice(0, 2))).resolves.toEqual(['done', 'done']);
  });
});

describe('withDeadline', () => {
  /** Work that ends only when its signal aborts, with the signal's reason. */
  const untilAborted = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

  it('aborts the work at the deadline with its reason, and gives an answer that came in time', async () => {
    const started = performance.now();
    await expect(withDeadline(50, () => new Error('late'), untilAborted)).rejects.toThrow('late');
    expect(performance.now() - started).toBeLessThan(50 + LATE_MS);
    await expect(
      withDeadline(
        1_000,
        () => new Error('late'),
        async () => 'answer',
      ),
    ).resolves.toBe('answer');
  });

  it('ends with an outer signal, refuses one already aborted, and leaves no listener behind', async () => {
    const outer = new AbortController();
    const pending = withDeadline(10_000, () => new Error('late'), untilAborted, outer.signal);
    outer.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    await expect(
      withDeadline(
        10_000,
        () => new Error('late'),
        async () => 'never',
        outer.signal,
      ),
    ).rejects.toThrow('stopped');
    const live = new AbortController();
    await withDeadline(
      1_000,
      () => new Error('late'),
      async () => 'answer',
      live.signal,
    );
    expect(getEventListeners(live.signal, 'abort')).toHaveLength(0);
  });
});
