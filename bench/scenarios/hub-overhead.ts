import type { Scenario } from '../lib/context';
import { alternate, type LoadTarget, type Summary } from '../lib/load';
import { fmt } from '../lib/report';
import { OVERHEAD_UNIT, startSingleShard } from './single-shard';

const CONNECTIONS = 10;
const PROTOTYPE = 'hub, prototype shard client';

/** Scenario 1: what the hub costs over calling the owning shard directly, and over a stock Apollo gateway. */
export const hubOverhead: Scenario = {
  name: 'hub-overhead',
  title: 'Hub overhead: unit(id) with its learning outcomes',
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const { shard, hub, stock, prototype, body } = await startSingleShard(context, context.cleanup, { tag: 'hub-overhead', prototype: true });
    if (!prototype) throw new Error('prototype hub did not start');
    const targets: LoadTarget[] = [
      { name: 'direct shard', url: shard.url, body, connections: CONNECTIONS, processes: { gateway: [], shard: [shard.pid] } },
      { name: 'hub', url: hub.url, body, connections: CONNECTIONS, processes: { gateway: [hub.pid], shard: [shard.pid] } },
      { name: 'stock @apollo/gateway', url: stock.url, body, connections: CONNECTIONS, processes: { gateway: [stock.pid], shard: [shard.pid] } },
      { name: PROTOTYPE, url: prototype.url, body, connections: CONNECTIONS, processes: { gateway: [prototype.pid], shard: [shard.pid] } },
    ];
    context.log(`  ${targets.length} targets × ${settings.rounds} rounds × ${settings.seconds} s, ${CONNECTIONS} connections`);
    const summaries = await alternate(targets, { rounds: settings.rounds, seconds: settings.seconds, warmupSeconds: 2, log: context.log });
    const get = (name: string) => summaries.get(name) as Summary;
    const direct = get('direct shard');
    const viaHub = get('hub');
    const viaStock = get('stock @apollo/gateway');
    const viaPrototype = get(PROTOTYPE);
    const row = (name: string, s: Summary) => [
      name,
      fmt.int(s.rps),
      fmt.ms(s.p50),
      fmt.ms(s.p99),
      fmt.ratio(s.rps / direct.rps),
      fmt.ms(s.cpuMsPerRequest.gateway ?? Number.NaN),
      fmt.ms(s.cpuMsPerRequest.shard ?? Number.NaN),
      String(s.errors + s.sizeMismatches),
    ];
    const hubVsDirect = viaHub.rps / direct.rps;
    const hubVsStock = viaHub.rps / viaStock.rps;
    return {
      settings: { query: `unit(id: "${OVERHEAD_UNIT}") with 6 learning outcomes`, connections: CONNECTIONS, rounds: settings.rounds, secondsPerRun: settings.seconds, warmupSeconds: 2 },
      tables: [
        {
          caption: 'unit(id) — medians over rounds',
          columns: ['target', 'req/s', 'p50 ms', 'p99 ms', '× direct req/s', 'gateway CPU ms/req', 'shard CPU ms/req', 'errors'],
          rows: [row('direct shard', direct), row('hub', viaHub), row('stock @apollo/gateway', viaStock), row(`${PROTOTYPE} (bench prototype)`, viaPrototype)],
        },
        {
          caption: 'ratios',
          columns: ['ratio', 'req/s', 'p50', 'p99'],
          rows: [
            ['hub / direct shard', fmt.ratio(hubVsDirect), fmt.ratio(viaHub.p50 / direct.p50), fmt.ratio(viaHub.p99 / direct.p99)],
            ['hub / stock @apollo/gateway', fmt.ratio(hubVsStock), fmt.ratio(viaHub.p50 / viaStock.p50), fmt.ratio(viaHub.p99 / viaStock.p99)],
            ['stock / direct shard', fmt.ratio(viaStock.rps / direct.rps), fmt.ratio(viaStock.p50 / direct.p50), fmt.ratio(viaStock.p99 / direct.p99)],
            ['prototype hub / direct shard', fmt.ratio(viaPrototype.rps / direct.rps), fmt.ratio(viaPrototype.p50 / direct.p50), fmt.ratio(viaPrototype.p99 / direct.p99)],
            ['prototype hub / stock', fmt.ratio(viaPrototype.rps / viaStock.rps), fmt.ratio(viaPrototype.p50 / viaStock.p50), fmt.ratio(viaPrototype.p99 / viaStock.p99)],
          ],
        },
      ],
      targets: [
        { target: 'hub ≥ 0.5× direct shard requests/s', measured: fmt.ratio(hubVsDirect), met: hubVsDirect >= 0.5 },
        { target: 'hub ≥ 0.9× stock @apollo/gateway requests/s', measured: fmt.ratio(hubVsStock), met: hubVsStock >= 0.9 },
      ],
      notes: [
        'All three share the machine with the load generator; on a 2-core machine the gateway and the shard compete for the CPU, so "× direct" is bounded by the CPU each request costs in both processes (see the CPU columns).',
        'The hub signs every hop (HMAC) and the shard verifies it; the stock gateway and the direct calls are unsigned.',
        `"${PROTOTYPE}" is the hub's own entry with one change, measured as a lever and not counted in the targets: shard calls go through undici Pool.request (bench/lib/lean-shard-source.ts) instead of RemoteGraphQLDataSource on undici fetch.`,
      ],
      raw: Object.fromEntries(summaries),
    };
  },
};
