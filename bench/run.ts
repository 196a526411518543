import './lib/env';
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHopKeyPair } from '../platform/hop-keys';
import { projectRoot } from '../platform/project-root';
import { Cleanup } from './lib/cleanup';
import type { Scenario } from './lib/context';
import { readSettings } from './lib/env';
import { machineInfo, printScenario, writeResults, type ScenarioResult } from './lib/report';
import { catalogueFreshness } from './scenarios/catalogue-freshness';
import { catalogueScale } from './scenarios/catalogue-scale';
import { catalogueBusy } from './scenarios/catalogue-busy';
import { catalogueHostile } from './scenarios/catalogue-hostile';
import { catalogueWrites } from './scenarios/catalogue-writes';
import { dataScale } from './scenarios/data-scale';
import { entityCache } from './scenarios/entity-cache';
import { fanOut } from './scenarios/fan-out';
import { hostileAnswers } from './scenarios/hostile-answers';
import { hubOverhead } from './scenarios/hub-overhead';
import { liveUpdates } from './scenarios/live-updates';
import { nested } from './scenarios/nested';
import { outcomeReview } from './scenarios/outcome-review';
import { overload } from './scenarios/overload';
import { personalRead } from './scenarios/personal-read';
import { profile } from './scenarios/profile';
import { shardAnswers } from './scenarios/shard-answers';
import { shardClient } from './scenarios/shard-client';
import { statistics, statisticsCells } from './scenarios/statistics';
import { wsFlood } from './scenarios/ws-flood';

/**
 * `npm run bench [-- <scenario> …]`: starts what it measures on this machine (shards, the hub, a stock Apollo
 * gateway, MariaDB databases), loads them side by side, prints the figures and writes bench/results/latest.{json,md}.
 */
const SCENARIOS: Scenario[] = [
  hubOverhead,
  personalRead,
  entityCache,
  profile,
  shardClient,
  shardAnswers,
  fanOut,
  nested,
  dataScale,
  catalogueScale,
  catalogueFreshness,
  catalogueWrites,
  catalogueBusy,
  catalogueHostile,
  hostileAnswers,
  liveUpdates,
  wsFlood,
  overload,
  outcomeReview,
  statistics,
  statisticsCells,
];

const USAGE = `usage: npm run bench [-- <scenario> …]

scenarios (default: all, in this order):
${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.title} (${s.estimate})`).join('\n')}

