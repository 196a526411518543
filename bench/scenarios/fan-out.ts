import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { benchInstitution, loadTemplates, writeFanOutSeed } from '../lib/data';
import { alternate, expectData, requestBody, type LoadTarget, type Summary } from '../lib/load';
import { rssMb, startHub, startReplayShards, startShards, writeRegistry, type Service } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNITS_EQF4 } from '../queries';

const CONNECTIONS = 1;
/** The routing cost: every request reaches every shard (the cached hubs are separate targets). */
const NO_CACHE = { ENTITY_CACHE: 'off' };

/** Scenario 2: a fanned-out list across 1…32 shards — latency should follow the slowest shard, not the count. */
export const fanOut: Scenario = {
  name: 'fan-out',
  title: 'Fan-out: units(filter: { eqfLevel: 4 }, first: 20) across N shards',
  estimate: '~3 min',
  async run(context) {
    const { settings } = context;
    const counts = [...new Set(settings.fanOut)].sort((a, b) => a - b);
    const most = counts.at(-1) ?? 1;
    const dir = join(context.tmp, 'fan-out');
    mkdirSync(dir, { recursive: true });
    const templates = loadTemplates();
    const perShard = templates
      .flatMap((t) => t.qualifications.flatMap((q) => q.units))
      .filter((u) => u.eqfLevel === 4).length;

    const started = Date.now();
    const specs = Array.from({ length: most }, (_, i) => {
      const n = i + 1;
      const code = benchInstitution(templates, n).code;
      return {
        institution: code,
        databaseUrl: `sqlite:${join(dir, `${code}.sqlite`)}`,
        seedFile: writeFanOutSeed(dir, templates, n),
      };
    });
    context.log(`  starting ${most} shard processes (SQLite, seeded from the demo templates)…`);
    const shards = await startShards(context.cleanup, specs, context.hopKeys.publicKeys, 4);
    const startSeconds = (Date.now() - started) / 1000;
    context.log(`  ${most} shards up in ${startSeconds.toFixed(0)} s`);

    const hubs = new Map<number, Service>();
    const registries = new Map<number, string>();
    for (const count of counts) {
      const registryPath = writeRegistry(
        dir,
        `hub-${count}`,
        shards.slice(0, count).map((shard, i) => {
          const institution = benchInstitution(templates, i + 1);
          return {
            code: institution.code,
            names: institution.names,
            country: institution.country,
            shardUrl: shard.url,
          };
        }),
      );
      registries.set(count, registryPath);
      hubs.set(
        count,
        await startHub(context.cleanup, {
          name: `hub over ${count} shards`,
          registryPath,
          supergraphPath: context.supergraphPath,
          hopKeys: context.hopKeys,
          env: NO_CACHE,
        }),
      );
    }
    // The same search through hubs with the entity cache on: each shard's page is answered from the cache once warm.
    const fewest = counts[0] ?? 1;
    const cached = new Map<number, Service>();
    for (const count of new Set([fewest, most])) {
      const registryPath = registries.get(count) as string;
      cached.set(
        count,
        await startHub(context.cleanup, {
          name: `hub over ${count} shards, cache on`,
          registryPath,
          supergraphPath: context.supergraphPath,
          hopKeys: context.hopKeys,
        }),
      );
    }

    const body = requestBody(UNITS_EQF4);
    for (const [count, hub] of [...hubs, ...cached]) {
      const data = await expectData(hub.url, body, `fan-out over ${count}`);
      const units = data.units as { totalCount: number; edges: unknown[] };
      if (units.edges.length !== 20 || units.totalCount !== perShard * count) {
        throw new Error(
          `hub over ${count} shards: expected 20 edges of ${perShard * count}, got ${units.edges.length} of ${units.totalCount}`,
        );
      }
    }
    const firstShard = shards[0] as Service;
    const targets: LoadTarget[] = [
      {
        name: 'shard direct',
        url: firstShard.url,
        body,
        connections: CONNECTIONS,
        processes: { hub: [], shards: [firstShard.pid] },
      },
      ...counts.map((count) => ({
        name: `hub, ${count} shard${count === 1 ? '' : 's'}`,
        url: (hubs.get(count) as Service).url,
        body,
        connections: CONNECTIONS,
        processes: { hub: [(hubs.get(count) as Service).pid], shards: shards.slice(0, count).map((s) => s.pid) },
      })),
      ...[...cached].map(([count, hub]) => ({
        name: `hub, ${count} shard${count === 1 ? '' : 's'}, entity cache warm`,
        url: hub.url,
        body,
        connections: CONNECTIONS,
        processes: { hub: [hub.pid], shards: shards.slice(0, count).map((s) => s.pid) },
      })),
    ];
    const seconds = runSeconds(settings, 0.6);
    context.log(`  ${targets.length} targets × ${settings.rounds} rounds × ${seconds} s, ${CONNECTIONS} connection`);
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds,
      warmupSeconds: 1,
      log: context.log,
    });
    const rss = shards.map((s) => rssMb(s.pid) ?? Number.NaN).filter(Number.isFinite);
    const hubRss = [...hubs.values(), ...cached.values()].map((h) => rssMb(h.pid) ?? Number.NaN);

    // The same hubs' work with the shards' CPU taken out: recorded answers replayed from one process.
    context.log("  replaying shards: the hub over recorded answers (isolates the hub's own cost per shard)");
    const replay = await startReplayShards(
      context.cleanup,
      shards.map((s) => s.url),
    );
    const replayTargets: LoadTarget[] = [];
    for (const count of counts) {
      const registryPath = writeRegistry(
        dir,
        `replay-hub-${count}`,
        replay.urls.slice(0, count).map((url, i) => {
          const institution = benchInstitution(templates, i + 1);
          return { code: institution.code, names: institution.names, country: institution.country, shardUrl: url };
        }),
      );
      const hub = await startHub(context.cleanup, {
        name: `hub over ${count} replayed shards`,
        registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        env: NO_CACHE,
      });
      const data = await expectData(hub.url, body, `fan-out over ${count} replayed shards`); // records the answers
      if ((data.units as { edges: unknown[] }).edges.length !== 20)
        throw new Error(`hub over ${count} replayed shards: expected 20 edges`);
      replayTargets.push({
        name: `hub, ${count} replayed shard${count === 1 ? '' : 's'}`,
        url: hub.url,
        body,
        connections: CONNECTIONS,
        processes: { hub: [hub.pid], shards: [replay.service.pid] },
      });
    }
    const replaySeconds = runSeconds(settings, 0.4);
    const replayed = await alternate(replayTargets, {
      rounds: Math.min(2, settings.rounds),
      seconds: replaySeconds,
      warmupSeconds: 1,
      log: context.log,
    });

    const one = summaries.get(targets[1]?.name ?? '') as Summary;
    const all = summaries.get(targets[counts.length]?.name ?? '') as Summary;
    const ratio = all.p50 / one.p50;
    const cachedAll = summaries.get(targets.at(-1)?.name ?? '') as Summary;
    const cachedRatio = cachedAll.p50 / one.p50;
    const replayOne = replayed.get(replayTargets[0]?.name ?? '') as Summary;
    const replayAll = replayed.get(replayTargets[counts.length - 1]?.name ?? '') as Summary;
    const replayRatio = replayAll.p50 / replayOne.p50;
    const row = (name: string, s: Summary, base: Summary, shardsLabel = '') => [
      name,
      fmt.ms(s.p50),
      fmt.ms(s.p99),
      fmt.int(s.rps),
      fmt.ratio(s.p50 / base.p50),
      fmt.ms(s.cpuMsPerRequest.hub ?? Number.NaN),
      `${fmt.ms(s.cpuMsPerRequest.shards ?? Number.NaN)}${shardsLabel}`,
      String(s.errors + s.sizeMismatches),
    ];
    const columns = [
      'target',
      'p50 ms',
      'p99 ms',
      'req/s',
      'p50 × 1 shard',
      'hub CPU ms/req',
      'shards CPU ms/req',
      'errors',
    ];
    const perShardHubCpu =
      ((replayAll.cpuMsPerRequest.hub ?? Number.NaN) - (replayOne.cpuMsPerRequest.hub ?? Number.NaN)) / (most - 1);
    return {
      settings: {
        query:
          'units(filter: { eqfLevel: 4 }, first: 20) { totalCount edges { cursor node { id title eqfLevel ecvetPoints institution { id name country } } } pageInfo }',
        shards: `${most} processes on SQLite, ${perShard} matching units each (demo templates, codes rewritten to bench-NN.example)`,
        connections: CONNECTIONS,
        rounds: settings.rounds,
        secondsPerRun: seconds,
        replaySecondsPerRun: replaySeconds,
        replayRounds: Math.min(2, settings.rounds),
        shardStartSeconds: Math.round(startSeconds),
      },
      tables: [
        {
          caption: 'real shards — medians over rounds (1 connection: one request at a time)',
          columns,
          rows: targets.map((target) => row(target.name, summaries.get(target.name) as Summary, one)),
        },
        {
          caption:
            "replayed shards: the shards' answers recorded once and replayed from one process, so only the hub works — medians over rounds (1 connection)",
          columns,
          rows: replayTargets.map((target) =>
            row(target.name, replayed.get(target.name) as Summary, replayOne, ' (replay)'),
          ),
        },
      ],
      targets: [
        {
          target: `${most}-shard p50 ≤ 2× 1-shard p50 (real shards)`,
          measured: `${fmt.ratio(ratio)} (${fmt.ms(all.p50)} ms vs ${fmt.ms(one.p50)} ms)`,
          met: ratio <= 2,
        },
        {
          target: `${most}-shard p50 ≤ 2× 1-shard p50 (hub alone, replayed shards)`,
          measured: `${fmt.ratio(replayRatio)} (${fmt.ms(replayAll.p50)} ms vs ${fmt.ms(replayOne.p50)} ms; hub CPU ≈ ${fmt.ms(perShardHubCpu)} ms per extra shard)`,
          // Not the issue's target (that is the real-shard line): the hub's own share, for diagnosis.
          met: null,
        },
        {
          target: `${most}-shard p50 with the entity cache warm ≤ 2× the 1-shard p50 without it`,
          measured: `${fmt.ratio(cachedRatio)} (${fmt.ms(cachedAll.p50)} ms vs ${fmt.ms(one.p50)} ms)`,
          // What a repeated search costs once cached; the issue's target is the routing line above.
          met: null,
        },
      ],
      notes: [
        `All ${most} shards, the hub and the load generator share ${cpus().length} CPU cores: with one request at a time, a ${most}-shard request costs the CPU time of ${most} shard executions plus the hub's merge (the CPU columns), which here run mostly one after another instead of in parallel as on separate shard hosts. The replayed-shard table takes the shards' CPU out and shows the hub's own growth with the shard count.`,
        'The hubs of the routing lines run with ENTITY_CACHE=off, so every request reaches every shard; the "entity cache warm" lines are hubs with the cache on, answering each shard\'s page from the cache once the warm-up filled it.',
        `Shard processes use ${fmt.num(Math.min(...rss), 0)}–${fmt.num(Math.max(...rss), 0)} MB RSS each (${fmt.num(rss.reduce((a, b) => a + b, 0) / 1024, 1)} GB for ${rss.length}); hubs ${hubRss.map((r) => fmt.num(r, 0)).join(' / ')} MB.`,
      ],
      raw: { real: Object.fromEntries(summaries), replayed: Object.fromEntries(replayed) },
    };
  },
};
