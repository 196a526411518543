import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteEngine } from './sqlite-engine';
import type { ThreadCall, ThreadCalls, ThreadData, ThreadReply } from './sqlite-thread';

/** The embedded engine's thread (see sqlite-thread.ts): it answers each call in the order they come. */
if (!parentPort) throw new Error('sqlite-thread-worker runs on the thread createSqliteThreadEngine starts');
const port = parentPort;
const engine = createSqliteEngine((workerData as ThreadData).path);

/** Runs one call and posts its answer; it never throws (what the engine throws is the answer). */
const answer = async ({ id, name, args }: ThreadCall): Promise<void> => {
  let reply: ThreadReply;
  try {
    // The call's arguments are those its name takes: the other thread posts them typed (createSqliteThreadEngine).
    const method = engine[name] as (...values: unknown[]) => ReturnType<ThreadCalls[typeof name]>;
    reply = { id, value: await method(...args) };
  } catch (error) {
    const { name: errorName, message } = error instanceof Error ? error : new Error(String(error));
    reply = { id, error: { name: errorName, message } };
  }
  port.postMessage(reply);
};

port.on('message', (call: ThreadCall) => void answer(call));
