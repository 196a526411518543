import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { moduleLogger } from '../../platform/logger';
import type { Shard } from '../registry/registry';
import { followChangeFeeds, type FeedFollower } from './feed';
import { createMemoryStore } from './memory-store';
import type { CacheStore, FeedPosition } from './store';

/**
 * A replica that joins behind the cursor its peers share (Redis) keeps their entries, but serves none of them
 * before it has applied the changes it missed: until then a dropped entry could still be read.
 */
let server: Server;
let follower: FeedFollower | null = null;
let releaseCatchUp: () => void = () => undefined;
const catchUpHeld = new Promise<void>((resolve) => {
  releaseCatchUp = resolve;
});
const invalidated: string[][] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const after = url.searchParams.get('after');
    const answer = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const page = { kind: 'qualifications', institution: 'rvt.lv', feedId: 'history-1', first: 1, last: 10 };
    if (after === null) answer({ ...page, changes: [] });
    else if (after === '5') {
      const missed = [6, 7, 8, 9, 10].map((seq) => ({
        seq,
        tags: [`Unit:U${seq}`],
        occurredAt: new Date().toISOString(),
      }));
      void catchUpHeld.then(() => answer({ ...page, changes: missed }));
    } else {
      // A long poll: answered empty after its wait, unless the follower went away first (then no timer is left).
      const timer = setTimeout(() => answer({ ...page, changes: [] }), Number(url.searchParams.get('waitMs') ?? 0));
      response.once('close', () => clearTimeout(timer));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  releaseCatchUp();
  await follower?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('a replica joining from an older shared cursor is current only once it has replayed what it missed', async () => {
  const shard: Shard = {
    institution: 'rvt.lv',
    kind: 'qualifications',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  };
  // Peers' entries are current with change 5 of this history; the feed is at 10.
  let shared: FeedPosition | null = { feedId: 'history-1', seq: 5 };
  const memory = createMemoryStore({ budgets: new Map([['Unit', 10_000]]) });
  const store: CacheStore = {
    ...memory,
    invalidate: async (scope, tags) => {
      invalidated.push([...tags]);
      return memory.invalidate(scope, tags);
    },
    sharedCursor: async () => shared,
    setSharedCursor: async (_scope, position) => {
      shared = position;
    },
  };
  follower = followChangeFeeds({
    shards: [shard],
    hopKey: null,
    store,
    waitMs: 200,
    graceMs: 2_000,
    log: moduleLogger('feed-test'),
    onInvalidate: () => undefined,
    onLag: () => undefined,
  });
  const deadline = Date.now() + 5_000;
  while (follower.cursorOf(shard) === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(follower.cursorOf(shard)).toBe(5);
  expect(follower.isCurrent(shard)).toBe(false);

  releaseCatchUp();
  while (!follower.isCurrent(shard) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(follower.isCurrent(shard)).toBe(true);
  expect(follower.cursorOf(shard)).toBe(10);
  expect(invalidated).toEqual([['Unit:U6'], ['Unit:U7'], ['Unit:U8'], ['Unit:U9'], ['Unit:U10']]);
  expect(shared).toEqual({ feedId: 'history-1', seq: 10 });
});

test('after its shard restarts its feed (a restored or replaced database), a follower drops the entries and is current from the new position on', async () => {
  // The shard's feed as it stands: a history, and how far it is.
  const feed = { feedId: 'before-restore', last: 40 };
  const shardServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const after = url.searchParams.get('after');
    const page = {
      kind: 'qualifications',
      institution: 'omnia.fi',
      feedId: feed.feedId,
      first: null,
      last: feed.last,
      changes: [],
    };
    const answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    // A long poll waits while nothing moved, as a shard does; anything else is answered at once.
    if (after !== null && Number(after) === feed.last && url.searchParams.get('feedId') === feed.feedId)
      setTimeout(answer, 100);
    else answer();
  });
  await new Promise<void>((resolve) => shardServer.listen(0, '127.0.0.1', resolve));
  const shard: Shard = {
    institution: 'omnia.fi',
    kind: 'qualifications',
    url: `http://127.0.0.1:${(shardServer.address() as AddressInfo).port}/`,
  };
  const drops: string[] = [];
  const restarted = followChangeFeeds({
    shards: [shard],
    hopKey: null,
    store: createMemoryStore({ budgets: new Map([['Unit', 10_000]]) }),
    waitMs: 100,
    graceMs: 300,
    log: moduleLogger('feed-test'),
    onInvalidate: (_shard, reason) => drops.push(reason),
    onLag: () => undefined,
  });
  try {
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await until(() => restarted.isCurrent(shard));
    expect(restarted.cursorOf(shard)).toBe(40);
    const before = drops.length;
    Object.assign(feed, { feedId: 'after-restore', last: 3 });
    await until(() => restarted.cursorOf(shard) === 3);
    // Longer than wait + grace: only a follower that heard the new feed since counts as current.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect({
      cursor: restarted.cursorOf(shard),
      current: restarted.isCurrent(shard),
      drops: drops.slice(before),
    }).toEqual({ cursor: 3, current: true, drops: ['gap'] });
  } finally {
    await restarted.close();
    shardServer.closeAllConnections();
    await new Promise((resolve) => shardServer.close(resolve));
  }
});

