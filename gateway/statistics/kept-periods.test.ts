import { keepPeriods, type Period } from './kept-periods';

/** A fan-out whose answers the test settles: each call is one count, numbered in order. */
function shards() {
  const calls: Array<{
    period: Period;
    background: boolean;
    settle: (answer: { count: number; complete: boolean }) => void;
  }> = [];
  const fanOut = (period: Period, _context: string, background: boolean) =>
    new Promise<{ count: number; complete: boolean }>((resolve) => {
      calls.push({ period, background, settle: resolve });
    });
  const answer = async (index: number, complete = true) => {
    calls[index]?.settle({ count: index, complete });
    await Promise.resolve();
    await Promise.resolve();
  };
  return { calls, fanOut, answer };
}

const year: Period = { from: '2026-01', to: '2026-12' };

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('keepPeriods', () => {
  it('answers from the kept count, recounts read periods in the background before expiry, and serves meanwhile', async () => {
    const { calls, fanOut, answer } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 1_000 });
    const first = periods.read(year, 'agency');
    const shared = periods.read(year, 'agency');
    expect(calls).toHaveLength(1);
    await answer(0);
    expect(await first).toEqual({ count: 0, complete: true });
    expect(await shared).toBe(await first);

    jest.advanceTimersByTime(500);
    expect(await periods.read(year, 'agency')).toEqual({ count: 0, complete: true });
    jest.advanceTimersByTime(260);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.background).toBe(true);
    // The recount is on its way: requests still get the previous count, within cacheMs.
    expect(periods.current(year, 'agency')).toEqual({ count: 0, complete: true });
    await answer(1);
    expect(await periods.read(year, 'agency')).toEqual({ count: 1, complete: true });
    periods.stop();
  });

  it('lets a period nobody reads expire, and its next reader waits for a fan-out', async () => {
    const { calls, fanOut, answer } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 1_000 });
    const first = periods.read(year, 'agency');
    await answer(0);
    await first;
    jest.advanceTimersByTime(5_000);
    expect(calls).toHaveLength(1);
    expect(periods.current(year, 'agency')).toBeUndefined();
    const next = periods.read(year, 'agency');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.background).toBe(false);
    await answer(1);
    expect(await next).toEqual({ count: 1, complete: true });
    periods.stop();
  });

  it('recounts at once after a write; a request after it waits for a count started after the write', async () => {
    const { calls, fanOut, answer } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 30_000 });
    const first = periods.read(year, 'agency');
    await answer(0);
    await first;
    periods.written();
    expect(calls).toHaveLength(2);
    expect(periods.current(year, 'agency')).toBeUndefined();
    const after = periods.read(year, 'agency');
    // A second write while that count runs: one more count once it ends, however many writes.
    periods.written();
    periods.written();
    const later = periods.read(year, 'agency');
    expect(calls).toHaveLength(2);
    await answer(1);
    expect(await after).toEqual({ count: 1, complete: true });
    expect(calls).toHaveLength(3);
    await answer(2);
    expect(await later).toEqual({ count: 2, complete: true });
    expect(periods.current(year, 'agency')).toEqual({ count: 2, complete: true });
    periods.stop();
  });

  it('never keeps an answer with a shard missing', async () => {
    const { calls, fanOut, answer } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 30_000 });
    const partial = periods.read(year, 'agency');
    await answer(0, false);
    expect(await partial).toEqual({ count: 0, complete: false });
    const again = periods.read(year, 'agency');
    expect(calls).toHaveLength(2);
    await answer(1);
    expect(await again).toEqual({ count: 1, complete: true });
    periods.stop();
  });

  it('keeps the periods asked most recently only, and refreshes none of the others', async () => {
    const { calls, fanOut, answer } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 1_000, maxPeriods: 2 });
    const months = ['2026-01', '2026-02', '2026-03'].map((month) => ({ from: month, to: month }));
    for (const [index, period] of months.entries()) {
      const read = periods.read(period, 'agency');
      await answer(index);
      await read;
    }
    expect(await periods.read(months[2] as Period, 'agency')).toEqual({ count: 2, complete: true });
    jest.advanceTimersByTime(800);
    // Only the period read since its count is recounted; the first was dropped, the second nobody read again.
    expect(calls.map((call) => call.period)).toEqual([...months, months[2]]);
    expect(periods.current(months[0] as Period, 'agency')).toBeUndefined();
    periods.stop();
  });

  it('fans out for every request when cacheMs is 0', async () => {
    const { calls, fanOut } = shards();
    const periods = keepPeriods({ fanOut, complete: (a) => a.complete, cacheMs: 0 });
    void periods.read(year, 'agency');
    void periods.read(year, 'agency');
    expect(calls).toHaveLength(2);
    expect(periods.current(year, 'agency')).toBeUndefined();
  });
});
