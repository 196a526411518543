/** The months a fan-out covers; null: unbounded on that side. */
export interface Period {
  from: string | null;
  to: string | null;
}

/** At most this many periods are kept (and refreshed): the ones asked most recently. */
export const DEFAULT_KEPT_PERIODS = 16;
/** A kept answer is recounted in the background once this share of `cacheMs` has passed. */
const REFRESH_AT = 0.75;

export interface KeptPeriodsOptions<T, C> {
  /**
   * Fans a period out to the shards. `background`: no request waits for it (a refresh before expiry or after a
   * write), so `context` is the last asking request's, to be renewed where it counts time from that request.
   */
  fanOut: (period: Period, context: C, background: boolean) => Promise<T>;
  /** Whether an answer may be kept: one with a shard missing is never reused. */
  complete: (answer: T) => boolean;
  /** How long an answer is reused after its fan-out started; 0: every request fans out. */
  cacheMs: number;
  /** @default DEFAULT_KEPT_PERIODS */
  maxPeriods?: number;
}

interface Kept<T, C> {
  period: Period;
  /** The last complete answer, its fan-out's start and the writes seen by then. */
  answer: T | null;
  countedAt: number;
  writesBefore: number;
  /** The last request's: background refreshes run as it. */
  context: C;
  askedAt: number;
  /** Read since its last count started: worth recounting before expiry. */
  readSinceCount: boolean;
  /** The fan-out on its way (one at a time per period), and the writes seen when it started. */
  running: { answer: Promise<T>; writesBefore: number } | null;
  /** Asked for while `running` predates a write: one more fan-out once it ends, shared by everyone waiting. */
  next: { answer: Promise<T>; settle: (answer: Promise<T>) => void } | null;
  timer: NodeJS.Timeout | null;
}

const ignore = () => undefined;

/**
 * The shards' base cells kept per period, so that requests rarely wait for a fan-out. A request is answered from the
 * kept answer while it is younger than `cacheMs` and no write has passed through this gateway since its fan-out
 * started; a period read since its last count is recounted in the background before that (REFRESH_AT), the previous
 * answer serving meanwhile. A write starts a recount of every period read within `cacheMs` at once, and requests
 * after the write wait for it, so a decision shows in the next answer. Only the `maxPeriods` periods asked most
 * recently are kept: nobody's old period is fanned out for ever.
 */
export function keepPeriods<T, C>(
  options: KeptPeriodsOptions<T, C>,
): {
  /** The period's answer: the kept one if it may answer, else a fan-out's (one started after the last write). */
  read(period: Period, context: C): Promise<T>;
  /** The kept answer `read` would answer at once, if any; undefined when a request would wait. */
  current(period: Period, context: C): T | undefined;
  /** A write passed through this gateway. */
  written(): void;
  stop(): void;
} {
  const { cacheMs } = options;
  const maxPeriods = options.maxPeriods ?? DEFAULT_KEPT_PERIODS;
  // Insertion order is recency: a read moves its period last, the first is the least recently asked.
  const kept = new Map<string, Kept<T, C>>();
  let writes = 0;

  const forget = (key: string) => {
    const entry = kept.get(key);
    if (entry?.timer) clearTimeout(entry.timer);
    kept.delete(key);
  };

  const schedule = (entry: Kept<T, C>) => {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      // Read since it was counted: keep it fresh; otherwise it expires, and its next reader fans out.
      if (entry.readSinceCount) background(entry);
    }, cacheMs * REFRESH_AT);
    entry.timer.unref();
  };

  const start = (entry: Kept<T, C>, context: C, inBackground: boolean): Promise<T> => {
    const writesBefore = writes;
    const countedAt = performance.now();
    entry.readSinceCount = false;
    const answer = options.fanOut(entry.period, context, inBackground);
    entry.running = { answer, writesBefore };
    const done = () => {
      entry.running = null;
      const next = entry.next;
      entry.next = null;
      next?.settle(start(entry, entry.context, true));
    };
    answer.then((value) => {
      // Fan-outs of a period run one at a time, so this one is the latest count.
      if (options.complete(value)) {
        entry.answer = value;
        entry.countedAt = countedAt;
        entry.writesBefore = writesBefore;
        if (kept.get(key(entry.period)) === entry) schedule(entry);
      }
      done();
    }, done);
    return answer;
  };

  /** A fan-out that starts after the last write: the running one if it does, else one started (or queued) now. */
  const counted = (entry: Kept<T, C>, context: C, inBackground: boolean): Promise<T> => {
    if (!entry.running) return start(entry, context, inBackground);
    if (entry.running.writesBefore === writes) return entry.running.answer;
    if (!entry.next) {
      let settle: (answer: Promise<T>) => void = ignore;
      const answer = new Promise<T>((resolve) => {
        settle = resolve;
      });
      // Nobody may be waiting for a recount a write started: its failure is no one's to handle.
      answer.catch(ignore);
      entry.next = { answer, settle };
    }
    return entry.next.answer;
  };

  const background = (entry: Kept<T, C>) => {
    counted(entry, entry.context, true).catch(ignore);
  };

  /** The period's entry, made the most recently asked by this request. */
  const touch = (period: Period, context: C): Kept<T, C> => {
    const id = key(period);
    let entry = kept.get(id);
    if (entry) kept.delete(id);
    else {
      entry = {
        period,
        answer: null,
        countedAt: 0,
        writesBefore: -1,
        context,
        askedAt: 0,
        readSinceCount: false,
        running: null,
        next: null,
        timer: null,
      };
    }
    kept.set(id, entry);
    for (const oldest of kept.keys()) {
      if (kept.size <= maxPeriods) break;
      forget(oldest);
    }
    entry.context = context;
    entry.askedAt = performance.now();
    entry.readSinceCount = true;
    return entry;
  };

  /** The kept answer, if it may still answer a request. */
  const usable = (entry: Kept<T, C>): T | undefined => {
    const age = entry.askedAt - entry.countedAt;
    if (entry.answer === null || entry.writesBefore !== writes || age >= cacheMs) return undefined;
    // Read late in its life without the timer's refresh (not read before it fired): recount it now.
    if (age >= cacheMs * REFRESH_AT && !entry.running) background(entry);
    return entry.answer;
  };

  return {
    read(period, context) {
      if (cacheMs <= 0) return options.fanOut(period, context, false);
      const entry = touch(period, context);
      const answer = usable(entry);
      return answer === undefined ? counted(entry, context, false) : Promise.resolve(answer);
    },
    current(period, context) {
      return cacheMs <= 0 ? undefined : usable(touch(period, context));
    },
    written() {
      writes += 1;
      const now = performance.now();
      for (const [id, entry] of kept) {
        if (now - entry.askedAt < cacheMs) background(entry);
        else forget(id);
      }
    },
    stop() {
      for (const id of [...kept.keys()]) forget(id);
    },
  };
}

const key = (period: Period) => `${period.from ?? ''}|${period.to ?? ''}`;
