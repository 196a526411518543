import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintDemoToken } from '../../scripts/token';
import { startShardProcess } from '../../scripts/processes';
import { AgreementStatus, AssessmentResult, VersionStatus } from '../../schema/mobility/enums';
import { RecognitionDecisionKind } from '../../schema/recognition/recognition';
import { addDays } from '../../subgraphs/mobilities/dates';
import { mobilitiesEntities, mobilitiesMigrations } from '../../subgraphs/mobilities/entities';
import { AssessmentRecord } from '../../subgraphs/mobilities/assessment/assessment.entity';
import {
  AgreementUnitRecord,
  AgreementVersionRecord,
  LearningAgreementRecord,
} from '../../subgraphs/mobilities/learning-agreement/learning-agreement.entity';
import { recognitionEntities, recognitionMigrations } from '../../subgraphs/recognition/entities';
import { RecognitionDecisionRecord } from '../../subgraphs/recognition/decision/decision.entity';
import { TranscriptValidationRecord } from '../../subgraphs/recognition/validation/validation.entity';
import { openDatabase } from '../../subgraphs/shared/database';
import type { BenchContext, Scenario, ScenarioOutput } from '../lib/context';
import { mergePrepared, prepareBaseCells, type BaseCell, type GroupDimension } from '../../gateway/statistics/merge';
import type { StatisticsBaseCell } from '../../schema/statistics';
import { mobilityCounts } from '../../subgraphs/mobilities/statistics/statistics.service';
import { recognitionCounts } from '../../subgraphs/recognition/statistics/statistics.service';
import { baseBatch, baseCells } from '../../subgraphs/shared/statistics';
import { alternate, requestBody } from '../lib/load';
import { startCellShards, startHub } from '../lib/processes';

const COUNTRIES = ['LV', 'DE', 'FI', 'ES', 'EE', 'LT'];
const code = (n: number) => `stat-${String(n).padStart(2, '0')}.example`;
const countryOf = (n: number) => COUNTRIES[n % COUNTRIES.length] ?? 'LV';
const CHUNK = 200;

