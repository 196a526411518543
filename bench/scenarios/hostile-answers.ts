import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_MAX_SHARD_ANSWER_BYTES, DEFAULT_MAX_SHARD_ANSWER_VALUES } from '../../gateway/routing/shard-client';
import type { Scenario } from '../lib/context';
import { benchCode, benchRegistryInstitution, loadTemplates } from '../lib/data';
import { positive } from '../lib/env';
import { graphql, requestBody, runLoad, type RunStats } from '../lib/load';
import { baselineEntry, cpuMs, longestStallMs, startHub, writeRegistry, type Service } from '../lib/processes';
import { startShardProxy } from '../lib/shard-proxy';
import { fmt, type Table } from '../lib/report';
import { startSeededShards } from '../lib/seeded-shards';

/** The longest a member's answer to a query may hold the hub's event loop, ms, with the default caps. */
const MOST_STALL_MS = 100;
/** Pause between two queries that reach the hostile member: each waits for the last one's answer. */
const HOSTILE_QUERY_PAUSE_MS = 250;

/**
 * An answer of just under `bytes` in the costliest JSON to parse of the shapes measured: small objects, each under a
 * key of its own (a parse makes every new key a string and every object a shape of its own). With `values`, it holds
 * that many values at most in such objects, and a string fills the rest of its bytes.
 */
function costliestAnswer(bytes: number, values = Number.POSITIVE_INFINITY): Buffer {
  const head = '{"data":{"units":{"edges":[';
  const tail = '],"pageInfo":{"hasNextPage":false}},"padding":"';
  const room = bytes - 1024 - head.length - tail.length - 3;
  const objects: string[] = [];
  let filled = 0;
  // Each object counts two values (itself and its comma).
  for (let i = 0; filled < room - 32 && 2 * (i + 1) < values; i += 1) {
    const object = `{"k${i.toString(36)}":0}`;
    objects.push(object);
    filled += object.length + 1;
  }
  return Buffer.from(`${head}${objects.join(',')}${tail}${'x'.repeat(Math.max(0, room - filled))}"}}`);
}

/**
 * A member's shard behind a proxy that answers every GraphQL call with `mode.answer` and passes the rest (its health and
 * change feed) to the shard. Counts the calls it answered.
 */
async function startHostileProxy(shardUrl: string) {
  const counts = { answered: 0 };
  const mode: { answer: Buffer } = { answer: Buffer.alloc(0) };
  const proxy = await startShardProxy(shardUrl, (incoming) => {
    if (incoming.method !== 'POST' || incoming.url?.startsWith('/changes')) return null;
    counts.answered += 1;
    return mode.answer;
  });
  return { ...proxy, counts, mode };
}

/** The caps of the hub before it counted values: 16 MiB of an answer, whatever it held. */
const FORMER_BYTES = 16 * 1024 * 1024;
const BYTES_ONLY = 'former caps: 16 MiB, no values cap';
const BOTH_CAPS = 'default caps';
/** The side whose member answers with as many values as an answer may hold, the rest of its bytes in a string. */
const UNDER_BOTH = 'default caps, answers just under both';
/** The same, with BENCH_BASELINE's build of the hub. */
const UNDER_BOTH_BASELINE = `${UNDER_BOTH}, BENCH_BASELINE's build`;

interface Side {
  honest: RunStats;
  stallMs: number;
  hostileQueries: number;
  hostileAnswers: number;
  /** The hub process's CPU time through the run, ms. */
  cpuMs: number;
}

/**
 * One member of two whose shard answers every query with the costliest JSON to parse, while a partner reads the other
 * member's data: what the honest reads wait and how long the hub's event loop is held, with the hub's former cap (16
 * MiB of an answer) and with this build's (MAX_SHARD_ANSWER_BYTES and MAX_SHARD_ANSWER_VALUES), side by side in one run.
 */
