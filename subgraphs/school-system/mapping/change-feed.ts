import type { ServerResponse } from 'node:http';
import { textOf, type SchoolDatabase } from '../database';

/** Longest a reader may ask the shard to wait for a change, and how often the wait re-reads the counter. */
const MAX_WAIT_MS = 25_000;
const POLL_MS = 250;
const PAGE = 500;

async function position(db: SchoolDatabase): Promise<{ last: number; feedId: string }> {
  const [row] = await db.all('SELECT last_seq, feed_id FROM hub_change_counter WHERE id = 1');
  return { last: Number(row?.last_seq ?? 0), feedId: textOf(row?.feed_id ?? '') };
}

async function readPage(db: SchoolDatabase, after: number) {
  const rows = await db.all(`SELECT seq, tags, occurred_at FROM hub_change WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`, [
    after,
  ]);
  const [oldest] = await db.all('SELECT MIN(seq) AS seq FROM hub_change');
  return {
    first: oldest?.seq === null || oldest?.seq === undefined ? null : Number(oldest.seq),
    ...(await position(db)),
    changes: rows.map((row) => ({
      seq: Number(row.seq),
      tags: textOf(row.tags).split(' ').filter(Boolean),
      occurredAt: textOf(row.occurred_at),
    })),
  };
}

/**
 * `GET /changes?after=<seq>&waitMs=<ms>[&feedId=<id>]` as CONTRACT.md (change-feed) states it: the changes the
 * school's triggers recorded after `after`, waiting for one up to `waitMs`; without `after`, the position only.
 * The school's own system writes its tables from outside this process, so the wait re-reads the counter.
 */
export async function serveChanges(
  db: SchoolDatabase,
  identity: { kind: string; institution: string },
  url: URL,
  response: ServerResponse,
  send: (status: number, body: unknown) => void,
): Promise<void> {
  const afterText = url.searchParams.get('after');
  const after = afterText === null ? null : Number(afterText);
  const waitMs = Math.min(Number(url.searchParams.get('waitMs') ?? 0), MAX_WAIT_MS);
  if ((after !== null && (!Number.isSafeInteger(after) || after < 0)) || !Number.isFinite(waitMs) || waitMs < 0) {
    send(400, { error: 'after must be a change sequence number (0 or more) and waitMs a number of milliseconds' });
    return;
  }
  if (after === null) {
    send(200, { ...identity, ...(await readPage(db, Number.MAX_SAFE_INTEGER)) });
    return;
  }
  const feedId = url.searchParams.get('feedId');
  let closed = false;
  response.once('close', () => {
    closed = true;
  });
  const deadline = Date.now() + waitMs;
  let page = await readPage(db, after);
  while (
    page.changes.length === 0 &&
    page.last === after &&
    (feedId === null || feedId === page.feedId) &&
    !closed &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(deadline - Date.now(), 0))));
    const now = await position(db);
    if (now.last !== after || (feedId !== null && feedId !== now.feedId)) page = await readPage(db, after);
  }
  if (!closed) send(200, { ...identity, ...page });
}
