import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { HubContext } from '../../gateway/context';
import { createShardClients } from '../../gateway/routing/shard-client';
import { projectRoot } from '../../platform/project-root';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { median } from '../lib/load';
import { baselineDistFile, startReplayShards, startShards } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNIT_BY_ID, UNITS_EQF4 } from '../queries';
import { OVERHEAD_INSTITUTION, OVERHEAD_UNIT } from './single-shard';

const CONCURRENCY = 10;
const HUB_CLIENT = 'hub shard client (undici Pool.request, signed)';
const BASELINE_CLIENT = "BENCH_BASELINE's hub shard client";

interface ClientRun {
  calls: number;
  callsPerSecond: number;
  cpuUsPerCall: number;
  p50: number;
}

/** What the clients send: a unit with its outcomes, and a page of 20 units (what each shard of a fan-out answers). */
const CALLS: Array<{ name: string; query: string; variables: Record<string, unknown> }> = [
  { name: `unit(id: "${OVERHEAD_UNIT}")`, query: UNIT_BY_ID, variables: { id: OVERHEAD_UNIT } },
  { name: 'units(filter: { eqfLevel: 4 }, first: 20)', query: UNITS_EQF4, variables: {} },
];
type Call = (typeof CALLS)[number];

/** Calls `source.process` with `concurrency` calls in flight for `seconds`; CPU is this process's own. */
async function drive(
  source: GraphQLDataSource<HubContext>,
  call: Call,
  seconds: number,
  concurrency: number,
): Promise<ClientRun> {
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (Date.now() < deadline) {
      // What the gateway hands a data source; the request context is a stub (RemoteGraphQLDataSource only
      // reads its cache policy, absent here), hence the cast.
      const options = {
        kind: 'incoming operation',
        request: { query: call.query, variables: call.variables },
        context: { requestId: 'bench', caller: null, receivedAt: performance.now() },
        incomingRequestContext: {},
      } as unknown as GraphQLDataSourceProcessOptions<HubContext>;
      const t0 = process.hrtime.bigint();
      const answer = await source.process(options);
      if (!answer.data || answer.errors)
        throw new Error(`shard call failed: ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    calls: latencies.length,
    callsPerSecond: latencies.length / elapsed,
    cpuUsPerCall: (cpu.user + cpu.system) / latencies.length,
    p50: median(latencies),
  };
}

/**
 * The transport, isolated: CPU per shard call of the hub's shard client (undici Pool.request, signed) and of
 * stock RemoteGraphQLDataSource, against a replaying shard (so the shard's own work is out of the picture), with
 * BENCH_BASELINE's shard client beside them. All run in the bench process, in turns.
 */
export const shardClient: Scenario = {
  name: 'shard-client',
  title: 'Shard client: CPU per shard call (hub client vs stock RemoteGraphQLDataSource)',
  estimate: '~40 s (~1 min with BENCH_BASELINE)',
  async run(context) {
    const { settings } = context;
    const dir = join(context.tmp, 'shard-client');
    mkdirSync(dir, { recursive: true });
    const [shard] = await startShards(
      context.cleanup,
      [
        {
          institution: OVERHEAD_INSTITUTION,
          databaseUrl: `sqlite:${join(dir, 'rvt.lv.sqlite')}`,
          seedFile: join(projectRoot(), 'demo', 'institutions', `${OVERHEAD_INSTITUTION}.json`),
        },
      ],
      context.hopKeys.publicKeys,
    );
    if (!shard) throw new Error('shard did not start');
    const replay = await startReplayShards(context.cleanup, [shard.url]);
    const url = replay.urls[0] ?? '';
    const shardInfo = { institution: OVERHEAD_INSTITUTION, kind: 'qualifications', url };
    // Every call sent: the hub's client would otherwise share identical calls in flight, and this measures a call.
    const options = { timeoutMs: 5_000, connectionsPerShard: 32, hopKey: context.hopKeys.key, shareInflight: false };
    const hubClients = createShardClients(options);
    context.cleanup.add('close the hub shard client', () => hubClients.close());
    const clients: Array<[string, GraphQLDataSource<HubContext>]> = [
      [HUB_CLIENT, hubClients.sourceFor(shardInfo)],
      ['stock RemoteGraphQLDataSource (default fetcher, unsigned)', new RemoteGraphQLDataSource<HubContext>({ url })],
    ];
    const baselineFile = baselineDistFile('gateway', 'routing', 'shard-client.js');
    if (baselineFile) {
      const baseline = (await import(baselineFile)) as typeof import('../../gateway/routing/shard-client');
      const baselineClients = baseline.createShardClients(options);
      context.cleanup.add("close BENCH_BASELINE's shard client", () => baselineClients.close());
      clients.push([BASELINE_CLIENT, baselineClients.sourceFor(shardInfo)]);
    }
    const runs = new Map<string, ClientRun[]>();
    const key = (client: string, call: Call) => `${client} · ${call.name}`;
    for (const call of CALLS) {
      for (const [name, source] of clients) {
        runs.set(key(name, call), []);
        await drive(source, call, 1, CONCURRENCY); // warm-up; records the replies
      }
    }
    const seconds = runSeconds(settings, 0.4);
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const call of CALLS) {
        for (let i = 0; i < clients.length; i += 1) {
          const [name, source] = clients[(i + round) % clients.length] as [string, GraphQLDataSource<HubContext>];
          const run = await drive(source, call, seconds, CONCURRENCY);
          runs.get(key(name, call))?.push(run);
          context.log(
            `  round ${round + 1}/${settings.rounds} ${call.name.slice(0, 24).padEnd(24)} ${name.slice(0, 40).padEnd(40)} ${run.callsPerSecond.toFixed(0).padStart(6)} calls/s  ${run.cpuUsPerCall.toFixed(0)} µs CPU/call`,
          );
        }
      }
    }
    const summary = (name: string, call: Call) => {
      const list = runs.get(key(name, call)) ?? [];
      return {
        cps: median(list.map((r) => r.callsPerSecond)),
        cpu: median(list.map((r) => r.cpuUsPerCall)),
        p50: median(list.map((r) => r.p50)),
      };
    };
    return {
      settings: {
        calls: CALLS.map((call) => call.name).join('; ') + ', to a replaying shard',
        concurrency: CONCURRENCY,
        rounds: settings.rounds,
        secondsPerRun: seconds,
        baseline: baselineFile ? 'BENCH_BASELINE' : 'none',
      },
      tables: [
        {
          caption: 'one shard call, medians over rounds (CPU: the calling process only)',
          columns: ['call', 'client', 'calls/s', 'p50 ms', 'CPU µs/call', '× hub client CPU'],
          rows: CALLS.flatMap((call) => {
            const hub = summary(HUB_CLIENT, call);
            return clients.map(([name]) => {
              const s = summary(name, call);
              return [call.name, name, fmt.int(s.cps), fmt.ms(s.p50), fmt.int(s.cpu), fmt.ratio(s.cpu / hub.cpu)];
            });
          }),
        },
      ],
      targets: [],
      notes: [
        'A hub request makes one such call per shard it reaches, so this CPU is paid per shard of a fan-out.',
        ...(baselineFile
          ? [
              `${BASELINE_CLIENT} is dist/gateway/routing/shard-client.js of that checkout, loaded into the bench process.`,
            ]
          : []),
      ],
      raw: Object.fromEntries(runs),
    };
  },
};