test('with whole pages, the changes of one page are one invalidation of all their tags, less those already applied', async () => {
  releaseCatchUp();
  const shard: Shard = {
    institution: 'rvt.lv',
    kind: 'qualifications',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  };
  const calls: string[][] = [];
  const lags: number[] = [];
  let shared: FeedPosition | null = { feedId: 'history-1', seq: 5 };
  const memory = createMemoryStore({ budgets: new Map([['Unit', 10_000]]) });
  const paged = followChangeFeeds({
    shards: [shard],
    hopKey: null,
    store: {
      ...memory,
      invalidate: async (scope, tags) => {
        calls.push([...tags]);
        return memory.invalidate(scope, tags);
      },
      sharedCursor: async () => shared,
      setSharedCursor: async (_scope, position) => {
        shared = position;
      },
    },
    waitMs: 200,
    graceMs: 2_000,
    log: moduleLogger('feed-test'),
    onInvalidate: () => undefined,
    onLag: (seconds) => lags.push(seconds),
    // A write through this gateway applied change 7 already.
    alreadyApplied: (_shard, seq) => seq === 7,
    wholePages: true,
  });
  try {
    const deadline = Date.now() + 5_000;
    while (!paged.isCurrent(shard) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect({ current: paged.isCurrent(shard), cursor: paged.cursorOf(shard), shared }).toEqual({
      current: true,
      cursor: 10,
      shared: { feedId: 'history-1', seq: 10 },
    });
    expect(calls).toEqual([['Unit:U6', 'Unit:U8', 'Unit:U9', 'Unit:U10']]);
    expect(lags).toHaveLength(4);
  } finally {
    await paged.close();
  }
});

/** A feed on 127.0.0.1 that answers every poll with `answer`; `close` ends it and the connections it holds. */
async function startFeed(answer: (response: ServerResponse, after: string | null) => void) {
  const feedServer = createServer((request, response) =>
    answer(response, new URL(request.url ?? '/', 'http://localhost').searchParams.get('after')),
  );
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  const shard: Shard = {
    institution: 'rvt.lv',
    kind: 'qualifications',
    url: `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/`,
  };
  return {
    shard,
    close: async () => {
      feedServer.closeAllConnections();
      await new Promise((resolve) => feedServer.close(resolve));
    },
  };
}

/**
 * Follows one feed (a poll's deadline 500 ms) until it is lost, then stops: how long that took and what the follower
 * logged. Fails unless the feed is lost, and its shard's entries dropped, within 3 s.
 */
async function untilLost(feed: { shard: Shard; close: () => Promise<void> }) {
  const warnings: string[] = [];
  const drops: Array<{ reason: string; afterMs: number }> = [];
  const started = Date.now();
  const follower = followChangeFeeds({
    shards: [feed.shard],
    hopKey: null,
    store: createMemoryStore({ budgets: new Map([['Unit', 10_000]]) }),
    waitMs: 200,
    graceMs: 300,
    log: pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) }),
    onInvalidate: (_shard, reason) => drops.push({ reason, afterMs: Date.now() - started }),
    onLag: () => undefined,
  });
  try {
    const deadline = Date.now() + 3_000;
    while (drops.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drops.map((drop) => drop.reason)).toEqual(['feed-lost']);
    expect(follower.isCurrent(feed.shard)).toBe(false);
    return { afterMs: drops[0]?.afterMs ?? Number.NaN, warnings: warnings.join('\n') };
  } finally {
    await follower.close();
    await feed.close();
  }
}

test("a feed that sends its page a byte at a time loses the shard's entries at the poll's deadline, named", async () => {
  // A space every 100 ms: undici's wait between two chunks alone would hold the poll for ever.
  const feed = await startFeed((response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const drip = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(drip));
  });
  const lost = await untilLost(feed);
  // The poll's deadline is the wait and the grace (500 ms), with room for a busy machine.
  expect(lost.afterMs).toBeLessThan(1_300);
  expect(lost.warnings).toContain(
    'the change feed of the qualifications shard of rvt.lv did not answer whole within 500 ms',
  );
});

