import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type ClientBase } from 'pg';
import { oneAtATime } from './one-at-a-time';

/** The first key of every institution's lock; the second is its code's hash (the schema's lock, 20020, has one key). */
const LOCK_SPACE = 20021;
/** Longest pause between two tries for an institution another replica holds. */
const RETRY_MAX_MS = 100;
/** How long an institution is waited for: a holder keeps it for one read of a shard and its apply. */
export const DEFAULT_LOCK_WAIT_MS = 30_000;

/** The connection that holds this process's locks, and its server process (pg_locks names it). */
interface Session {
  client: Client;
  pid: number;
  lost: boolean;
  /** The session's statements, one after another: locks of many institutions are taken and let go on it at once. */
  ask<R extends object>(sql: string, values: unknown[]): Promise<R[]>;
}

interface Hold {
  key: number;
  session: Session;
}

export interface InstitutionLocks {
  /** Runs `work` holding the institution: one at a time in this process, and against every replica's locks. */
  exclusive<T>(institution: string, work: () => Promise<T>): Promise<T>;
  /**
   * In the transaction of a write of the institution, just before it commits: fails if this process holds the
   * institution in `exclusive` but its lock is gone (its connection ended), so nothing read under it is applied.
   */
  confirm(client: ClientBase, institution: string): Promise<void>;
  close(): Promise<void>;
}

function keyOf(institution: string): number {
  // Non-negative: pg_locks shows the keys as oids. Two codes sharing a key only wait for each other.
  return createHash('sha256').update(institution).digest().readUInt32BE(0) & 0x7fffffff;
}

const lostHold = (institution: string) =>
  new Error(`the catalogue's lock on ${institution} was lost (its PostgreSQL connection ended): read again`);

/**
 * Institution locks for replicas sharing one PostgreSQL catalogue: session advisory locks, all held on one
 * connection of their own, taken with `pg_try_advisory_lock` and short pauses. A lock never waits on the engine's
 * pool, so many institutions read at once cannot take every pooled connection and then wait for one to apply.
 * When that connection ends, PostgreSQL releases its locks: work that held one learns it at its apply (`confirm`)
 * or its end, and fails, to be read again.
 */
export function createInstitutionLocks(url: string, waitMs = DEFAULT_LOCK_WAIT_MS): InstitutionLocks {
  const inProcess = oneAtATime();
  const holds = new Map<string, Hold>();
  let live: Session | null = null;
  let opening: Promise<Session> | null = null;
  let closed = false;

  const connect = async (): Promise<Session> => {
    const client = new Client({ connectionString: url, keepAlive: true });
    let tail: Promise<unknown> = Promise.resolve();
    const session: Session = {
      client,
      pid: 0,
      lost: false,
      ask: <R extends object>(sql: string, values: unknown[]) => {
        const turn = tail.then(async () => (await client.query<R>(sql, values)).rows);
        tail = turn.catch(() => undefined);
        return turn;
      },
    };
    const lose = () => {
      session.lost = true;
      void client.end().catch(() => undefined);
    };
    client.on('error', lose);
    client.on('end', () => {
      session.lost = true;
    });
    await client.connect();
    session.pid = (await session.ask<{ pid: number }>('SELECT pg_backend_pid() AS pid', []))[0]?.pid ?? 0;
    return session;
  };
  const sessionNow = (): Promise<Session> => {
    if (live && !live.lost) return Promise.resolve(live);
    opening ??= connect()
      .then((session) => {
        live = session;
        return session;
      })
      .finally(() => {
        opening = null;
      });
    return opening;
  };

  const acquire = async (institution: string): Promise<Hold> => {
    const key = keyOf(institution);
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt += 1) {
      if (closed) throw new Error('the catalogue is closing');
      const session = await sessionNow();
      const rows = await session.ask<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [
        LOCK_SPACE,
        key,
      ]);
      if (rows[0]?.held) return { key, session };
      if (Date.now() >= deadline)
        throw new Error(`another replica has been updating ${institution}'s part for over ${waitMs} ms`);
      await sleep(Math.min(5 * 2 ** attempt, RETRY_MAX_MS));
    }
  };
  const release = async (hold: Hold) => {
    if (hold.session.lost) return;
    try {
      await hold.session.ask('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, hold.key]);
    } catch {
      // A lock that may still be held would keep every replica from the institution: ending the connection frees it.
      hold.session.lost = true;
      await hold.session.client.end().catch(() => undefined);
    }
  };

  return {
    exclusive: (institution, work) =>
      inProcess(institution, async () => {
        const hold = await acquire(institution);
        holds.set(institution, hold);
        try {
          const result = await work();
          if (hold.session.lost) throw lostHold(institution);
          return result;
        } finally {
          holds.delete(institution);
          await release(hold);
        }
      }),
    confirm: async (client, institution) => {
      const hold = holds.get(institution);
      if (!hold) return;
      const { rowCount } = await client.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1 AND classid = $2 AND objid = $3
           AND objsubid = 2 AND granted`,
        [hold.session.pid, LOCK_SPACE, hold.key],
      );
      if (rowCount === 0) throw lostHold(institution);
    },
    close: async () => {
      closed = true;
      const session = live ?? (await opening?.catch(() => null));
      await session?.client.end().catch(() => undefined);
    },
  };
}
