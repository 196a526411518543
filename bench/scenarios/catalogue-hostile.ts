import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_ANSWER_BYTES, MAX_ANSWER_VALUES } from '../../gateway/catalogue';
import type { Scenario } from '../lib/context';
import { benchRegistryInstitution, loadTemplates } from '../lib/data';
import { positive } from '../lib/env';
import { baselineEntry, cpuMs, longestStallMs, startHub, writeRegistry, type Service } from '../lib/processes';
import { startShardProxy } from '../lib/shard-proxy';
import { fmt, type Table } from '../lib/report';
import { startSeededShards } from '../lib/seeded-shards';

/** Each measuring window's length: the table gives the first (the budget's burst) and the last ones apart. */
const WINDOW_SECONDS = 30;
/** The share of one core a member that has itself read without end may take of the hub, once its budget is spent. */
const MOST_CORE_SHARE = 0.1;
/** The side whose member answers every page of units with OVERSIZED_PAGE_BYTES (its feed restarting as well). */
const OVERSIZED = 'default budget, pages of the most an answer holds';
/** The same, with BENCH_BASELINE's build of the hub. */
const OVERSIZED_BASELINE = `${OVERSIZED}, BENCH_BASELINE's build`;
/**
 * The longest a member's answers may hold the hub's event loop, ms: an answer of at most MAX_ANSWER_BYTES and
 * MAX_ANSWER_VALUES, parsed in turns of the event loop (gateway/resilience/json-turns.ts).
 */
const MOST_STALL_MS = 100;
/** A budget no read reaches: the catalogue as it reads a member without one. */
const NO_BUDGET = { CATALOG_MEMBER_READ_BYTES: '1000000000000', CATALOG_MEMBER_READ_BYTES_PER_MINUTE: '1000000000000' };

interface Window {
  wholeReads: number;
  polls: number;
  /** The hub process's CPU time in the window (every thread), ms. */
  cpuMs: number;
  /** The longest the hub's event loop was held in the window, ms (every other request waits as long). */
  stallMs: number;
}

/** The bytes of the page a member answers to every page of units, in the side OVERSIZED: just under the most. */
const OVERSIZED_PAGE_BYTES = MAX_ANSWER_BYTES - 1024;
/** Its JSON values: just under the most. */
const OVERSIZED_PAGE_VALUES = MAX_ANSWER_VALUES - 100;

/**
 * A page of one unit of some OVERSIZED_PAGE_BYTES and OVERSIZED_PAGE_VALUES, the most an answer may hold: small
 * objects, each under a key of its own (the costliest JSON to parse a byte of the shapes measured), in a field the
 * catalogue did not ask for, and a title that fills the rest of the bytes. Read and parsed whole, it costs the hub
 * most; its text is far past what an item may hold, so the read fails once it is parsed.
 */
function oversizedPage(): Buffer {
  // Each object counts two values (itself and its comma).
  const padding = Array.from({ length: Math.floor(OVERSIZED_PAGE_VALUES / 2) }, (_, i) => ({
    [`k${i.toString(36)}`]: 0,
  }));
  const page = (title: string) =>
    JSON.stringify({
      data: {
        page: {
          edges: [
            {
              cursor: 'c1',
              node: {
                localId: 'U1',
                titles: [{ lang: 'en', value: title }],
                eqfLevel: 4,
                ecvetPoints: 5,
                status: 'ACTIVE',
                assessmentCriteria: [],
                learningOutcomes: [],
                qualification: { localId: 'Q1' },
                padding,
              },
            },
          ],
          pageInfo: { hasNextPage: false },
        },
      },
    });
  return Buffer.from(page('x'.repeat(OVERSIZED_PAGE_BYTES - Buffer.byteLength(page('')))));
}

/**
 * A member's shard behind a proxy whose change feed restarts at every poll (a new history each time, as a restored
 * database shows): each restart asks the catalogue to read the member whole again. Counts the whole reads that reach
 * the shard and the polls. Once `oversized` is set, it answers every page of units with that instead of the shard's.
 */
async function startRestartingFeed(shardUrl: string) {
  const counts = { wholeReads: 0, polls: 0 };
  const mode: { oversized: Buffer | null } = { oversized: null };
  const proxy = await startShardProxy(shardUrl, (incoming, body) => {
    if (incoming.url?.startsWith('/changes')) {
      counts.polls += 1;
      return JSON.stringify({ feedId: `restored-${counts.polls}`, first: null, last: 0, changes: [] });
    }
    // A whole read asks for the institution's own record once.
    if (body.includes('query CatalogueInstitution')) counts.wholeReads += 1;
    return mode.oversized && body.includes('page: units') ? mode.oversized : null;
  });
  return { ...proxy, counts, mode };
}