test("a feed page of more JSON values than a page may hold is not parsed: the shard's entries are dropped, named", async () => {
  // A page whose one change carries 100,000 empty objects: 300 KB, far within the bytes of a page.
  const padding = Array(100_000).fill('{}').join(',');
  const feed = await startFeed((response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      `{"kind":"qualifications","institution":"rvt.lv","feedId":"f","first":1,"last":1,"changes":[{"seq":1,"tags":["Unit:U1"],"padding":[${padding}]}]}`,
    );
  });
  expect((await untilLost(feed)).warnings).toContain(
    'the change feed of the qualifications shard of rvt.lv: the answer holds more than 50000 JSON values',
  );
});

test('a feed that holds each poll for its wait and sends its page in pieces stays current', async () => {
  // An honest long poll: nothing changes, so each poll is held 300 ms, then its page comes in two pieces.
  const feed = await startFeed((response, after) => {
    const page = JSON.stringify({ feedId: 'history-1', first: null, last: 4, changes: [] });
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json' }).write(page.slice(0, 10));
      setTimeout(() => response.end(page.slice(10)), 50);
    };
    if (after === null) answer();
    else setTimeout(answer, 300);
  });
  const drops: string[] = [];
  const follower = followChangeFeeds({
    shards: [feed.shard],
    hopKey: null,
    store: createMemoryStore({ budgets: new Map([['Unit', 10_000]]) }),
    waitMs: 300,
    // Room for a busy machine: a poll that takes up to 350 ms longer than its 350 ms is still within its deadline.
    graceMs: 400,
    log: moduleLogger('feed-test'),
    onInvalidate: (_shard, reason) => drops.push(reason),
    onLag: () => undefined,
  });
  try {
    const deadline = Date.now() + 3_000;
    while (!follower.isCurrent(feed.shard) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const joined = drops.length;
    // Some four long polls, each 350 ms of a 700 ms deadline.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect({ current: follower.isCurrent(feed.shard), cursor: follower.cursorOf(feed.shard) }).toEqual({
      current: true,
      cursor: 4,
    });
    expect(drops.slice(joined)).toEqual([]);
  } finally {
    await follower.close();
    await feed.close();
  }
});

test.each([
  // An empty page at once, every time: spaced 250 ms apart after joining, at most 10 polls in two seconds (unspaced,
  // some 9,000).
  ['answers every poll at once with nothing', () => ({ feedId: 'history-1', first: null, last: 4 }), 10, null],
  // A change at every poll, at once: spaced 100 ms apart after joining, 21 polls in two seconds, and one more for the
  // timers' millisecond granularity (unspaced, thousands).
  [
    'names a change at every poll, at once',
    (n: number) => ({
      feedId: 'history-1',
      first: n,
      last: n,
      changes: [{ seq: n, tags: ['Unit:U1'], occurredAt: new Date().toISOString() }],
    }),
    22,
    'feed',
  ],
  // A new history at every poll: each drops the entries, then waits 200, 400, 800, 1,600, 2,000 ms.
  ['restarts at every poll', (n: number) => ({ feedId: `history-${n}`, first: null, last: 4 }), 5, 'gap'],
  // A page of 1 MB at every poll, at once: a second's wait after each (at 100 ms, some twenty in two seconds).
  [
    'sends a page of 1 MB at every poll, at once',
    (n: number) => ({
      feedId: 'history-1',
      first: n,
      last: n,
      changes: [
        {
          seq: n,
          tags: Array.from({ length: 10_000 }, (_, i) => `Unit:${String(i).padStart(100, 'U')}`),
          occurredAt: new Date().toISOString(),
        },
      ],
    }),
    3,
    'feed',
  ],
] as const)('a feed that %s is polled no faster than the hub allows', async (_what, pageOf, most, later) => {
  // When each poll reached the feed: the count is of those within two seconds of the follower's start, so a busy
  // machine that wakes this test late does not let more polls in.
  const arrivals: number[] = [];
  const feed = await startFeed((response) => {
    arrivals.push(performance.now());
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ changes: [], ...pageOf(arrivals.length) }));
  });
  const begun = performance.now();
  const drops: string[] = [];
  const follower = followChangeFeeds({
    shards: [feed.shard],
    hopKey: null,
    store: createMemoryStore({ budgets: new Map([['Unit', 10_000]]) }),
    waitMs: 10_000,
    graceMs: 2_000,
    log: moduleLogger('feed-test'),
    onInvalidate: (_shard, reason) => drops.push(reason),
    onLag: () => undefined,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const polls = arrivals.filter((at) => at - begun < 2_000).length;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(most);
    // Joining drops what was held (no shared cursor); then each poll drops as its page says, or nothing.
    expect(drops[0]).toBe('gap');
    expect(new Set(drops.slice(1))).toEqual(new Set(later ? [later] : []));
    if (later) expect(drops.length).toBeGreaterThanOrEqual(2);
  } finally {
    await follower.close();
    await feed.close();
  }
});
