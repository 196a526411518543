import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { HubContext } from '../../gateway/context';
import { createShardClients } from '../../gateway/routing/shard-client';
import { projectRoot } from '../../platform/project-root';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { median } from '../lib/load';
import { startReplayShards, startShards } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNIT_BY_ID } from '../queries';
import { OVERHEAD_INSTITUTION, OVERHEAD_UNIT } from './single-shard';

const CONCURRENCY = 10;

interface ClientRun {
  calls: number;
  callsPerSecond: number;
  cpuUsPerCall: number;
  p50: number;
}

/** Calls `source.process` with `concurrency` calls in flight for `seconds`; CPU is this process's own. */
async function drive(source: GraphQLDataSource<HubContext>, seconds: number, concurrency: number): Promise<ClientRun> {
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
        request: { query: UNIT_BY_ID, variables: { id: OVERHEAD_UNIT } },
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
 * stock RemoteGraphQLDataSource, against a replaying shard (so the shard's own work is out of the picture).
 * Both run in the bench process, one after another.
 */
export const shardClient: Scenario = {
  name: 'shard-client',
  title: 'Shard client: CPU per shard call (hub client vs stock RemoteGraphQLDataSource)',
  estimate: '~40 s',
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
    const hubClients = createShardClients({ timeoutMs: 5_000, connectionsPerShard: 32, hopKey: context.hopKeys.key });
    context.cleanup.add('close the hub shard client', () => hubClients.close());
    const clients: Array<[string, GraphQLDataSource<HubContext>]> = [
      ['hub shard client (undici Pool.request, signed)', hubClients.sourceFor(shardInfo)],
      ['stock RemoteGraphQLDataSource (default fetcher, unsigned)', new RemoteGraphQLDataSource<HubContext>({ url })],
    ];
    for (const [, source] of clients) await drive(source, 1, CONCURRENCY); // warm-up; records the replies
    const seconds = runSeconds(settings, 0.4);
    const runs = new Map<string, ClientRun[]>(clients.map(([name]) => [name, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (let i = 0; i < clients.length; i += 1) {
        const [name, source] = clients[(i + round) % clients.length] as [string, GraphQLDataSource<HubContext>];
        const run = await drive(source, seconds, CONCURRENCY);
        runs.get(name)?.push(run);
        context.log(
          `  round ${round + 1}/${settings.rounds} ${name.slice(0, 40).padEnd(40)} ${run.callsPerSecond.toFixed(0).padStart(6)} calls/s  ${run.cpuUsPerCall.toFixed(0)} µs CPU/call`,
        );
      }
    }
    const summary = (name: string) => {
      const list = runs.get(name) ?? [];
      return {
        cps: median(list.map((r) => r.callsPerSecond)),
        cpu: median(list.map((r) => r.cpuUsPerCall)),
        p50: median(list.map((r) => r.p50)),
      };
    };
    const hubName = clients[0]?.[0] ?? '';
    const hub = summary(hubName);
    return {
      settings: {
        call: `unit(id: "${OVERHEAD_UNIT}") to a replaying shard`,
        concurrency: CONCURRENCY,
        rounds: settings.rounds,
        secondsPerRun: seconds,
      },
      tables: [
        {
          caption: 'one shard call, medians over rounds (CPU: the calling process only)',
          columns: ['client', 'calls/s', 'p50 ms', 'CPU µs/call', '× hub client CPU'],
          rows: clients.map(([name]) => {
            const s = summary(name);
            return [name, fmt.int(s.cps), fmt.ms(s.p50), fmt.int(s.cpu), fmt.ratio(s.cpu / hub.cpu)];
          }),
        },
      ],
      targets: [],
      notes: ['A hub request makes one such call per shard it reaches, so this CPU is paid per shard of a fan-out.'],
      raw: Object.fromEntries(runs),
    };
  },
};
