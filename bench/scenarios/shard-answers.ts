import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
 * with its learning outcomes under load. With BENCH_BASELINE, another build's shard on the same data runs beside
 * this build's, in alternating rounds, and both must answer the same.
 */
export const shardAnswers: Scenario = {
  name: 'shard-answers',
  title: "A shard's own answers: the catalogue's whole read of an institution, and unit(id), at the shard",
  estimate: '~1.5 min (twice as long with BENCH_BASELINE)',
  async run(context) {
    const { settings } = context;
    const units = Math.round(positive('BENCH_SHARD_UNITS', 2_000));
    const templates = loadTemplates();
    const data = scaledData(templates, 1, units);
    const institution = benchInstitution(templates, 1).code;
    const baselineEntry = baselineShardEntry();
    const sides = [
      { name: THIS_BUILD, entry: undefined },
      ...(baselineEntry ? [{ name: BASELINE, entry: baselineEntry }] : []),
    ];
    const dir = join(context.tmp, 'shard-answers');
    mkdirSync(dir, { recursive: true });
    // One database each, seeded alike: the two processes never share SQLite's locks or page cache.
    const shards: Service[] = [];
    for (const [index, side] of sides.entries()) {
      const databaseUrl = `sqlite:${join(dir, `shard-${index}.sqlite`)}`;
      const db = await openQualificationsDatabase(databaseUrl);
      try {
        await bulkSeed(db, data);
      } finally {
        await db.close();
      }
      const [shard] = await startShards(
        context.cleanup,
        [{ institution, databaseUrl, ...(side.entry ? { entry: side.entry } : {}) }],
        context.hopKeys.publicKeys,
      );
      if (!shard) throw new Error(`${side.name} did not start`);
      shards.push(shard);
    }
    context.log(`  ${sides.length} shard(s) of ${fmt.int(units)} units started`);

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
    // Both answer the same (the first read of each also warms it up).
    const parts = await Promise.all(shards.map(async (shard) => (await readWhole(shard)).part));
    if (new Set(parts).size !== 1) throw new Error("the two builds' shards answered the whole read differently");

    const reads = new Map<string, Read[]>(sides.map((side) => [side.name, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (let i = 0; i < sides.length; i += 1) {
        const index = (i + round) % sides.length;
        const name = sides[index]?.name ?? '';
        for (let n = 0; n < READS_PER_ROUND; n += 1) {
          const { read } = await readWhole(shards[index] as Service);
          reads.get(name)?.push(read);
          context.log(
            `  round ${round + 1}/${settings.rounds} whole read, ${name.padEnd(24)} ${fmt.int(read.ms)} ms, shard CPU ${fmt.int(read.shardCpuMs)} ms`,
          );
        }
      }
    }

    const unitId = `${institution}:${data.units[0]?.id ?? ''}`;
    const body = requestBody(UNIT_BY_ID, { id: unitId });
    const answers = await Promise.all(shards.map((shard) => expectData(shard.url, body, `unit(id) at ${shard.name}`)));
    if (new Set(answers.map((answer) => JSON.stringify(answer))).size !== 1)
      throw new Error("the two builds' shards answered unit(id) differently");
    const loads = await alternate(
      shards.map((shard, index) => ({
        name: sides[index]?.name ?? '',
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
    const first = readOf(THIS_BUILD);
    const loadOf = (name: string) => loads.get(name) as Summary;
    const thisLoad = loadOf(THIS_BUILD);
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
          rows: sides.map(({ name }) => {
            const read = readOf(name);
            return [
              name,
              fmt.int(read.ms),
              fmt.int(read.cpu),
              fmt.ms(read.cpu / pages),
              fmt.ratio(read.cpu / first.cpu),
            ];
          }),
        },
        {
          caption: `unit(id) with its six learning outcomes at the shard, 10 connections, medians of ${settings.rounds} rounds of ${settings.seconds} s`,
          columns: ['shard', 'req/s', 'p50 ms', 'p99 ms', 'shard CPU ms/req', '× this build', 'errors'],
          rows: sides.map(({ name }) => {
            const load = loadOf(name);
            const cpu = load.cpuMsPerRequest.shard ?? Number.NaN;
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
        'SQLite shards (the default engine), each on a database of its own seeded alike; the bench process reads them, so their CPU is the shard processes\' alone. "× this build" compares shard CPU.',
        ...(baselineEntry
          ? [
              "BENCH_BASELINE's shard is dist/subgraphs/qualifications/main.js of that checkout; both answered the whole read and unit(id) with the same JSON before they were timed.",
            ]
          : []),
      ],
      raw: { reads: Object.fromEntries(reads), loads: Object.fromEntries(loads) },
    };
  },
};
