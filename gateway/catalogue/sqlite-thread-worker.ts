import { parentPort, workerData } from 'node:worker_threads';
import type { UnitDoc } from './engine';
import { createSqliteEngine } from './sqlite-engine';
import { THREAD_READY, type ThreadCall, type ThreadCalls, type ThreadData, type ThreadReply } from './sqlite-thread';

/** The embedded engine's thread (see sqlite-thread.ts): it answers each call in the order they come. */
if (!parentPort) throw new Error('sqlite-thread-worker runs on the thread createSqliteThreadEngine starts');
const port = parentPort;
const engine = createSqliteEngine((workerData as ThreadData).path);
/** Units of parts being posted in slices, by stage, until their part comes. */
const staged = new Map<number, UnitDoc[]>();
const calls: ThreadCalls = {
  start: engine.start,
  apply: engine.apply,
  search: engine.search,
  suggest: engine.suggest,
  institutions: engine.institutions,
  rows: engine.rows,
  positions: engine.positions,
  setPosition: engine.setPosition,
  forgetPosition: engine.forgetPosition,
  close: engine.close,
  stageUnits: async (stage, units) => {
    const held = staged.get(stage);
    if (held) for (const unit of units) held.push(unit);
    else staged.set(stage, units);
  },
  replaceStaged: async (stage, part) => {
    const held = staged.get(stage) ?? [];
    staged.delete(stage);
    await engine.replaceInstitution({ ...part, units: [...held, ...part.units] });
  },
};

/** Runs one call and posts its answer; it never throws (what the engine throws is the answer). */
const answer = async ({ id, name, args }: ThreadCall): Promise<void> => {
  let reply: ThreadReply;
  try {
    // The call's arguments are those its name takes: the other thread posts them typed (createSqliteThreadEngine).
    const method = calls[name] as (...values: unknown[]) => ReturnType<ThreadCalls[typeof name]>;
    reply = { id, value: await method(...args) };
  } catch (error) {
    const { name: errorName, message } = error instanceof Error ? error : new Error(String(error));
    reply = { id, error: { name: errorName, message } };
  }
  port.postMessage(reply);
};

port.on('message', (call: ThreadCall) => void answer(call));
port.postMessage(THREAD_READY);