async function insertChunks<T extends object>(
  insert: (rows: T[]) => Promise<unknown>,
  rows: readonly T[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** One institution's mobilities and recognition SQLite databases in `dir`, migrated. */
async function openShardDatabases(dir: string, institution: string) {
  const mobilities = await openDatabase({
    url: `sqlite:${join(dir, `${institution}.mobilities.sqlite`)}`,
    entities: mobilitiesEntities,
    migrations: mobilitiesMigrations,
  });
  const recognition = await openDatabase({
    url: `sqlite:${join(dir, `${institution}.recognition.sqlite`)}`,
    entities: recognitionEntities,
    migrations: recognitionMigrations,
  });
  return { mobilities, recognition };
}

/**
 * One institution's mobilities and recognition databases, written as the services write their rows: `agreements`
 * learning agreements over 24 months to the other institutions, each of two units, two assessed units for every
 * other one, and a validation (with the mobility's end) and a recognition decision for every third.
 */
async function seed(dir: string, n: number, count: number, institutions: number): Promise<void> {
  const institution = code(n);
  const { mobilities, recognition } = await openShardDatabases(dir, institution);
  try {
    const now = new Date();
    const agreements: LearningAgreementRecord[] = [];
    const versions: AgreementVersionRecord[] = [];
    const assessments: AssessmentRecord[] = [];
    const agreedUnits: AgreementUnitRecord[] = [];
    const validations: TranscriptValidationRecord[] = [];
    const decisions: RecognitionDecisionRecord[] = [];
    for (let i = 0; i < count; i += 1) {
      const id = `LA-${i}`;
      const start = addDays('2025-01-06', (i * 7) % 720);
      const host = code(((n + (i % (institutions - 1))) % institutions) + 1);
      const learnerId = `${institution}:L-${i}`;
      agreements.push(
        Object.assign(new LearningAgreementRecord(), {
          id,
          sendingInstitution: institution,
          hostingInstitution: host,
          memorandumId: null,
          learnerId,
          learner: {
            id: learnerId,
            name: `Learner ${i}`,
            dateOfBirth: '2007-01-01',
            email: 'l@example.org',
            homeQualificationId: `${institution}:Q`,
            progress: '',
          },
          sendingContact: { name: 'C', position: 'Coordinator', email: 'c@example.org' },
          hostingContact: { name: 'H', position: 'Coordinator', email: 'h@example.org' },
          status: i % 10 === 0 ? AgreementStatus.DRAFT : AgreementStatus.SIGNED,
          currentVersion: 1,
          pendingVersion: null,
          sortKey: `${start}|${id}`,
          updatedAt: now,
        }),
      );
      versions.push(
        Object.assign(new AgreementVersionRecord(), {
          agreementId: id,
          number: 1,
          status: VersionStatus.SIGNED,
          mobilityStart: start,
          mobilityEnd: addDays(start, 42),
          content: { units: [], qualityAssurance: '', validationAndRecognition: '', documentation: '' },
          changeReason: null,
          createdAt: now,
        }),
      );
      for (const unit of [1, 2])
        agreedUnits.push(
          Object.assign(new AgreementUnitRecord(), { agreementId: id, versionNumber: 1, unitId: `${host}:U${unit}` }),
        );
      if (i % 2 === 0) {
        for (const unit of [1, 2]) {
          assessments.push(
            Object.assign(new AssessmentRecord(), {
              id: `A-${i}-${unit}`,
              agreementId: id,
              unitId: `${host}:U${unit}`,
              result: i % 7 === 0 ? AssessmentResult.NOT_ACHIEVED : AssessmentResult.ACHIEVED,
              grade: null,
              method: 'Practical test',
              assessorName: 'Assessor',
              assessedOn: addDays(start, 40),
              evidence: null,
              outcomeResults: [],
              ecvetPoints: 10,
              revision: 1,
              history: [],
            }),
          );
        }
      }
      if (i % 3 === 0) {
        validations.push(
          Object.assign(new TranscriptValidationRecord(), {
            id: `V-${i}`,
            agreementId: `${institution}:${id}`,
            learnerId,
            learnerName: `Learner ${i}`,
            homeQualificationId: `${institution}:Q`,
            transcriptVersion: 1,
            agreementVersion: 1,
            consistent: true,
            units: [],
            validatedAt: new Date(`${addDays(start, 50)}T12:00:00Z`),
            validatedBy: 'bench',
            mobilityEnd: addDays(start, 42),
          }),
        );
        decisions.push(
          Object.assign(new RecognitionDecisionRecord(), {
            id: `D-${i}`,
            agreementId: `${institution}:${id}`,
            learnerId,
            unitId: `${host}:U1`,
            decision: i % 9 === 0 ? RecognitionDecisionKind.REFUSED : RecognitionDecisionKind.RECOGNISED,
            recognisedOutcomeIds: [],
            ecvetPoints: i % 9 === 0 ? 0 : 10,
            reason: null,
            decidedAt: new Date(`${addDays(start, 60)}T12:00:00Z`),
            history: [],
          }),
        );
      }
    }
    const m = mobilities.dataSource.manager;
    await insertChunks((rows) => m.insert(LearningAgreementRecord, rows), agreements);
    await insertChunks((rows) => m.insert(AgreementVersionRecord, rows), versions);
    await insertChunks((rows) => m.insert(AssessmentRecord, rows), assessments);
    await insertChunks((rows) => m.insert(AgreementUnitRecord, rows), agreedUnits);
    const r = recognition.dataSource.manager;
    await insertChunks((rows) => r.insert(TranscriptValidationRecord, rows), validations);
    await insertChunks((rows) => r.insert(RecognitionDecisionRecord, rows), decisions);
  } finally {
    await mobilities.close();
    await recognition.close();
  }
}

/** Base cells as the shard answers them, counted by the shards' own code over one institution's seeded databases. */
async function countCells(
  dir: string,
  n: number,
): Promise<{ mobilities: StatisticsBaseCell[]; recognition: StatisticsBaseCell[] }> {
  const institution = code(n);
  const { mobilities, recognition } = await openShardDatabases(dir, institution);
  try {
    return {
      mobilities: baseCells(institution, await mobilityCounts({ db: mobilities, institution }), {}),
      recognition: baseCells(institution, await recognitionCounts({ db: recognition, institution }), {}),
    };
  } finally {
    await mobilities.close();
    await recognition.close();
  }
}

const QUERY = `query($groupBy: [EcvetStatisticsGroupBy!]) { ecvetStatistics(groupBy: $groupBy) {
  cells { measure country partnerCountry month value learners suppressed } missingInstitutions } }`;

const GROUPINGS: Array<[string, GroupDimension[]]> = [
  ['total', []],
  ['country x partner country', ['COUNTRY', 'PARTNER_COUNTRY']],
  ['institution x month', ['INSTITUTION', 'MONTH']],
];

const TOKEN_SECRET = 'statistics-bench-demo-token-secret-0123456789';

/** The registry: every institution with its two shards' URLs, and a European-level agency over all their countries. */
function writeStatisticsRegistry(dir: string, count: number, urls: Map<string, string>): string {
  const registryPath = join(dir, 'statistics.registry.json');
  writeFileSync(
    registryPath,
    JSON.stringify({
      institutions: [
        ...Array.from({ length: count }, (_, i) => ({
          code: code(i + 1),
          names: [{ lang: 'en', value: `Statistics bench school ${i + 1}` }],
          country: countryOf(i + 1),
          shards: {
            mobilities: urls.get(`mobilities ${code(i + 1)}`),
            recognition: urls.get(`recognition ${code(i + 1)}`),
          },
        })),
        {
          code: 'agency.example',
          names: [{ lang: 'en', value: 'European level' }],
          country: 'BE',
          shards: {},
          agency: { countries: COUNTRIES },
        },
      ],
    }),
  );
  return registryPath;
}

/**
 * ecvetStatistics side by side on two hubs, one fanning out for every request and one reusing base cells (the
 * default), for each grouping: the table and the p99 target, shared by both scenarios.
 */
async function measureHubs(
  context: BenchContext,
  registryPath: string,
  shardPids: number[],
): Promise<{
  tables: NonNullable<ScenarioOutput['tables']>;
  targets: NonNullable<ScenarioOutput['targets']>;
  raw: Record<string, unknown>;
}> {
  const { settings } = context;
  const modes = [
    { mode: 'fan-out every request', cacheMs: '0' },
    { mode: 'base cells reused', cacheMs: '30000' },
  ];
  const hubs = [];
  for (const { mode, cacheMs } of modes) {
    const service = await startHub(context.cleanup, {
      name: `hub (${mode})`,
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: {
        NODE_ENV: 'development',
        HUB_DEMO_TOKEN_SECRET: TOKEN_SECRET,
        ENTITY_CACHE: 'off',
        STATISTICS_CACHE_MS: cacheMs,
      },
    });
    hubs.push({ mode, service });
  }
  const token = await mintDemoToken({
    institution: 'agency.example',
    roles: ['agency'],
    secret: TOKEN_SECRET,
    hours: 2,
  });
  const headers = { authorization: `Bearer ${token}` };
  // The first answers meet cold shards (JIT, SQLite pages): asked until every institution answers, as a client would.
  for (const { service: hub } of hubs) {
    let problem = '';
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const check = await fetch(hub.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: requestBody(QUERY, { groupBy: ['COUNTRY', 'PARTNER_COUNTRY'] }),
      });
      const answer = (await check.json()) as {
        data?: { ecvetStatistics?: { cells: unknown[]; missingInstitutions: string[] } };
        errors?: unknown[];
      };
      const missing = answer.data?.ecvetStatistics?.missingInstitutions ?? [];
      if (!answer.errors && answer.data?.ecvetStatistics && missing.length === 0) {
        problem = '';
        break;
      }
      problem = `attempt ${attempt}: ${missing.length} institutions missing; ${JSON.stringify(answer.errors ?? []).slice(0, 300)}`;
      context.log(`  ${problem}`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    if (problem) throw new Error(`ecvetStatistics never answered whole: ${problem}`);
  }
  // One request at a time: each answer's own latency, without the queueing of the load below or another answer's
  // fan-out still running. The hub reusing base cells first, while what it kept when first asked is fresh.
  const alone: string[][] = [];
  for (const { mode, service } of [...hubs].reverse()) {
    for (const [grouping, groupBy] of GROUPINGS) {
      const times: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const start = performance.now();
        const answer = await fetch(service.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: requestBody(QUERY, { groupBy }),
        });
        await answer.arrayBuffer();
        times.push(performance.now() - start);
      }
      alone.push([mode, grouping, median(times).toFixed(1), Math.max(...times).toFixed(1)]);
    }
  }
  const runs = hubs.flatMap(({ mode, service }) =>
    GROUPINGS.map(([grouping, groupBy]) => ({ name: `${grouping}, ${mode}`, grouping, mode, service, groupBy })),
  );
  const summaries = await alternate(
    runs.map((run) => ({
      name: run.name,
      url: run.service.url,
      body: requestBody(QUERY, { groupBy: run.groupBy }),
      headers,
      connections: 4,
      processes: { hub: [run.service.pid], shards: shardPids },
    })),
    { rounds: settings.rounds, seconds: settings.seconds, warmupSeconds: 2, log: context.log },
  );
  const rows = runs.map(({ name, grouping, mode }) => {
    const s = summaries.get(name);
    return [
      mode,
      grouping,
      (s?.rps ?? 0).toFixed(1),
      (s?.p50 ?? 0).toFixed(1),
      (s?.p99 ?? 0).toFixed(1),
      String(s?.errors ?? 0),
    ];
  });
  const worst = (mode: string) =>
    Math.max(...runs.filter((run) => run.mode === mode).map((run) => summaries.get(run.name)?.p99 ?? Infinity));
  const reused = worst('base cells reused');
  const fannedOut = worst('fan-out every request');
  const { institutions: count, units: agreements } = settings.scale;
  return {
    tables: [
      {
        caption: 'ecvetStatistics through the hub (medians over rounds)',
        columns: ['hub', 'groupBy', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
        rows,
      },
      {
        caption: 'ecvetStatistics one request at a time (3 each, before the load)',
        columns: ['hub', 'groupBy', 'median ms', 'max ms'],
        rows: alone,
      },
    ],
    targets: [
      {
        target: `ecvetStatistics p99 ≤ 200 ms over ${count} institutions x ${agreements} agreements`,
        measured: `${reused.toFixed(1)} ms with base cells reused, ${fannedOut.toFixed(1)} ms fanning out for every request (worst grouping)`,
        met: reused <= 200,
      },
    ],
    raw: Object.fromEntries(summaries),
  };
}

const REUSE_NOTE =
  'Reused, the base cells of a period are kept STATISTICS_CACHE_MS (30 s) and recounted in the background before that while they are read (at once after a write through the hub, which later requests wait for); the load here writes nothing, and asks one query again and again, so nearly every request is answered with the kept answer (kept-answers.ts), and the first after each recount merges and executes it, shared by the requests arriving meanwhile.';

export const statistics: Scenario = {
  name: 'statistics',
  title: 'ecvetStatistics for a European-level agency over every institution (BENCH_SCALE institutions x agreements)',
  estimate: '~3 min at 30x2000',
  async run(context) {
    const { settings } = context;
    const { institutions: count, units: agreements } = settings.scale;
    const seedStart = Date.now();
    for (let n = 1; n <= count; n += 1) await seed(context.tmp, n, agreements, count);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    context.log(`  seeded ${count} x ${agreements} agreements in ${seedSeconds.toFixed(0)} s`);

    // Two shard processes per institution (mobilities, recognition) on their SQLite files, four starting at a time.
    const specs = Array.from({ length: count }, (_, i) => i + 1).flatMap((n) =>
      (['mobilities', 'recognition'] as const).map((kind) => ({ n, kind })),
    );
    const urls = new Map<string, string>();
    const pids: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        const spec = specs[next];
        next += 1;
        if (!spec) return;
        const shard = await context.cleanup.start((signal) =>
          startShardProcess({
            kind: spec.kind,
            institution: code(spec.n),
            databaseUrl: `sqlite:${join(context.tmp, `${code(spec.n)}.${spec.kind}.sqlite`)}`,
            hopPublicKeys: context.hopKeys.publicKeys,
            env: { HUB_URL: 'http://127.0.0.1:9/graphql' },
            signal,
          }),
        );
        urls.set(`${spec.kind} ${code(spec.n)}`, shard.url);
        if (shard.child.pid) pids.push(shard.child.pid);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));

    const measured = await measureHubs(context, writeStatisticsRegistry(context.tmp, count, urls), pids);
    return {
      settings: {
        institutions: count,
        agreementsPerInstitution: agreements,
        shards: specs.length,
        connections: 4,
        rounds: settings.rounds,
        seconds: settings.seconds,
      },
      ...measured,
      notes: [
        `Seeded ${count * agreements} agreements (two agreed units each, half with two assessed units, a third validated with a decision) into SQLite files in ${seedSeconds.toFixed(0)} s; ${specs.length} shard processes, one hub, all on this machine.`,
        `Fanning out, each request asks every mobilities and recognition shard (one GROUP BY per measure family at each), then the hub merges and suppresses. ${REUSE_NOTE}`,
      ],
    };
  },
};

