import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { mintDemoToken } from '../../scripts/token';
import type { Scenario } from '../lib/context';
import { alternate, percentile, type LoadTarget, type Summary } from '../lib/load';
import { fmt } from '../lib/report';
import {
  OVERHEAD_INSTITUTION,
  OVERHEAD_UNIT,
  SINGLE_SHARD_COLUMNS,
  singleShardRow,
  startSingleShard,
} from './single-shard';

const CONNECTIONS = 10;
const MIXED_SECONDS = 8;
const MIXED_READERS = 8;
/** Pause between acknowledged writes in the mixed run: reads outnumber writes about a hundred to one. */
const WRITE_PAUSE_MS = 100;

const READ_TITLE = 'query($id: ID!) { unit(id: $id) { id title(lang: "en") } }';
const WRITE_TITLE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }';

interface MixedRun {
  reads: number;
  hits: number;
  writes: number;
  /** Reads that returned a revision older than the last write acknowledged before the read was sent. */
  staleReads: number;
  readP50: number;
  readP99: number;
}

/**
 * Writes revisions of a unit's title through the hub while readers read it through the hub, each read
 * checked against the last acknowledged write: the entity cache must never answer older than that.
 */
async function mixedRun(hubUrl: string, token: string): Promise<MixedRun> {
  const agent = new Agent({ connections: MIXED_READERS + 1 });
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await request(hubUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const json = (await response.body.json()) as { data?: { unit?: { title?: string } }; errors?: unknown[] };
    return { json, cache: response.headers['x-hub-cache'] };
  };
  const revisionOf = (title: string | undefined) => Number(/revision (\d+)$/.exec(title ?? '')?.[1] ?? 0);
  let acknowledged = 0;
  let running = true;
  const result: MixedRun = { reads: 0, hits: 0, writes: 0, staleReads: 0, readP50: 0, readP99: 0 };
  const latencies: number[] = [];
  const writer = (async () => {
    for (let revision = 1; running; revision += 1) {
      const { json } = await post(
        { query: WRITE_TITLE, variables: { id: OVERHEAD_UNIT, title: `Benchmark welding, revision ${revision}` } },
        { authorization: `Bearer ${token}` },
      );
      if (json.errors) throw new Error(`write failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
      acknowledged = revision;
      result.writes += 1;
      await new Promise((resolve) => setTimeout(resolve, WRITE_PAUSE_MS));
    }
  })();
  const reader = async () => {
    while (running) {
      const floor = acknowledged;
      const started = performance.now();
      const { json, cache } = await post({ query: READ_TITLE, variables: { id: OVERHEAD_UNIT } });
      latencies.push(performance.now() - started);
      result.reads += 1;
      if (cache === 'hit') result.hits += 1;
      if (revisionOf(json.data?.unit?.title) < floor) result.staleReads += 1;
    }
  };
  const readers = Array.from({ length: MIXED_READERS }, reader);
  await new Promise((resolve) => setTimeout(resolve, MIXED_SECONDS * 1_000));
  running = false;
  await Promise.all([writer, ...readers]);
  await agent.close();
  latencies.sort((a, b) => a - b);
  result.readP50 = percentile(latencies, 50);
  result.readP99 = percentile(latencies, 99);
  return result;
}

/** Issue 11: public reads with the entity cache warm, next to the owning shard and a stock gateway. */
export const entityCache: Scenario = {
  name: 'entity-cache',
  title: 'Entity cache: unit(id) public reads, warm cache vs direct shard vs stock gateway; mixed read/write staleness',
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const tokenSecret = randomBytes(24).toString('base64url');
    const { shard, hub, stock, body } = await startSingleShard(context, context.cleanup, {
      tag: 'entity-cache',
      hubEnv: { HUB_DEMO_TOKEN_SECRET: tokenSecret, NODE_ENV: 'development' },
    });
    const targets: LoadTarget[] = [
      {
        name: 'direct shard',
        url: shard.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [], shard: [shard.pid] },
      },
      {
        name: 'hub, entity cache warm',
        url: hub.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [hub.pid], shard: [shard.pid] },
      },
      {
        name: 'stock @apollo/gateway',
        url: stock.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [stock.pid], shard: [shard.pid] },
      },
    ];
    context.log(
      `  ${targets.length} targets × ${settings.rounds} rounds × ${settings.seconds} s, ${CONNECTIONS} connections (the warm-up fills the cache)`,
    );
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: 2,
      log: context.log,
    });
    const get = (name: string) => summaries.get(name) as Summary;
    const direct = get('direct shard');
    const cached = get('hub, entity cache warm');
    const viaStock = get('stock @apollo/gateway');

    context.log(`  mixed run: ${MIXED_READERS} readers and one writer through the hub for ${MIXED_SECONDS} s`);
    const token = await mintDemoToken({
      institution: OVERHEAD_INSTITUTION,
      roles: ['coordinator'],
      secret: tokenSecret,
    });
    const mixed = await mixedRun(hub.url, token);
    context.log(
      `  mixed run: ${mixed.reads} reads (${mixed.hits} hits), ${mixed.writes} writes, ${mixed.staleReads} stale reads`,
    );

    const row = singleShardRow(direct);
    const cachedVsDirect = cached.rps / direct.rps;
    return {
      settings: {
        query: `unit(id: "${OVERHEAD_UNIT}") with 6 learning outcomes`,
        connections: CONNECTIONS,
        rounds: settings.rounds,
        secondsPerRun: settings.seconds,
        mixed: { seconds: MIXED_SECONDS, readers: MIXED_READERS, writePauseMs: WRITE_PAUSE_MS },
      },
      tables: [
        {
          caption: 'unit(id), entity cache warm — medians over rounds',
          columns: SINGLE_SHARD_COLUMNS,
          rows: [
            row('direct shard', direct),
            row('hub, entity cache warm', cached),
            row('stock @apollo/gateway', viaStock),
          ],
        },
        {
          caption: `mixed run: ${MIXED_READERS} readers, one writer (a write every ${WRITE_PAUSE_MS} ms after the last was acknowledged), ${MIXED_SECONDS} s`,
          columns: ['reads', 'cache hits', 'writes', 'stale reads', 'read p50 ms', 'read p99 ms'],
          rows: [
            [
              fmt.int(mixed.reads),
              `${fmt.int(mixed.hits)} (${fmt.num((100 * mixed.hits) / Math.max(mixed.reads, 1), 0)} %)`,
              fmt.int(mixed.writes),
              String(mixed.staleReads),
              fmt.ms(mixed.readP50),
              fmt.ms(mixed.readP99),
            ],
          ],
        },
      ],
      targets: [
        {
          target: 'hub with the entity cache warm ≥ 1.0× direct shard requests/s',
          measured: fmt.ratio(cachedVsDirect),
          met: cachedVsDirect >= 1,
        },
        {
          target: 'mixed read/write run: 0 reads older than the last acknowledged write',
          measured: String(mixed.staleReads),
          met: mixed.staleReads === 0,
        },
      ],
      notes: [
        'This hub runs with NODE_ENV=development so that the mixed run can write with a demo token (production refuses them); nothing on the read path differs.',
        'The cache answers the shard call for unit(id) without reaching the shard; the hub still parses, validates, plans and executes the operation (the shard CPU column shows what is left at the shard).',
        'Reads in the mixed run are checked against the last write acknowledged before they were sent: a write through the hub drops the entries it changed before its answer goes back.',
      ],
      raw: { ...Object.fromEntries(summaries), mixed },
    };
  },
};
