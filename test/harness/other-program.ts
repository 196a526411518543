import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/** Another program (an institution's own system, an administrator) writing a shard's database in plain SQL. */
export interface OtherProgram {
  run(sql: string, params: Array<string | number>): Promise<void>;
  close(): Promise<void>;
}

/** A connection of its own to the shard's database, as another program would open it. */
export async function openOtherProgram(databaseUrl: string): Promise<OtherProgram> {
  if (databaseUrl.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(databaseUrl.slice('sqlite:'.length));
    connection.pragma('busy_timeout = 5000');
    return {
      run: async (sql, params) => {
        connection.prepare(sql).run(...params);
      },
      close: async () => {
        connection.close();
      },
    };
  }
  const connection = await createConnection({ uri: databaseUrl });
  return {
    run: async (sql, params) => {
      await connection.execute(sql, params);
    },
    close: () => connection.end(),
  };
}

/** Another program renaming a unit over and over while a test runs; `stop` resolves with how many renames it committed. */
export interface RenamingProgram {
  stop(): Promise<number>;
}

/** How long each of the other program's transactions holds the write lock, and how long it pauses between them. */
const RENAME_HOLD_MS = 2;
const RENAME_GAP_MS = 2;

/**
 * The SQLite loop, plain JavaScript for a worker thread of its own, so that it writes while the test's event loop
 * sends requests: each transaction takes the write lock, renames the unit, holds the lock a moment as a program
 * doing more would, and commits.
 */
const SQLITE_RENAME_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const rename = db.prepare('UPDATE unit SET titles = ? WHERE id = ?');
const stop = new Int32Array(workerData.stop);
let renames = 0;
while (Atomics.load(stop, 0) === 0) {
  db.exec('BEGIN IMMEDIATE');
  rename.run(JSON.stringify([{ lang: 'en', value: workerData.title + ' ' + renames }]), workerData.localId);
  Atomics.wait(stop, 0, 0, workerData.holdMs);
  db.exec('COMMIT');
  renames += 1;
  Atomics.wait(stop, 0, 0, workerData.gapMs);
}
db.close();
parentPort.postMessage(renames);
`;

/**
 * Starts another program renaming the shard's unit `localId` in plain SQL, in short transactions back to back: on a
 * worker thread for SQLite (better-sqlite3 blocks its thread), from this thread for MySQL/MariaDB (the server runs
 * it). A rename that fails makes `stop` reject.
 */
export async function startRenaming(databaseUrl: string, localId: string, title: string): Promise<RenamingProgram> {
  if (databaseUrl.startsWith('sqlite:')) {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(SQLITE_RENAME_LOOP, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        file: databaseUrl.slice('sqlite:'.length),
        localId,
        title,
        stop: stop.buffer,
        holdMs: RENAME_HOLD_MS,
        gapMs: RENAME_GAP_MS,
      },
    });
    const done = new Promise<number>((resolve, reject) => {
      worker.once('message', (renames: number) => resolve(renames));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the renaming program exited (${code}) before it stopped`)));
    });
    // Settled by `stop`'s caller; until then a failure must not count as unhandled.
    done.catch(() => undefined);
    return {
      stop: () => {
        Atomics.store(stop, 0, 1);
        Atomics.notify(stop, 0);
        return done;
      },
    };
  }
  const program = await openOtherProgram(databaseUrl);
  let stopping = false;
  const loop = (async () => {
    let renames = 0;
    try {
      while (!stopping) {
        await program.run('UPDATE unit SET titles = ? WHERE id = ?', [
          JSON.stringify([{ lang: 'en', value: `${title} ${renames}` }]),
          localId,
        ]);
        renames += 1;
        await new Promise((resolve) => setTimeout(resolve, RENAME_GAP_MS));
      }
      return renames;
    } finally {
      await program.close();
    }
  })();
  loop.catch(() => undefined);
  return {
    stop: () => {
      stopping = true;
      return loop;
    },
  };
}