/** How long `work` takes, in ms. */
function timed(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A merge from the raw base cells, as every request made before they were prepared once per fan-out. */
function prepareAndMerge(
  cells: readonly BaseCell[],
  groupBy: readonly GroupDimension[],
  countryOf: (institution: string) => string | null,
): number {
  return mergePrepared(prepareBaseCells(cells, countryOf), { groupBy }).length;
}

export const statisticsCells: Scenario = {
  name: 'statistics-cells',
  title:
    'ecvetStatistics over BENCH_SCALE institutions x agreements, the shards stood in for by one process serving their counted base cells',
  estimate: '~3 min at 30x2000',
  async run(context) {
    const { settings } = context;
    const { institutions: count, units: agreements } = settings.scale;
    const seedStart = Date.now();
    const counted: Array<{ mobilities: StatisticsBaseCell[]; recognition: StatisticsBaseCell[] }> = [];
    for (let n = 1; n <= count; n += 1) {
      await seed(context.tmp, n, agreements, count);
      counted.push(await countCells(context.tmp, n));
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const all = counted.flatMap((shard) => [...shard.mobilities, ...shard.recognition]);
    context.log(
      `  seeded and counted ${count} x ${agreements} agreements in ${seedSeconds.toFixed(0)} s: ${all.length} base cells`,
    );

    const shards = counted.flatMap((shard, i) => [
      { key: `mobilities ${code(i + 1)}`, institution: code(i + 1), cells: shard.mobilities },
      { key: `recognition ${code(i + 1)}`, institution: code(i + 1), cells: shard.recognition },
    ]);
    const cellShards = await startCellShards(
      context.cleanup,
      context.tmp,
      shards.map((shard) => baseBatch(shard.institution, shard.cells)),
    );
    const urls = new Map(shards.map((shard, i) => [shard.key, cellShards.urls[i] ?? '']));
    const measured = await measureHubs(context, writeStatisticsRegistry(context.tmp, count, urls), [
      cellShards.service.pid,
    ]);

    // The hub's merge alone, in this process, over the same base cells: the base cells prepared afresh for the merge
    // (a fan-out's cost) beside a merge of cells prepared once (what a request reusing base cells costs), alternated.
    const countries = new Map(Array.from({ length: count }, (_, i) => [code(i + 1), countryOf(i + 1)]));
    const memberCountry = (institution: string) => countries.get(institution) ?? null;
    const prepared = prepareBaseCells(all, memberCountry);
    const mergeRows = GROUPINGS.map(([grouping, groupBy]) => {
      const afresh: number[] = [];
      const reused: number[] = [];
      let answered = 0;
      for (let run = 0; run < 15; run += 1) {
        afresh.push(timed(() => prepareAndMerge(all, groupBy, memberCountry)));
        reused.push(timed(() => (answered = mergePrepared(prepared, { groupBy }).length)));
      }
      const a = median(afresh);
      const r = median(reused);
      return [grouping, String(all.length), String(answered), a.toFixed(1), r.toFixed(1), (a / r).toFixed(1)];
    });
    return {
      settings: {
        institutions: count,
        agreementsPerInstitution: agreements,
        shards: shards.length,
        shardProcesses: 1,
        baseCells: all.length,
        connections: 4,
        rounds: settings.rounds,
        seconds: settings.seconds,
      },
      ...measured,
      tables: [
        ...measured.tables,
        {
          caption:
            'The merge alone over the same base cells, in the bench process (medians of 15 runs, the two alternated)',
          columns: ['groupBy', 'base cells', 'cells answered', 'prepared + merged ms', 'merged ms', 'ratio'],
          rows: mergeRows,
        },
      ],
      notes: [
        `Seeded ${count * agreements} agreements into SQLite files as the statistics scenario does (two agreed units each, half with two assessed units, a third validated with a decision), then counted each institution's base cells with the shards' own code (mobilityCounts, recognitionCounts, baseCells) over those files: ${all.length} base cells, in ${seedSeconds.toFixed(0)} s.`,
        `No shard process runs: one stand-in process (bench/cell-shards.ts) listens at ${shards.length} URLs, one per institution and kind, and answers each fan-out call with that shard's counted base cells. So "fan-out every request" measures the hub's ${shards.length} calls, merge and suppression, not the shards' SQL (the statistics scenario measures that with real shards). ${REUSE_NOTE}`,
      ],
    };
  },
};