environment:
  BENCH_ROUNDS=3         measuring rounds per target (figures are medians over rounds)
  BENCH_SECONDS=5        seconds of load per target and round
  BENCH_SCALE=30x2000    data-scale: institutions x units per institution (6 outcomes each);
                         statistics, statistics-cells: institutions x learning agreements per institution
  BENCH_FAN_OUT=1,4,16,32  fan-out: shard counts
  BENCH_FAN_OUT_PROFILE=1  fan-out: CPU profile of the replayed hubs, by area (bench/tmp/profiles/)
  BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306  data-scale: MariaDB/MySQL (creates and drops bench_<n>)
  BENCH_INDEX_TRIAL=1    data-scale: also time a FULLTEXT index on one shard (0: skip)
  BENCH_SEED_MINUTES=6   data-scale: give up seeding after this long
  BENCH_CATALOG_URL=postgres://postgres@127.0.0.1:5432/postgres  data-scale, catalogue-scale: PostgreSQL (creates and drops bench_catalogue_*)
  BENCH_CATALOG_SCALE=500x2000  catalogue-scale: institutions x units written straight into each engine
  BENCH_FRESHNESS_SCALE=3x300  catalogue-freshness: institutions x units per institution (SQLite shards; MariaDB
                         with BENCH_MYSQL_URL set)
  BENCH_FRESHNESS_SECONDS=20  catalogue-freshness: seconds of mixed load per catalogue engine
  BENCH_BUSY_SCALE=10x2000  catalogue-busy: institutions x units per institution (SQLite shards)
  BENCH_BUSY_SECONDS=6   catalogue-busy: seconds per phase, build and round (BENCH_BUSY_ROUNDS=3 rounds)
  BENCH_HOSTILE_UNITS=2000  catalogue-hostile: units of the member whose feed restarts at every poll
  BENCH_HOSTILE_SECONDS=120  catalogue-hostile: seconds measured per side, from the member's first read
  BENCH_HOSTILE_ANSWER_SECONDS=30  hostile-answers: seconds of honest reads per side
  BENCH_SUBSCRIBERS=1000 live-updates: open subscriptions
  BENCH_WS_SOCKETS=1000  ws-flood: anonymous sockets
  BENCH_ESCO_FOLDER=…    outcome-review: ESCO CSV files (default third_party/esco)
  BENCH_MAX_MINUTES=15   stop everything after this long
  BENCH_SHARD_UNITS=2000 shard-answers: units of the institution read whole
  BENCH_BASELINE=…       hub-overhead, personal-read, fan-out: also run the hubs of another built checkout (its dist/);
                         catalogue-writes: its catalogue engines; catalogue-busy, catalogue-hostile, hostile-answers:
                         its hub; shard-answers: its qualifications shard`;

/** Settings whose value is a folder of the machine the benchmark ran on. */
const PATH_SETTINGS = new Set(['BENCH_BASELINE', 'BENCH_CATALOG_KEEP', 'BENCH_ESCO_FOLDER']);

function command(args: readonly string[]): string {
  const env = Object.entries(process.env)
    .filter(([key]) => key.startsWith('BENCH_'))
    // Folders (another build's, kept catalogues, ESCO files) are paths of this machine: results name them without it.
    .map(([key, value]) => (PATH_SETTINGS.has(key) ? `${key}=…` : `${key}=${value}`));
  return [...env, 'npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => !SCENARIOS.some((s) => s.name === a));
  if (unknown.length > 0) {
    console.error(`unknown scenario${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n\n${USAGE}`);
    return 64;
  }
  const selected = args.length > 0 ? SCENARIOS.filter((s) => args.includes(s.name)) : SCENARIOS;
  const settings = readSettings();
  const cleanup = new Cleanup();
  const disarm = cleanup.install(settings.maxMinutes);
  const tmp = mkdtempSync(join(tmpdir(), 'ecvet-bench-'));
  cleanup.add(`remove ${tmp}`, async () => rmSync(tmp, { recursive: true, force: true }));
  const root = projectRoot();
  const machine = machineInfo();
  console.log(
    `ECVET hub benchmark — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage}\n` +
      `scenarios: ${selected.map((s) => s.name).join(', ')}; ${settings.rounds} rounds × ${settings.seconds} s per target`,
  );
  if (machine.loadAverage > 1)
    console.log(
      `warning: load average ${machine.loadAverage} > 1 — other work on this machine will make the figures noisy`,
    );

  const fresh: Record<string, ScenarioResult> = {};
  const failed: string[] = [];
  const started = Date.now();
  try {
    for (const scenario of selected) {
      const scope = cleanup.scope(`scenario ${scenario.name}`);
      const dir = join(tmp, scenario.name);
      mkdirSync(dir, { recursive: true });
      const scenarioMachine = machineInfo();
      const t0 = Date.now();
      console.log(`\n▶ ${scenario.name}: ${scenario.title}`);
      try {
        const output = await scenario.run({
          settings,
          cleanup: scope.cleanup,
          tmp: dir,
          hopKeys: await generateHopKeyPair(),
          supergraphPath: join(root, 'schema', 'supergraph.graphql'),
          log: (line) => console.log(line),
        });
        const result: ScenarioResult = {
          name: scenario.name,
          command: command(args),
          title: scenario.title,
          machine: scenarioMachine,
          durationSeconds: (Date.now() - t0) / 1000,
          loadAverageEnd: Number((loadavg()[0] ?? 0).toFixed(2)),
          ...output,
        };
        fresh[scenario.name] = result;
        printScenario(result);
      } catch (error) {
        failed.push(scenario.name);
        console.error(
          scope.cleanup.stopped
            ? `✗ ${scenario.name} stopped`
            : `✗ ${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      } finally {
        await scope.close();
      }
      // Written after every scenario, so a later failure or interruption keeps what was measured.
      if (Object.keys(fresh).length > 0)
        writeResults(
          join(root, 'bench', 'results'),
          command(args),
          fresh,
          SCENARIOS.map((s) => s.name),
        );
    }
  } finally {
    await cleanup.run();
    disarm();
  }
  const minutes = (Date.now() - started) / 60_000;
  console.log(
    `\n${Object.keys(fresh).length} scenario(s) in ${minutes.toFixed(1)} min; results in bench/results/latest.md`,
  );
  if (failed.length > 0) console.error(`failed: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
