import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CatalogueEngine, InstitutionPart, UnitDoc } from './engine';
import { oneAtATime } from './one-at-a-time';

/**
 * The engine's calls that run on its thread: all but `exclusive`, whose work (reads of shards) runs on this one,
 * `replaceInstitution`, whose part is posted in slices, and `onLost`, which this one tells.
 */
export type ThreadCalls = Omit<CatalogueEngine, 'name' | 'exclusive' | 'replaceInstitution' | 'onLost'> & {
  /** Holds units of the part staged as `stage`, to be written with it. */
  stageUnits(stage: number, units: UnitDoc[]): Promise<void>;
  /** Replaces the institution's part with `part`, its units after those staged as `stage`. */
  replaceStaged(stage: number, part: InstitutionPart): Promise<void>;
};
export type ThreadCallName = keyof ThreadCalls;

/** One call, as this thread posts it to the engine's. */
export interface ThreadCall {
  id: number;
  name: ThreadCallName;
  args: unknown[];
}

/** The engine's answer to one call: its value, or the message of what it threw. */
export type ThreadReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

/**
 * Most units posted to the engine's thread in one message. A whole part is megabytes (2,000 units of the demo's
 * kind: 11 MB), and posting it took this thread 15–70 ms at once, more for a larger institution; a slice of 200
 * took at most 8 ms.
 */
const UNITS_PER_SLICE = 200;

/** What the engine's thread is started with. */
export interface ThreadData {
  path: string;
}

/** The thread's first message: its engine is open (its file, its tables and any upgrade of them are done). */
export const THREAD_READY = 'ready';

/**
 * The thread's first module. Run from the TypeScript sources (as Jest runs the gateway), it registers the compiler
 * Jest compiles them with first; the built gateway runs compiled JavaScript.
 */