async function partState(hub: Service): Promise<{ state: string; error: string | null } | undefined> {
  const ready = (await (await fetch(new URL('/health/ready', hub.url))).json()) as {
    catalogue?: { parts?: Array<{ state: string; error: string | null }> };
  };
  return ready.catalogue?.parts?.[0];
}

/**
 * One member whose change feed restarts at every poll, so that it has the catalogue read it whole again and again: the
 * hub's CPU it takes without a read budget and with the default one, side by side in one run.
 */
export const catalogueHostile: Scenario = {
  name: 'catalogue-hostile',
  title:
    'Catalogue and a member whose feed restarts at every poll: the hub CPU it takes, without and with a read budget, and how long its oversized pages hold the hub',
  estimate: '~7 min (9 with BENCH_BASELINE)',
  async run(context) {
    const units = positive('BENCH_HOSTILE_UNITS', 2_000);
    const seconds = Math.max(2, Math.round(positive('BENCH_HOSTILE_SECONDS', 120) / WINDOW_SECONDS)) * WINDOW_SECONDS;
    const { shards } = await startSeededShards(
      context,
      'catalogue-hostile-shard',
      [`sqlite:${join(context.tmp, 'hostile.sqlite')}`],
      units,
    );
    const shard = shards[0] as Service;
    const feed = await startRestartingFeed(shard.url);
    context.cleanup.add('close the restarting feed', () => feed.close());
    const registryPath = writeRegistry(context.tmp, 'catalogue-hostile', [
      benchRegistryInstitution(loadTemplates(), 1, feed.url),
    ]);

    const baseline = baselineEntry();
    const sides: Array<{ name: string; env: Record<string, string>; oversized: boolean; entry?: string }> = [
      { name: 'no budget', env: NO_BUDGET, oversized: false },
      { name: 'default budget', env: {}, oversized: false },
      { name: OVERSIZED, env: {}, oversized: true },
      ...(baseline ? [{ name: OVERSIZED_BASELINE, env: {}, oversized: true, entry: baseline }] : []),
    ];
    const runs = new Map<string, { windows: Window[]; state: Awaited<ReturnType<typeof partState>> }>();
    for (const side of sides) {
      feed.mode.oversized = side.oversized ? oversizedPage() : null;
      const hub = await startHub(context.cleanup, {
        name: `hub, ${side.name}`,
        registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        // The catalogue alone follows the feed: the entity cache's follower would poll it as often again.
        env: { CATALOG: 'on', ENTITY_CACHE: 'off', ...side.env },
        ...(side.entry ? { entry: side.entry } : {}),
      });
      const deadline = Date.now() + 120_000;
      // Its first read, and every one after, fails on the oversized page: measured from its first read.
      while (side.oversized ? feed.counts.wholeReads === 0 : (await partState(hub))?.state === 'not-read') {
        if (Date.now() > deadline) throw new Error(`${side.name}: the member's first read did not end within 120 s`);
        await sleep(100);
      }
      const windows: Window[] = [];
      for (let elapsed = 0; elapsed < seconds; elapsed += WINDOW_SECONDS) {
        const before = { ...feed.counts, cpuMs: cpuMs(hub.pid) ?? Number.NaN };
        await longestStallMs(hub);
        let stallMs = 0;
        for (let second = 0; second < WINDOW_SECONDS; second += 1) {
          await sleep(1_000);
          stallMs = Math.max(stallMs, await longestStallMs(hub));
        }
        const window = {
          wholeReads: feed.counts.wholeReads - before.wholeReads,
          polls: feed.counts.polls - before.polls,
          cpuMs: (cpuMs(hub.pid) ?? Number.NaN) - before.cpuMs,
          stallMs,
        };
        windows.push(window);
        context.log(
          `  ${side.name}: ${elapsed + WINDOW_SECONDS} s, ${window.wholeReads} whole reads, ${window.polls} polls, hub CPU ${fmt.num(window.cpuMs / 1000)} s, longest stall ${fmt.int(stallMs)} ms`,
        );
      }
      runs.set(side.name, { windows, state: await partState(hub) });
      await hub.stop();
    }

    const share = (windows: readonly Window[]) =>
      windows.reduce((sum, window) => sum + window.cpuMs, 0) / (windows.length * WINDOW_SECONDS * 1_000);
    const sum = (windows: readonly Window[], key: 'wholeReads' | 'polls') =>
      windows.reduce((total, window) => total + window[key], 0);
    const last = (name: string) => (runs.get(name)?.windows ?? []).slice(-2);
    const longestStall = (name: string) => Math.max(...(runs.get(name)?.windows ?? []).map((window) => window.stallMs));
    const table: Table = {
      caption: `One member of ${units} units whose feed restarts at every poll (SQLite shard, embedded catalogue); ${seconds} s from its first read, in windows of ${WINDOW_SECONDS} s`,
      columns: [
        'catalogue',
        'whole reads',
        'of them in the last 60 s',
        'polls',
        'hub CPU, share of a core',
        'in the first 30 s',
        'in the last 60 s',
        "longest stall of the hub's event loop",
        'part at the end',
      ],
      rows: sides.map(({ name }) => {
        const run = runs.get(name);
        const windows = run?.windows ?? [];
        return [
          name,
          fmt.int(sum(windows, 'wholeReads')),
          fmt.int(sum(last(name), 'wholeReads')),
          fmt.int(sum(windows, 'polls')),
          `${fmt.num(share(windows) * 100)}%`,
          `${fmt.num(share(windows.slice(0, 1)) * 100)}%`,
          `${fmt.num(share(last(name)) * 100)}%`,
          `${fmt.int(longestStall(name))} ms`,
          run?.state ? `${run.state.state}${run.state.error ? `: ${run.state.error}` : ''}` : '–',
        ];
      }),
    };
    const budgeted = share(last('default budget'));
    const unbounded = share(last('no budget'));
    const oversizedStall = longestStall(OVERSIZED);
    return {
      settings: {
        units: `${units} (BENCH_HOSTILE_UNITS)`,
        seconds: `${seconds} (BENCH_HOSTILE_SECONDS)`,
        windowSeconds: WINDOW_SECONDS,
      },
      tables: [table],
      targets: [
        {
          target: `once its budget is spent, such a member takes at most ${MOST_CORE_SHARE * 100}% of a core of the hub (last 60 s, default budget)`,
          measured: `${fmt.num(budgeted * 100)}% (${fmt.ratio(budgeted / unbounded)} the share without a budget)`,
          met: budgeted <= MOST_CORE_SHARE,
        },
        {
          target: `a member answering every page with the most an answer may hold stalls the hub's event loop at most ${MOST_STALL_MS} ms at a time`,
          measured: `${fmt.int(oversizedStall)} ms (${fmt.ratio(oversizedStall / longestStall('default budget'))} the longest stall of its honest whole reads)${baseline ? `; ${fmt.int(longestStall(OVERSIZED_BASELINE))} ms with BENCH_BASELINE's build` : ''}`,
          met: oversizedStall <= MOST_STALL_MS,
        },
      ],
      notes: [
        'The member\'s shard is reached through a proxy whose change feed answers every poll at once with a new history (feedId), as a shard whose database was restored does: each restart asks the catalogue to read the member whole again. "whole reads" are those that reached the shard.',
        '"no budget": CATALOG_MEMBER_READ_BYTES and CATALOG_MEMBER_READ_BYTES_PER_MINUTE set past any read; "default budget": 64 MiB at once, then 16 MiB a minute. The hubs run this build, one after the other, on the same shard.',
        ...(baseline
          ? [`"${OVERSIZED_BASELINE}": the hub of the build in BENCH_BASELINE, on the same shard and pages.`]
          : []),
        `"${OVERSIZED}": the proxy answers every page of units with one unit of ${fmt.int(OVERSIZED_PAGE_BYTES)} bytes and ${fmt.int(OVERSIZED_PAGE_VALUES)} JSON values, just under the most the catalogue parses of one answer (MAX_ANSWER_BYTES, MAX_ANSWER_VALUES; a larger answer is left unparsed, and asked again with fewer items): small objects each under a key of its own (the costliest JSON to parse of the shapes measured), and a title filling the rest. The catalogue parses it whole, in turns of its event loop of some 10,000 values (gateway/resilience/json-turns.ts), then fails the read: its text is past what an item may hold. Measured from the first read.`,
        "The longest stall is the most the hub's event loop was held in the run (nodejs_eventloop_lag_max_seconds, read every second): every request to the hub waits as long.",
        "The hub's CPU is its process's, every thread (the embedded engine's included), from /proc.",
      ],
      raw: Object.fromEntries(runs),
    };
  },
};
