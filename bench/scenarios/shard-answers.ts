import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { openQualificationsDatabase } from '../../subgraphs/qualifications';
import { createShardReader } from '../../gateway/catalogue/shard-reader';
import type { Scenario } from '../lib/context';
import { benchInstitution, bulkSeed, loadTemplates, scaledData } from '../lib/data';
import { positive } from '../lib/env';
import { alternate, expectData, median, requestBody, type Summary } from '../lib/load';
import { baselineShardEntry, cpuMs, startShards, type Service } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNIT_BY_ID } from '../queries';

const THIS_BUILD = "this build's shard";
const BASELINE = "BENCH_BASELINE's shard";
/** Whole reads of each shard per round: a read is a second or so, so one alone is noisy. */
const READS_PER_ROUND = 3;

interface Read {
  ms: number;
  shardCpuMs: number;
}

/**
 * What a shard's own answers cost it, the shard called directly (no hub): the catalogue's whole read of an
 * institution of BENCH_SHARD_UNITS units (the hub's own reader, page by page as the catalogue asks), and `unit(id)`
 * with its learning outcomes under load, on SQLite and on MariaDB. With BENCH_BASELINE, another build's shard on the
 * same data runs beside this build's, in alternating rounds, and all must answer the same.
 */
export const shardAnswers: Scenario = {
  name: 'shard-answers',
  title: "A shard's own answers: the catalogue's whole read of an institution, and unit(id), at the shard",
  estimate: '~2.5 min (twice as long with BENCH_BASELINE)',
  async run(context) {
    const { settings } = context;
    const units = Math.round(positive('BENCH_SHARD_UNITS', 2_000));
    const templates = loadTemplates();
    const data = scaledData(templates, 1, units);
    const institution = benchInstitution(templates, 1).code;
    const baselineEntry = baselineShardEntry();
    const builds = [
      { build: THIS_BUILD, entry: undefined },
      ...(baselineEntry ? [{ build: BASELINE, entry: baselineEntry }] : []),
    ];
    const dir = join(context.tmp, 'shard-answers');
    mkdirSync(dir, { recursive: true });
    // MariaDB databases of this scenario, dropped at its end (and first, if an interrupted run left them).
    const mariadbNames = builds.map((_, index) => `bench_shard_answers_${index}`);
    const admin = await createConnection({ uri: `${settings.mysqlUrl}/` });
    context.cleanup.add('close the MariaDB admin connection', () => admin.end());
    const dropAll = async () => {
      for (const name of mariadbNames) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    };
    await dropAll();
    context.cleanup.add(`drop databases ${mariadbNames.join(', ')}`, dropAll);
    for (const name of mariadbNames) await admin.query(`CREATE DATABASE \`${name}\``);
    const engines = [
      { engine: 'SQLite', urlOf: (index: number) => `sqlite:${join(dir, `shard-${index}.sqlite`)}` },
      { engine: 'MariaDB', urlOf: (index: number) => `${settings.mysqlUrl}/${mariadbNames[index] ?? ''}` },
    ];
    // One database each, seeded alike: two shards never share a database's locks or caches.
    const sides: Array<{ name: string; engine: string; build: string; shard: Service }> = [];
    for (const { engine, urlOf } of engines) {
      for (const [index, { build, entry }] of builds.entries()) {
        const databaseUrl = urlOf(index);
        const db = await openQualificationsDatabase(databaseUrl);
        try {
          await bulkSeed(db, data);
        } finally {
          await db.close();
        }
        const [shard] = await startShards(
          context.cleanup,
          [{ institution, databaseUrl, ...(entry ? { entry } : {}) }],
          context.hopKeys.publicKeys,
        );
        if (!shard) throw new Error(`${build} on ${engine} did not start`);
        sides.push({ name: `${build}, ${engine}`, engine, build, shard });
      }
    }
    context.log(`  ${sides.length} shards of ${fmt.int(units)} units started`);

    const reader = createShardReader({ hopKey: context.hopKeys.key, timeoutMs: 60_000 });
    const readWhole = async (shard: Service): Promise<{ read: Read; part: string }> => {
      const cpuBefore = cpuMs(shard.pid) ?? Number.NaN;
      const start = performance.now();
      const part = await reader.readInstitution({ institution, kind: 'qualifications', url: shard.url });
      const ms = performance.now() - start;
      const shardCpuMs = (cpuMs(shard.pid) ?? Number.NaN) - cpuBefore;
      if (part.units.length !== units) throw new Error(`a whole read gave ${part.units.length} units, not ${units}`);
      return { read: { ms, shardCpuMs }, part: JSON.stringify(part) };
    };
    // All answer the same (the first read of each also warms it up).
    const parts: string[] = [];
    for (const side of sides) parts.push((await readWhole(side.shard)).part);
    if (new Set(parts).size !== 1) throw new Error('the shards answered the whole read differently');

    const reads = new Map<string, Read[]>(sides.map((side) => [side.name, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (let i = 0; i < sides.length; i += 1) {
        const { name, shard } = sides[(i + round) % sides.length] as (typeof sides)[number];
        for (let n = 0; n < READS_PER_ROUND; n += 1) {
          const { read } = await readWhole(shard);
          reads.get(name)?.push(read);
          context.log(
            `  round ${round + 1}/${settings.rounds} whole read, ${name.padEnd(33)} ${fmt.int(read.ms)} ms, shard CPU ${fmt.int(read.shardCpuMs)} ms`,
          );
        }
      }
    }

    const unitId = `${institution}:${data.units[0]?.id ?? ''}`;
    const body = requestBody(UNIT_BY_ID, { id: unitId });
    const answers = await Promise.all(
      sides.map(({ name, shard }) => expectData(shard.url, body, `unit(id) at ${name}`)),
    );
    if (new Set(answers.map((answer) => JSON.stringify(answer))).size !== 1)
      throw new Error('the shards answered unit(id) differently');
    const loads = await alternate(
      sides.map(({ name, shard }) => ({
        name,
        url: shard.url,
        body,
        connections: 10,
        processes: { shard: [shard.pid] },
      })),
      { rounds: settings.rounds, seconds: settings.seconds, warmupSeconds: 2, log: context.log },
    );

    const readOf = (name: string) => {
      const list = reads.get(name) ?? [];
      return { ms: median(list.map((r) => r.ms)), cpu: median(list.map((r) => r.shardCpuMs)) };
    };
    const loadOf = (name: string) => loads.get(name) as Summary;
    /** The side this build's figures on the same engine are in. */
    const thisBuildOn = (engine: string) => `${THIS_BUILD}, ${engine}`;
    // Pages of up to 100 of each list (the catalogue asks for fewer only when its items are large).
    const pages = Math.ceil(units / 100) + Math.ceil(data.qualifications.length / 100);
    return {
      settings: {
        units,
        outcomesPerUnit: 6,
        rounds: settings.rounds,
        readsPerRound: READS_PER_ROUND,
        secondsPerLoad: settings.seconds,
        baseline: baselineEntry ? 'BENCH_BASELINE' : 'none',
      },
      tables: [
        {
          caption: `the catalogue's whole read of one institution (${fmt.int(units)} units and ${fmt.int(data.qualifications.length)} qualifications, ${pages} pages), the hub's own reader against the shard, one read at a time; medians of ${settings.rounds * READS_PER_ROUND} reads`,
          columns: ['shard', 'read ms', 'shard CPU ms', 'shard CPU ms per page', '× this build'],
          rows: sides.map(({ name, engine }) => {
            const read = readOf(name);
            return [
              name,
              fmt.int(read.ms),
              fmt.int(read.cpu),
              fmt.ms(read.cpu / pages),
              fmt.ratio(read.cpu / readOf(thisBuildOn(engine)).cpu),
            ];
          }),
        },
        {
          caption: `unit(id) with its six learning outcomes at the shard, 10 connections, medians of ${settings.rounds} rounds of ${settings.seconds} s`,
          columns: ['shard', 'req/s', 'p50 ms', 'p99 ms', 'shard CPU ms/req', '× this build', 'errors'],
          rows: sides.map(({ name, engine }) => {
            const load = loadOf(name);
            const cpu = load.cpuMsPerRequest.shard ?? Number.NaN;
            const thisLoad = loadOf(thisBuildOn(engine));
            return [
              name,
              fmt.int(load.rps),
              fmt.ms(load.p50),
              fmt.ms(load.p99),
              fmt.ms(cpu),
              fmt.ratio(cpu / (thisLoad.cpuMsPerRequest.shard ?? Number.NaN)),
              String(load.errors + load.sizeMismatches),
            ];
          }),
        },
      ],
      targets: [],
      notes: [
        'Each shard on a database of its own, seeded alike: SQLite (the default) and MariaDB (BENCH_MYSQL_URL, databases bench_shard_answers_<n>). The bench process reads them, so "shard CPU" is the shard process\'s alone (MariaDB\'s own CPU is not in it); "× this build" compares it with this build\'s shard on the same engine.',
        ...(baselineEntry
          ? [
              "BENCH_BASELINE's shard is dist/subgraphs/qualifications/main.js of that checkout; all shards answered the whole read and unit(id) with the same JSON before they were timed.",
            ]
          : []),
      ],
      raw: { reads: Object.fromEntries(reads), loads: Object.fromEntries(loads) },
    };
  },
};
