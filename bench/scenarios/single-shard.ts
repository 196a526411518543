import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '../../schema/compose';
import { projectRoot } from '../../platform/project-root';
import type { Cleanup } from '../lib/cleanup';
import type { BenchContext } from '../lib/context';
import { expectData, requestBody, type Summary } from '../lib/load';
import { fmt } from '../lib/report';
import { startHub, startShards, startStockGateway, writeRegistry, type Service } from '../lib/processes';
import { UNIT_BY_ID } from '../queries';

export const OVERHEAD_INSTITUTION = 'rvt.lv';
/** The columns of a single-shard table, and a row of it: figures of one target next to the direct shard's. */
export const SINGLE_SHARD_COLUMNS = [
  'target',
  'req/s',
  'p50 ms',
  'p99 ms',
  '× direct req/s',
  'gateway CPU ms/req',
  'shard CPU ms/req',
  'errors',
];
export function singleShardRow(direct: Summary): (name: string, s: Summary) => string[] {
  return (name, s) => [
    name,
    fmt.int(s.rps),
    fmt.ms(s.p50),
    fmt.ms(s.p99),
    fmt.ratio(s.rps / direct.rps),
    fmt.ms(s.cpuMsPerRequest.gateway ?? Number.NaN),
    fmt.ms(s.cpuMsPerRequest.shard ?? Number.NaN),
    String(s.errors + s.sizeMismatches),
  ];
}
export const OVERHEAD_UNIT = 'rvt.lv:WELD-U3';

export interface SingleShardSetup {
  shard: Service;
  hub: Service;
  stock: Service;
  /** The request all three answer: `unit(id)` with its six learning outcomes. */
  body: string;
  /** The hub's registry (the one shard), for another hub beside it. */
  registryPath: string;
  /** A supergraph of the one subgraph at the shard's URL (what the stock gateway and Hive Gateway serve). */
  shardSupergraphPath: string;
}

/**
 * One demo shard (rvt.lv on SQLite, seeded from its demo file), the hub on a registry of that one
 * institution, and a stock Apollo gateway on a supergraph that names the shard's URL; checked to give the
 * same answer.
 */
export async function startSingleShard(
  context: BenchContext,
  cleanup: Cleanup,
  options: { hubNodeArgs?: string[]; stockNodeArgs?: string[]; tag: string; hubEnv?: Record<string, string> },
): Promise<SingleShardSetup> {
  const root = projectRoot();
  const dir = join(context.tmp, options.tag);
  mkdirSync(dir, { recursive: true });
  const [shard] = await startShards(
    cleanup,
    [
      {
        institution: OVERHEAD_INSTITUTION,
        databaseUrl: `sqlite:${join(dir, 'rvt.lv.sqlite')}`,
        seedFile: join(root, 'demo', 'institutions', `${OVERHEAD_INSTITUTION}.json`),
      },
    ],
    context.hopKeys.publicKeys,
  );
  if (!shard) throw new Error('shard did not start');
  const demo = JSON.parse(readFileSync(join(root, 'demo', 'registry.json'), 'utf8')) as {
    institutions: Array<{ code: string; names: Array<{ lang: string; value: string }>; country: string }>;
  };
  const entry = demo.institutions.find((i) => i.code === OVERHEAD_INSTITUTION);
  if (!entry) throw new Error(`${OVERHEAD_INSTITUTION} is not in demo/registry.json`);
  const registryPath = writeRegistry(dir, 'hub', [
    { code: entry.code, names: entry.names, country: entry.country, shardUrl: shard.url },
  ]);
  const stockSupergraphPath = join(dir, 'stock-supergraph.graphql');
  const sdl = readFileSync(join(root, 'schema', 'qualifications.graphql'), 'utf8');
  writeFileSync(stockSupergraphPath, composeSupergraph([{ name: 'qualifications', sdl, url: shard.url }]));
  const [hub, stock] = await Promise.all([
    startHub(cleanup, {
      name: 'hub',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      ...(options.hubNodeArgs ? { nodeArgs: options.hubNodeArgs } : {}),
      ...(options.hubEnv ? { env: options.hubEnv } : {}),
    }),
    startStockGateway(cleanup, {
      supergraphPath: stockSupergraphPath,
      ...(options.stockNodeArgs ? { nodeArgs: options.stockNodeArgs } : {}),
    }),
  ]);

  const body = requestBody(UNIT_BY_ID, { id: OVERHEAD_UNIT });
  const answers = await Promise.all([shard, hub, stock].map((s) => expectData(s.url, body, `unit(id) via ${s.name}`)));
  const texts = answers.map((a) => JSON.stringify(a));
  if (new Set(texts).size !== 1)
    throw new Error(`the direct shard and the gateways answer differently:\n${texts.join('\n')}`);
  const outcomes = (answers[0]?.unit as { learningOutcomes?: unknown[] } | null)?.learningOutcomes?.length ?? 0;
  if (outcomes !== 6) throw new Error(`${OVERHEAD_UNIT} should have 6 learning outcomes, has ${outcomes}`);
  return { shard, hub, stock, body, registryPath, shardSupergraphPath: stockSupergraphPath };
}
