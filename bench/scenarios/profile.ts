import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../platform/project-root';
import type { Scenario } from '../lib/context';
import { summarizeProfile, type ProfileSummary } from '../lib/cpu-profile';
import { runLoad } from '../lib/load';
import { startHiveGateway } from '../lib/processes';
import { fmt } from '../lib/report';
import { startSingleShard } from './single-shard';

const CONNECTIONS = 10;
const SIDES = ['hub', 'stock', 'hive'] as const;
type Side = (typeof SIDES)[number];

function newestProfile(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) throw new Error(`no .cpuprofile in ${dir}: did the process exit cleanly?`);
  return files[0];
}

/**
 * Scenario-1 load on the hub and on the stock gateway, each under `--cpu-prof`: where does the gateway
 * process spend its CPU? Profiles are kept under bench/tmp/profiles/ (open them in Chrome DevTools).
 */
export const profile: Scenario = {
  name: 'profile',
  title: 'CPU profile of the hub (and the stock gateway, Hive Gateway) under the hub-overhead load',
  estimate: '~30 s',
  async run(context) {
    const { settings } = context;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dirs = {
      hub: join(projectRoot(), 'bench', 'tmp', 'profiles', `${stamp}-hub`),
      stock: join(projectRoot(), 'bench', 'tmp', 'profiles', `${stamp}-stock`),
      hive: join(projectRoot(), 'bench', 'tmp', 'profiles', `${stamp}-hive`),
    };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    const { hub, stock, body, shardSupergraphPath } = await startSingleShard(context, context.cleanup, {
      tag: 'profile',
      hubNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.hub}`],
      stockNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.stock}`],
      // The routing path is what is profiled: with the cache on, no request would reach the shard.
      hubEnv: { ENTITY_CACHE: 'off' },
    });
    const hive = await startHiveGateway(context.cleanup, {
      supergraphPath: shardSupergraphPath,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.hive}`],
    });
    const runs: Record<string, { rps: number; p50: number; requests: number; fromUs: number; toUs: number }> = {};
    const nowUs = () => Number(process.hrtime.bigint() / 1000n);
    for (const [name, service] of [
      ['hub', hub],
      ['stock', stock],
      ['hive', hive],
    ] as const) {
      await runLoad({ name, url: service.url, body, connections: CONNECTIONS }, 2);
      const fromUs = nowUs();
      const stats = await runLoad({ name, url: service.url, body, connections: CONNECTIONS }, settings.seconds);
      runs[name] = { rps: stats.rps, p50: stats.p50, requests: stats.requests, fromUs, toUs: nowUs() };
      context.log(`  ${name} under --cpu-prof: ${stats.rps.toFixed(0)} req/s, p50 ${stats.p50.toFixed(2)} ms`);
    }
    await hub.stop(); // SIGTERM: the process exits and writes its profile
    await stock.stop();
    await hive.stop();
    const windowOf = (side: Side) => {
      const run = runs[side];
      return run ? { fromUs: run.fromUs, toUs: run.toUs } : undefined;
    };
    const summaries: Record<Side, ProfileSummary> = {
      hub: summarizeProfile(newestProfile(dirs.hub), 25, windowOf('hub')),
      stock: summarizeProfile(newestProfile(dirs.stock), 15, windowOf('stock')),
      hive: summarizeProfile(newestProfile(dirs.hive), 15, windowOf('hive')),
    };
    const groups = new Map<string, Record<Side, number>>();
    for (const side of SIDES) {
      for (const g of summaries[side].groups) {
        const entry = groups.get(g.group) ?? { hub: 0, stock: 0, hive: 0 };
        entry[side] = g.ms;
        groups.set(g.group, entry);
      }
    }
    // Per request: over the measured run when the window applied, else over warm-up + run (and start-up).
    const requests = (side: Side) =>
      (runs[side]?.requests ?? Number.NaN) * (summaries[side].windowed ? 1 : (settings.seconds + 2) / settings.seconds);
    const perRequest = (ms: number, side: Side) => (1000 * ms) / requests(side);
    const groupRows = [...groups.entries()]
      .sort((a, b) => b[1].hub + b[1].hive - (a[1].hub + a[1].hive))
      .slice(0, 22)
      .map(([group, ms]) => [
        group,
        ...SIDES.flatMap((side) => [
          fmt.num((100 * ms[side]) / summaries[side].busyMs, 1),
          fmt.num(perRequest(ms[side], side), 1),
        ]),
      ]);
    return {
      settings: {
        load: `hub-overhead query, ${CONNECTIONS} connections, 2 s warm-up + ${settings.seconds} s, each gateway under --cpu-prof`,
        profiles: `bench/tmp/profiles/${stamp}-{hub,stock,hive}/`,
      },
      tables: [
        {
          caption: `self time by package (% of the busy time; µs per request)${summaries.hub.windowed ? ' — samples of the measured run only' : ' — whole profile, start-up included'}`,
          columns: ['package / area', 'hub %', 'hub µs/req', 'stock %', 'stock µs/req', 'Hive %', 'Hive µs/req'],
          rows: groupRows,
        },
        {
          caption: 'hub: top functions by self time',
          columns: ['function', 'where', '% busy', 'ms'],
          rows: summaries.hub.functions.map((f) => [f.name, f.location, fmt.num(f.percent, 1), fmt.num(f.ms, 0)]),
        },
        {
          caption: 'stock @apollo/gateway: top functions by self time',
          columns: ['function', 'where', '% busy', 'ms'],
          rows: summaries.stock.functions.map((f) => [f.name, f.location, fmt.num(f.percent, 1), fmt.num(f.ms, 0)]),
        },
        {
          caption: 'Hive Gateway: top functions by self time',
          columns: ['function', 'where', '% busy', 'ms'],
          rows: summaries.hive.functions.map((f) => [f.name, f.location, fmt.num(f.percent, 1), fmt.num(f.ms, 0)]),
        },
      ],
      targets: [],
      notes: [
        `Under the profiler: hub ${fmt.int(runs.hub?.rps ?? Number.NaN)} req/s, stock ${fmt.int(runs.stock?.rps ?? Number.NaN)} req/s, Hive Gateway ${fmt.int(runs.hive?.rps ?? Number.NaN)} req/s (profiling slows them all; compare shapes, not totals).`,
        `Busy time: hub ${fmt.num(summaries.hub.busyMs / 1000, 1)} s, stock ${fmt.num(summaries.stock.busyMs / 1000, 1)} s, Hive Gateway ${fmt.num(summaries.hive.busyMs / 1000, 1)} s of ${fmt.num(summaries.hub.totalMs / 1000, 1)} s sampled.`,
        'Hive Gateway (production mode) is profiled on the same one-subgraph supergraph as the stock gateway.',
      ],
      raw: { runs, summaries },
    };
  },
};