export const hostileAnswers: Scenario = {
  name: 'hostile-answers',
  title:
    "A member's shard answering every query with the costliest JSON to parse: how long it holds the hub, and what another member's readers wait, with the former answer cap and with this build's",
  estimate: '~2 min (3 with BENCH_BASELINE)',
  async run(context) {
    const seconds = positive('BENCH_HOSTILE_ANSWER_SECONDS', 30);
    const { shards } = await startSeededShards(
      context,
      'hostile-answers-shard',
      [1, 2].map((n) => `sqlite:${join(context.tmp, `hostile-answers-${n}.sqlite`)}`),
      100,
    );
    const hostile = await startHostileProxy((shards[1] as Service).url);
    context.cleanup.add('close the hostile proxy', () => hostile.close());
    const templates = loadTemplates();
    const registryPath = writeRegistry(context.tmp, 'hostile-answers', [
      benchRegistryInstitution(templates, 1, (shards[0] as Service).url),
      benchRegistryInstitution(templates, 2, hostile.url),
    ]);
    const honestQuery = requestBody(`{ institution(id: "${benchCode(1)}") { id country } }`);
    // Fans out to both members (the catalogue is off): the hostile one's answer comes with every such query.
    const hostileQuery = requestBody('{ units(first: 5) { nodes { id } } }');

    const costliest = costliestAnswer(FORMER_BYTES);
    const underBoth = costliestAnswer(DEFAULT_MAX_SHARD_ANSWER_BYTES, DEFAULT_MAX_SHARD_ANSWER_VALUES - 100);
    const baseline = baselineEntry();
    const sides: Array<{ name: string; env: Record<string, string>; answer: Buffer; entry?: string }> = [
      {
        name: BYTES_ONLY,
        env: { MAX_SHARD_ANSWER_BYTES: String(FORMER_BYTES), MAX_SHARD_ANSWER_VALUES: '100000000' },
        answer: costliest,
      },
      { name: BOTH_CAPS, env: {}, answer: costliest },
      { name: UNDER_BOTH, env: {}, answer: underBoth },
      ...(baseline ? [{ name: UNDER_BOTH_BASELINE, env: {}, answer: underBoth, entry: baseline }] : []),
    ];
    const results = new Map<string, Side>();
    for (const side of sides) {
      hostile.mode.answer = side.answer;
      const hub = await startHub(context.cleanup, {
        name: `hub, ${side.name}`,
        registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        env: { ENTITY_CACHE: 'off', ...side.env },
        ...(side.entry ? { entry: side.entry } : {}),
      });
      const url = new URL('/graphql', hub.url).toString();
      const answeredBefore = hostile.counts.answered;
      const cpuBefore = cpuMs(hub.pid) ?? Number.NaN;
      await longestStallMs(hub);
      let running = true;
      let hostileQueries = 0;
      const hostileLoop = (async () => {
        while (running) {
          await graphql(url, hostileQuery).catch(() => undefined);
          hostileQueries += 1;
          await sleep(HOSTILE_QUERY_PAUSE_MS);
        }
      })();
      let stallMs = 0;
      const stallLoop = (async () => {
        while (running) {
          await sleep(1_000);
          stallMs = Math.max(stallMs, await longestStallMs(hub));
        }
      })();
      const honest = await runLoad({ name: side.name, url, body: honestQuery, connections: 2 }, seconds);
      running = false;
      await Promise.all([hostileLoop, stallLoop]);
      stallMs = Math.max(stallMs, await longestStallMs(hub));
      const result: Side = {
        honest,
        stallMs,
        hostileQueries,
        hostileAnswers: hostile.counts.answered - answeredBefore,
        cpuMs: (cpuMs(hub.pid) ?? Number.NaN) - cpuBefore,
      };
      results.set(side.name, result);
      context.log(
        `  ${side.name}: honest p50 ${fmt.ms(honest.p50)}, p99 ${fmt.ms(honest.p99)}, longest stall ${fmt.int(stallMs)} ms, ${hostileQueries} hostile queries`,
      );
      await hub.stop();
    }

    const table: Table = {
      caption: `Two members (SQLite shards of 100 units); one answers every query with the costliest JSON to parse (small objects under keys of their own); ${seconds} s of reads of the other member's institution (2 connections), while queries that reach both are asked one after another, ${HOSTILE_QUERY_PAUSE_MS} ms apart`,
      columns: [
        'hub',
        'honest reads a second',
        'p50',
        'p99',
        'slowest',
        "longest stall of the hub's event loop",
        'queries reaching the hostile member',
        'hub CPU, share of a core',
      ],
      rows: sides.map(({ name }) => {
        const side = results.get(name);
        if (!side) return [name, '–', '–', '–', '–', '–', '–', '–'];
        return [
          name,
          fmt.int(side.honest.rps),
          fmt.ms(side.honest.p50),
          fmt.ms(side.honest.p99),
          fmt.ms(side.honest.max),
          `${fmt.int(side.stallMs)} ms`,
          fmt.int(side.hostileQueries),
          `${fmt.num((side.cpuMs / (seconds * 1_000)) * 100)}%`,
        ];
      }),
    };
    const uncapped = results.get(BYTES_ONLY);
    const capped = results.get(BOTH_CAPS);
    const under = results.get(UNDER_BOTH);
    const underBaseline = results.get(UNDER_BOTH_BASELINE);
    const longest = Math.max(capped?.stallMs ?? Number.POSITIVE_INFINITY, under?.stallMs ?? Number.POSITIVE_INFINITY);
    return {
      settings: {
        seconds: `${seconds} (BENCH_HOSTILE_ANSWER_SECONDS)`,
        answerBytes: costliest.length,
        answerJustUnderBothBytes: underBoth.length,
      },
      tables: [table],
      targets: [
        {
          target: `a member answering every query with the costliest JSON the caps let through stalls the hub's event loop at most ${MOST_STALL_MS} ms at a time`,
          measured: `${fmt.int(capped?.stallMs ?? Number.NaN)} ms past the caps, ${fmt.int(under?.stallMs ?? Number.NaN)} ms just under them (${fmt.int(uncapped?.stallMs ?? Number.NaN)} ms with the former cap); honest reads' p99 ${fmt.ms(capped?.honest.p99 ?? Number.NaN)} and ${fmt.ms(under?.honest.p99 ?? Number.NaN)} ms (${fmt.ms(uncapped?.honest.p99 ?? Number.NaN)} ms)${underBaseline ? `; just under both caps with BENCH_BASELINE's build: ${fmt.int(underBaseline.stallMs)} ms, p99 ${fmt.ms(underBaseline.honest.p99)} ms` : ''}`,
          met: longest <= MOST_STALL_MS,
        },
      ],
      notes: [
        `The hostile member's shard is reached through a proxy that answers every GraphQL call with the same ${fmt.int(costliest.length)} bytes, just under the former cap of 16 MiB: small objects, each under a key of its own, the costliest JSON to parse a byte of the shapes measured. Its health and change feed are the real shard's.`,
        `"${BYTES_ONLY}": MAX_SHARD_ANSWER_BYTES at 16 MiB and MAX_SHARD_ANSWER_VALUES past any answer, the caps of the hub before it counted values; "${BOTH_CAPS}": ${fmt.int(DEFAULT_MAX_SHARD_ANSWER_BYTES)} bytes and ${fmt.int(DEFAULT_MAX_SHARD_ANSWER_VALUES)} values, counted as the answer arrives, an answer past them given up unparsed; "${UNDER_BOTH}": the member answers ${fmt.int(underBoth.length)} bytes, ${fmt.int(DEFAULT_MAX_SHARD_ANSWER_VALUES - 100)} values in such objects and a string filling the rest, which the hub parses whole, in turns of its event loop of some 10,000 values (gateway/resilience/json-turns.ts). The hubs run this build, one after the other, on the same shards${baseline ? `; "${UNDER_BOTH_BASELINE}": the hub of the build in BENCH_BASELINE, on the same shards and answers` : ''}.`,
        "The honest reads ask for the other member's institution by ID (owner-routed to its shard alone). The longest stall is the most the hub's event loop was held in the run (nodejs_eventloop_lag_max_seconds, read every second): every request to the hub waits as long.",
      ],
      raw: Object.fromEntries(results),
    };
  },
};