const THREAD_BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.compile) require(workerData.compile);
require(workerData.entry);
`;

/** A thread that stopped sooner than this after it was ready stopped quickly. */
const QUICK_STOP_MS = 60_000;
/** Threads in a row that stopped quickly before the engine gives up: it would only stop again. */
const MOST_QUICK_STOPS = 3;

export interface SqliteThreadOptions {
  /** Sees each thread the engine starts (tests stop one, as a crash would). */
  onThread?: (thread: Worker) => void;
}

/**
 * The embedded engine (see sqlite-engine.ts) on a thread of its own. better-sqlite3 answers on the thread that calls
 * it, and a search at 1,000,000 units takes up to about 90 ms, a whole institution's rebuild longer: on the gateway's
 * own thread, every other request (and every socket's messages) waited meanwhile. Here the engine's calls queue on
 * its thread, in the order made: a write applied before its answer reaches the client is seen by every later search,
 * as before.
 *
 * A thread that stops after it was ready (it ran out of memory, say) is replaced at once by another, which may hold
 * less than it did: nothing, in memory (`onLost`). The engine gives up (every call fails, saying why) when a thread
 * stops before it was ready, the first one included, or when threads keep stopping quickly.
 */
export function createSqliteThreadEngine(path = ':memory:', options: SqliteThreadOptions = {}): CatalogueEngine {
  const fromSources = extname(__filename) === '.ts';
  const workerData = {
    entry: join(__dirname, `sqlite-thread-worker${extname(__filename)}`),
    compile: fromSources ? join(__dirname, '..', '..', 'scripts', 'compile-in-threads.js') : null,
    path,
  } satisfies ThreadData & { entry: string; compile: string | null };
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const lostListeners: Array<(reason: Error, replaced: boolean) => void> = [];
  let nextId = 0;
  let nextStage = 0;
  /** Why the engine answers no more calls (it gave up, or was closed); null while a thread runs or starts. */
  let ended: Error | null = null;
  let closing = false;
  let quickStops = 0;
  /** Counts threads: a part posted in slices is staged on one thread, and fails if another takes its place. */
  let generation = 0;
  let worker: Worker;

  const spawn = () => {
    generation += 1;
    const ownGeneration = generation;
    const thread = new Worker(THREAD_BOOT, { eval: true, workerData });
    let readyAt: number | null = null;
    worker = thread;
    // An idle engine does not keep the process alive, as an idle socket does not; one with calls under way does.
    thread.unref();
    /** The thread answers no more: its calls fail, and another takes its place unless the engine gives up. */
    const stopped = (reason: Error) => {
      if (ownGeneration !== generation || ended) return;
      for (const call of pending.values()) call.reject(reason);
      pending.clear();
      quickStops = readyAt !== null && Date.now() - readyAt >= QUICK_STOP_MS ? 0 : quickStops + 1;
      const replaced = readyAt !== null && !closing && quickStops < MOST_QUICK_STOPS;
      if (replaced) spawn();
      else ended = reason;
      // A thread that replaced one tells its listeners even if it never became ready: the engine gives up.
      if ((readyAt !== null || ownGeneration > 1) && !closing)
        for (const listener of lostListeners) listener(reason, replaced);
    };
    thread.on('message', (reply: ThreadReply | typeof THREAD_READY) => {
      if (reply === THREAD_READY) {
        readyAt = Date.now();
        return;
      }
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if (pending.size === 0) thread.unref();
      if ('error' in reply) call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else call.resolve(reply.value);
    });
    thread.on('error', (error) => stopped(new Error(`the catalogue's SQLite thread failed: ${error.message}`)));
    thread.on('exit', (code) => stopped(new Error(`the catalogue's SQLite thread stopped (exit code ${code})`)));
    options.onThread?.(thread);
  };
  spawn();

  /** Posts a call to the running thread; `on`: only to that thread (a slice of a part), else it fails. */
  const call = <Name extends ThreadCallName>(
    on: number | null,
    name: Name,
    ...args: Parameters<ThreadCalls[Name]>
  ): ReturnType<ThreadCalls[Name]> =>
    // The engine's thread answers with what its method returned (sqlite-thread-worker.ts).
    new Promise<unknown>((resolve, reject) => {
      if (ended) {
        reject(ended);
        return;
      }
      if (on !== null && on !== generation) {
        reject(new Error("the catalogue's SQLite thread stopped while a part was posted to it"));
        return;
      }
      const id = nextId;
      nextId += 1;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, name, args } satisfies ThreadCall);
    }) as ReturnType<ThreadCalls[Name]>;

  return {
    name: 'sqlite',
    start: () => call(null, 'start'),
    replaceInstitution: async (part) => {
      // The slices wait on the engine's thread, untouched by other calls, until the last comes with the rest of the
      // part; the part is then written in one transaction, as on this thread. A slice fails only once the thread has
      // stopped, and what it held with it; the slices after it are not posted to the next thread.
      const stage = nextStage;
      nextStage += 1;
      const on = generation;
      const last = Math.max(0, part.units.length - UNITS_PER_SLICE);
      for (let start = 0; start < last; start += UNITS_PER_SLICE)
        await call(on, 'stageUnits', stage, part.units.slice(start, Math.min(start + UNITS_PER_SLICE, last)));
      await call(on, 'replaceStaged', stage, { ...part, units: part.units.slice(last) });
    },
    apply: (institution, changes) => call(null, 'apply', institution, changes),
    // The engine is this process's alone (no replica shares it): one at a time here is one at a time everywhere.
    exclusive: oneAtATime(),
    search: (request) => call(null, 'search', request),
    suggest: (list, words) => call(null, 'suggest', list, words),
    institutions: () => call(null, 'institutions'),
    rows: () => call(null, 'rows'),
    positions: () => call(null, 'positions'),
    setPosition: (institution, position) => call(null, 'setPosition', institution, position),
    forgetPosition: (institution) => call(null, 'forgetPosition', institution),
    onLost: (listener) => {
      lostListeners.push(listener);
    },
    close: async () => {
      if (ended || closing) return;
      closing = true;
      await call(null, 'close');
      await worker.terminate();
    },
  };
}
