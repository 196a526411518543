import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CatalogueEngine, InstitutionPart, UnitDoc } from './engine';
import { oneAtATime } from './one-at-a-time';

/**
 * The engine's calls that run on its thread: all but `exclusive`, whose work (reads of shards) runs on this one, and
 * `replaceInstitution`, whose part is posted in slices.
 */
export type ThreadCalls = Omit<CatalogueEngine, 'name' | 'exclusive' | 'replaceInstitution'> & {
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

/**
 * The thread's first module. Run from the TypeScript sources (as Jest runs the gateway), it registers the compiler
 * Jest compiles them with first; the built gateway runs compiled JavaScript.
 */
const THREAD_BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.compile) require(workerData.compile);
require(workerData.entry);
`;

/**
 * The embedded engine (see sqlite-engine.ts) on a thread of its own. better-sqlite3 answers on the thread that calls
 * it, and a search at 1,000,000 units takes up to about 90 ms, a whole institution's rebuild longer: on the gateway's
 * own thread, every other request (and every socket's messages) waited meanwhile. Here the engine's calls queue on
 * its thread, in the order made: a write applied before its answer reaches the client is seen by every later search,
 * as before.
 */
export function createSqliteThreadEngine(path = ':memory:'): CatalogueEngine {
  const fromSources = extname(__filename) === '.ts';
  const worker = new Worker(THREAD_BOOT, {
    eval: true,
    workerData: {
      entry: join(__dirname, `sqlite-thread-worker${extname(__filename)}`),
      compile: fromSources ? join(__dirname, '..', '..', 'scripts', 'compile-in-threads.js') : null,
      path,
    } satisfies ThreadData & { entry: string; compile: string | null },
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let nextStage = 0;
  /** Why the thread can answer no more calls (it failed, or stopped); null while it runs. */
  let ended: Error | null = null;
  // An idle engine does not keep the process alive, as an idle socket does not; one with calls under way does.
  worker.unref();
  const end = (error: Error) => {
    ended ??= error;
    for (const call of pending.values()) call.reject(ended);
    pending.clear();
  };
  worker.on('message', (reply: ThreadReply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if ('error' in reply) call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    else call.resolve(reply.value);
  });
  worker.on('error', (error) => end(new Error(`the catalogue's SQLite thread failed: ${error.message}`)));
  worker.on('exit', (code) => end(new Error(`the catalogue's SQLite thread stopped (exit code ${code})`)));

  const call = <Name extends ThreadCallName>(
    name: Name,
    ...args: Parameters<ThreadCalls[Name]>
  ): ReturnType<ThreadCalls[Name]> =>
    // The engine's thread answers with what its method returned (sqlite-thread-worker.ts).
    new Promise<unknown>((resolve, reject) => {
      if (ended) {
        reject(ended);
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
    start: () => call('start'),
    replaceInstitution: async (part) => {
      // The slices wait on the engine's thread, untouched by other calls, until the last comes with the rest of the
      // part; the part is then written in one transaction, as on this thread. A slice fails only once the thread has
      // ended, and what it held with it.
      const stage = nextStage;
      nextStage += 1;
      const last = Math.max(0, part.units.length - UNITS_PER_SLICE);
      for (let start = 0; start < last; start += UNITS_PER_SLICE)
        await call('stageUnits', stage, part.units.slice(start, Math.min(start + UNITS_PER_SLICE, last)));
      await call('replaceStaged', stage, { ...part, units: part.units.slice(last) });
    },
    apply: (institution, changes) => call('apply', institution, changes),
    // The engine is this process's alone (no replica shares it): one at a time here is one at a time everywhere.
    exclusive: oneAtATime(),
    search: (request) => call('search', request),
    suggest: (list, words) => call('suggest', list, words),
    institutions: () => call('institutions'),
    rows: () => call('rows'),
    positions: () => call('positions'),
    setPosition: (institution, position) => call('setPosition', institution, position),
    forgetPosition: (institution) => call('forgetPosition', institution),
    close: async () => {
      if (ended) return;
      await call('close');
      await worker.terminate();
    },
  };
}
