import { execFileSync } from 'node:child_process';
import { createConnection, createPool, type Connection } from 'mysql2/promise';
import { openQualificationsDatabase, startQualificationsShard } from '../../subgraphs/qualifications';
import type { Database } from '../../subgraphs/shared/database';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { benchInstitution, bulkSeed, loadTemplates, scaledData } from '../lib/data';
import { alternate, expectData, median, requestBody, type LoadTarget, type Summary } from '../lib/load';
import { startHub, startShards, writeRegistry } from '../lib/processes';
import { fmt, type Table } from '../lib/report';
import { FILTER_SEARCH, TEXT_SEARCH } from '../queries';

const CONNECTIONS = 1;
const HUB_REQUESTS_PER_ROUND = 4;
const HUB_REQUESTS_PER_LEVER_ROUND = 3;
const SEED_CONCURRENCY = 3;
const SEED_BUDGET_MS = Number(process.env.BENCH_SEED_MINUTES ?? 6) * 60_000;

/** Candidate B-tree indexes tried on the bench databases only (the migrations are not changed). */
const CANDIDATE_INDEXES = [
  { name: 'bench_unit_eqf_order', table: 'unit', columns: ['eqfLevel', 'sortKey', 'id'] },
  { name: 'bench_unit_status_eqf_order', table: 'unit', columns: ['status', 'eqfLevel', 'sortKey', 'id'] },
  { name: 'bench_qualification_isced', table: 'qualification', columns: ['iscedCode', 'id'] },
];
/** One ALTER per table and database (one rebuild each): the candidate indexes, and unit.searchText as ASCII binary. */
function leverDdl(database: string): string[] {
  const tables = [...new Set(CANDIDATE_INDEXES.map((i) => i.table))];
  return tables.map((table) => {
    const parts = CANDIDATE_INDEXES.filter((i) => i.table === table).map((i) => `ADD INDEX \`${i.name}\` (${i.columns.map((c) => `\`${c}\``).join(', ')})`);
    if (table === 'unit') parts.push('MODIFY `searchText` TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL');
    return `ALTER TABLE \`${database}\`.\`${table}\` ${parts.join(', ')}`;
  });
}

interface Captured {
  sql: string;
  parameters: unknown[];
}

/** Records the SQL a database runs while `action` runs (the shard's statement counter is its TypeORM logger). */
async function captureSql(db: Database, action: () => Promise<unknown>): Promise<Captured[]> {
  const counter = db.statements;
  const original = counter.logQuery;
  const captured: Captured[] = [];
  counter.logQuery = (sql?: string, parameters?: unknown[]) => {
    captured.push({ sql: sql ?? '', parameters: parameters ?? [] });
    original.call(counter);
  };
  try {
    await action();
  } finally {
    counter.logQuery = original;
  }
  return captured;
}

async function timeSql(db: Database, statement: Captured, repeats = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    const start = process.hrtime.bigint();
    await db.dataSource.query(statement.sql, statement.parameters);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

interface ExplainRow {
  table: string | null;
  type: string | null;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
  select_type: string | null;
}

async function explain(db: Database, statement: Captured): Promise<ExplainRow[]> {
  return (await db.dataSource.query(`EXPLAIN ${statement.sql}`, statement.parameters)) as ExplainRow[];
}

const shortSql = (sql: string) =>
  sql
    .replace(/`/g, '')
    .replace(/SELECT .*? FROM/, (m) => (m.length > 60 ? 'SELECT … FROM' : m))
    .replace(/\s+/g, ' ')
    .slice(0, 220);

async function explainTable(db: Database, label: string, statements: Captured[]): Promise<{ table: Table; timings: Array<{ sql: string; ms: number }> }> {
  const rows: string[][] = [];
  const timings: Array<{ sql: string; ms: number }> = [];
  for (const [index, statement] of statements.entries()) {
    const ms = await timeSql(db, statement);
    timings.push({ sql: statement.sql, ms });
    const plan = await explain(db, statement);
    plan.forEach((step, j) => {
      rows.push([
        j === 0 ? `${index + 1}. ${shortSql(statement.sql)}` : '',
        j === 0 ? fmt.ms(ms) : '',
        `${step.select_type ?? ''} ${step.table ?? ''}`.trim(),
        step.type ?? '',
        step.key ?? '—',
        String(step.rows ?? ''),
        step.Extra ?? '',
      ]);
    });
  }
  return { table: { caption: label, columns: ['statement (bench_1)', 'ms (median of 7)', 'step', 'access', 'index', 'rows', 'extra'], rows }, timings };
}

function mariadbPid(): number | null {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pidof', ['-s', name], { encoding: 'utf8' }).trim());
      if (pid > 0) return pid;
    } catch {
      // not this name
    }
  }
  return null;
}

/** Scenario 4: 30 institutions × 2,000 units × 6 outcomes on MariaDB; text and filter search through the hub. */
export const dataScale: Scenario = {
  name: 'data-scale',
  title: 'Scale of data: text and filter search on MariaDB',
  estimate: '~3 min at 30x2000',
  async run(context) {
    const { settings } = context;
    const { institutions: count, units } = settings.scale;
    const templates = loadTemplates();
    const names = Array.from({ length: count }, (_, i) => `bench_${i + 1}`);
    const admin: Connection = await createConnection({ uri: `${settings.mysqlUrl}/` });
    context.cleanup.add('close the MariaDB admin connection', () => admin.end());
    const dropAll = async () => {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    };
    await dropAll(); // leftovers of an interrupted run
    context.cleanup.add(`drop databases bench_1…bench_${count}`, dropAll);

    // Seed: migrations first (the shard's own), then multi-row inserts through the TypeORM entities.
    const seedStart = Date.now();
    let next = 0;
    let failed = false;
    const seedWorker = async () => {
      while (next < count && !failed) {
        const n = (next += 1);
        if (Date.now() - seedStart > SEED_BUDGET_MS) {
          throw new Error(`seeding took longer than ${SEED_BUDGET_MS / 60_000} min (BENCH_SEED_MINUTES); try a smaller BENCH_SCALE`);
        }
        const db = await openQualificationsDatabase(`${settings.mysqlUrl}/bench_${n}`);
        try {
          await bulkSeed(db, scaledData(templates, n, units));
        } finally {
          await db.close();
        }
        if (n % 5 === 0 || n === count) context.log(`  seeded ${n}/${count} databases (${((Date.now() - seedStart) / 1000).toFixed(0)} s)`);
      }
    };
    // Every worker is awaited before a failure is reported, so that none creates a database after the drop.
    const seeding = await Promise.allSettled(
      Array.from({ length: Math.min(SEED_CONCURRENCY, count) }, () =>
        seedWorker().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const seedFailure = seeding.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (seedFailure) throw seedFailure.reason;
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const [sizeRows] = await admin.query(
      "SELECT table_name AS t, SUM(table_rows) AS r, SUM(data_length) AS d, SUM(index_length) AS i FROM information_schema.tables WHERE table_schema LIKE 'bench\\_%' GROUP BY table_name",
    );
    const sizes = sizeRows as Array<{ t: string; r: number; d: number; i: number }>;
    const totalMb = sizes.reduce((sum, s) => sum + Number(s.d) + Number(s.i), 0) / 2 ** 20;

    // The shards as deployed (one process each), the hub in front.
    const shardStart = Date.now();
    const shards = await startShards(
      context.cleanup,
      names.map((name, i) => ({ institution: benchInstitution(templates, i + 1).code, databaseUrl: `${settings.mysqlUrl}/${name}` })),
      context.hopSecret,
      4,
    );
    const shardSeconds = (Date.now() - shardStart) / 1000;
    const registryPath = writeRegistry(
      context.tmp,
      'data-scale',
      shards.map((shard, i) => {
        const institution = benchInstitution(templates, i + 1);
        return { code: institution.code, names: institution.names, country: institution.country, shardUrl: shard.url };
      }),
    );
    const hub = await startHub(context.cleanup, { name: 'hub', registryPath, supergraphPath: context.supergraphPath, hopSecret: context.hopSecret });
    context.log(`  seeded in ${seedSeconds.toFixed(0)} s (${fmt.num(totalMb, 0)} MB), ${count} shards up in ${shardSeconds.toFixed(0)} s`);

    const text = requestBody(TEXT_SEARCH);
    const filter = requestBody(FILTER_SEARCH);
    const totals: Record<string, number> = {};
    for (const [name, body] of [['text', text], ['filter', filter]] as const) {
      const data = await expectData(hub.url, body, `${name} search`);
      const found = data.units as { totalCount: number; edges: unknown[] };
      if (found.totalCount === 0 || found.edges.length === 0) throw new Error(`${name} search found nothing`);
      totals[name] = found.totalCount;
    }

    // The SQL a shard runs for each search, its plan and its time, from an in-process shard on bench_1.
    const probe = await startQualificationsShard({ institution: benchInstitution(templates, 1).code, databaseUrl: `${settings.mysqlUrl}/bench_1`, hopSecret: null });
    const stopProbe = context.cleanup.add('stop the probe shard', () => probe.close());
    const unitStatements = async (body: string) =>
      (await captureSql(probe.db, () => expectData(probe.url, body, 'probe'))).filter((s) => /^\s*SELECT/i.test(s.sql) && /`unit`/.test(s.sql));
    const textSql = await unitStatements(text);
    const filterSql = await unitStatements(filter);
    const before = [
      await explainTable(probe.db, 'text search: the unit statements of one shard, as migrated', textSql),
      await explainTable(probe.db, 'filter search: the unit statements of one shard, as migrated', filterSql),
    ];

    const db = mariadbPid();
    const roles = { hub: [hub.pid], shards: shards.map((s) => s.pid), ...(db ? { mariadb: [db] } : {}) };
    const first = shards[0];
    if (!first) throw new Error('no shards');
    const shardRoles = { shards: [first.pid], ...(db ? { mariadb: [db] } : {}) };
    // A search through the hub takes seconds at this size on one machine: a fixed number of requests per round.
    const targets: LoadTarget[] = [
      { name: `hub text search`, url: hub.url, body: text, connections: CONNECTIONS, amount: HUB_REQUESTS_PER_ROUND, processes: roles },
      { name: `hub filter search`, url: hub.url, body: filter, connections: CONNECTIONS, amount: HUB_REQUESTS_PER_ROUND, processes: roles },
      { name: `one shard text search`, url: first.url, body: text, connections: CONNECTIONS, processes: shardRoles },
      { name: `one shard filter search`, url: first.url, body: filter, connections: CONNECTIONS, processes: shardRoles },
    ];
    const seconds = runSeconds(settings, 0.4);
    context.log(`  ${targets.length} targets × ${settings.rounds} rounds (hub: ${HUB_REQUESTS_PER_ROUND} requests, one shard: ${seconds} s), ${CONNECTIONS} connection`);
    const summaries = await alternate(targets, { rounds: settings.rounds, seconds, warmupSeconds: 2, log: context.log });

    // Levers, on the bench databases only (the migrations are not changed): plans, statement times, hub latency.
    const trial: { summaries: Map<string, Summary> | null; tables: Table[]; levers: string[][] } = { summaries: null, tables: [], levers: [] };
    if (settings.indexTrial) {
      context.log('  levers: candidate indexes and an ASCII binary unit.searchText on every bench database');
      const pool = createPool({ uri: `${settings.mysqlUrl}/`, connectionLimit: SEED_CONCURRENCY });
      try {
        let nextDb = 0;
        const alterWorker = async () => {
          while (nextDb < names.length) {
            const name = names[nextDb] as string;
            nextDb += 1;
            for (const ddl of leverDdl(name)) await pool.query(ddl);
            await pool.query(`ANALYZE TABLE \`${name}\`.\`unit\`, \`${name}\`.\`qualification\``);
          }
        };
        await Promise.all(Array.from({ length: SEED_CONCURRENCY }, alterWorker));
      } finally {
        await pool.end();
      }
      const afterText = await explainTable(probe.db, 'text search with the schema levers', textSql);
      const afterFilter = await explainTable(probe.db, 'filter search with the schema levers', filterSql);
      trial.tables.push(afterText.table, afterFilter.table);
      const label = (sql: string) => shortSql(sql).slice(0, 90);
      for (const [search, was, now] of [
        ['text', before[0]?.timings ?? [], afterText.timings],
        ['filter', before[1]?.timings ?? [], afterFilter.timings],
      ] as const) {
        was.forEach((t, i) => trial.levers.push([`${search}: ${label(t.sql)}`, fmt.ms(t.ms), fmt.ms(now[i]?.ms ?? Number.NaN)]));
      }
      // Levers that need a change in the shard's code, timed as the SQL they would issue (with the schema levers in place).
      await probe.db.dataSource.query('ALTER TABLE `unit` ADD FULLTEXT INDEX `bench_unit_fulltext` (`searchText`)');
      const words = '+welding* +safety*';
      const alternatives: Captured[] = [
        { sql: 'SELECT COUNT(*) AS cnt FROM `unit` `u` WHERE MATCH(`u`.`searchText`) AGAINST (? IN BOOLEAN MODE)', parameters: [words] },
        {
          sql: 'SELECT `u`.* FROM `unit` `u` WHERE MATCH(`u`.`searchText`) AGAINST (? IN BOOLEAN MODE) ORDER BY `u`.`sortKey` ASC, `u`.`id` ASC LIMIT 21',
          parameters: [words],
        },
        {
          sql: 'SELECT COUNT(*) AS cnt FROM `unit` `u` WHERE `u`.`eqfLevel` = ? AND `u`.`qualificationId` IN (SELECT `q`.`id` FROM `qualification` `q` WHERE `q`.`iscedCode` LIKE ?)',
          parameters: [4, '07%'],
        },
        {
          sql: 'SELECT `u`.* FROM `unit` `u` WHERE `u`.`eqfLevel` = ? AND `u`.`qualificationId` IN (SELECT `q`.`id` FROM `qualification` `q` WHERE `q`.`iscedCode` LIKE ?) ORDER BY `u`.`sortKey` ASC, `u`.`id` ASC LIMIT 21',
          parameters: [4, '07%'],
        },
        {
          sql: 'SELECT `u`.* FROM `unit` `u` FORCE INDEX (`bench_unit_eqf_order`) WHERE `u`.`eqfLevel` = ? AND EXISTS (SELECT 1 FROM `qualification` `q` WHERE `q`.`id` = `u`.`qualificationId` AND `q`.`iscedCode` LIKE ?) ORDER BY `u`.`sortKey` ASC, `u`.`id` ASC LIMIT 21',
          parameters: [4, '07%'],
        },
      ];
      const code = await explainTable(probe.db, 'levers that need a code change, as the SQL they would issue (text: FULLTEXT MATCH; filter: semi-join, plain LIMIT, index walk)', alternatives);
      await probe.db.dataSource.query('ALTER TABLE `unit` DROP INDEX `bench_unit_fulltext`');
      trial.tables.push(code.table);
      const [ftCount, ftPage, semiCount, semiPage, walkPage] = code.timings;
      trial.levers.push(
        ['text count → FULLTEXT MATCH … AGAINST (code change)', '', fmt.ms(ftCount?.ms ?? Number.NaN)],
        ['text page → FULLTEXT MATCH … AGAINST (code change)', '', fmt.ms(ftPage?.ms ?? Number.NaN)],
        ['filter count → semi-join, COUNT(*) (code change)', '', fmt.ms(semiCount?.ms ?? Number.NaN)],
        ['filter page → semi-join, plain LIMIT, no DISTINCT wrapper (code change)', '', fmt.ms(semiPage?.ms ?? Number.NaN)],
        ['filter page → walk INDEX(eqfLevel, sortKey, id) in order, EXISTS per row (code change)', '', fmt.ms(walkPage?.ms ?? Number.NaN)],
      );
      const trialTargets = targets.map((t) => ({ ...t, name: `${t.name} + schema levers`, ...(t.amount ? { amount: HUB_REQUESTS_PER_LEVER_ROUND } : {}) }));
      trial.summaries = await alternate(trialTargets, { rounds: Math.min(2, settings.rounds), seconds, warmupSeconds: 1, log: context.log });
    }
    await stopProbe();

    const get = (map: Map<string, Summary> | null, name: string) => map?.get(name);
    const latencyRow = (name: string, s: Summary | undefined, total: number | undefined) =>
      s
        ? [
            name,
            fmt.ms(s.p50),
            fmt.ms(s.p99),
            fmt.int(s.rps),
            total === undefined ? '' : fmt.int(total),
            fmt.ms(s.cpuMsPerRequest.hub ?? Number.NaN),
            fmt.ms(s.cpuMsPerRequest.shards ?? Number.NaN),
            fmt.ms(s.cpuMsPerRequest.mariadb ?? Number.NaN),
            String(s.errors + s.sizeMismatches),
          ]
        : [name, '–', '–', '–', '', '–', '–', '–', ''];
    const hubText = get(summaries, 'hub text search');
    const hubFilter = get(summaries, 'hub filter search');
    const rows = [
      latencyRow(`hub, text "welding safety" (${count} shards)`, hubText, totals.text),
      latencyRow(`hub, filter eqfLevel 4 + ISCED 07 (${count} shards)`, hubFilter, totals.filter),
      latencyRow('one shard direct, text', get(summaries, 'one shard text search'), undefined),
      latencyRow('one shard direct, filter', get(summaries, 'one shard filter search'), undefined),
    ];
    if (trial.summaries) {
      rows.push(latencyRow('hub, text + schema levers', get(trial.summaries, 'hub text search + schema levers'), undefined));
      rows.push(latencyRow('hub, filter + schema levers', get(trial.summaries, 'hub filter search + schema levers'), undefined));
      rows.push(latencyRow('one shard direct, text + schema levers', get(trial.summaries, 'one shard text search + schema levers'), undefined));
      rows.push(latencyRow('one shard direct, filter + schema levers', get(trial.summaries, 'one shard filter search + schema levers'), undefined));
    }
    const p99 = (s: Summary | undefined) => s?.p99 ?? Number.NaN;
    return {
      settings: {
        scale: `${count} institutions × ${units} units × 6 outcomes (BENCH_SCALE=${count}x${units})`,
        rows: Object.fromEntries(sizes.map((s) => [s.t, Number(s.r)])),
        data: `${fmt.num(totalMb, 0)} MB data + indexes in MariaDB (innodb_buffer_pool_size as configured)`,
        seedSeconds: Math.round(seedSeconds),
        shardStartSeconds: Math.round(shardSeconds),
        connections: CONNECTIONS,
        rounds: settings.rounds,
        hubRequestsPerRound: HUB_REQUESTS_PER_ROUND,
        hubRequestsPerLeverRound: HUB_REQUESTS_PER_LEVER_ROUND,
        shardSecondsPerRun: seconds,
        leverRounds: Math.min(2, settings.rounds),
        schemaLevers: settings.indexTrial
          ? [...CANDIDATE_INDEXES.map((i) => `INDEX ${i.table}(${i.columns.join(', ')})`), 'unit.searchText CHARACTER SET ascii COLLATE ascii_bin (it holds folded ASCII only)']
          : 'not tried (BENCH_INDEX_TRIAL=0)',
      },
      tables: [
        {
          caption: 'search latency — medians over rounds (1 connection)',
          columns: ['search', 'p50 ms', 'p99 ms', 'req/s', 'matches', 'hub CPU ms/req', 'shards CPU ms/req', 'MariaDB CPU ms/req', 'errors'],
          rows,
        },
        ...before.map((b) => b.table),
        ...(trial.levers.length > 0
          ? [{ caption: 'levers, statement by statement on bench_1 (ms, median of 7)', columns: ['statement', 'as migrated', 'with schema levers'], rows: trial.levers }]
          : []),
        ...trial.tables,
      ],
      targets: [
        { target: `text search p99 ≤ 100 ms (${count} × ${units} units)`, measured: `${fmt.ms(p99(hubText))} ms`, met: p99(hubText) <= 100 },
        { target: `filter search p99 ≤ 100 ms (${count} × ${units} units)`, measured: `${fmt.ms(p99(hubFilter))} ms`, met: p99(hubFilter) <= 100 },
      ],
      notes: [
        `Seeded with multi-row INSERTs through the TypeORM entities after each shard's migrations ran (${fmt.num(seedSeconds, 0)} s for ${count} databases).`,
        'MariaDB, the shards, the hub and the load generator share this machine; MariaDB\'s CPU column also counts whatever else used the server meanwhile.',
      ],
      raw: {
        sizes,
        latency: Object.fromEntries(summaries),
        trial: trial.summaries ? Object.fromEntries(trial.summaries) : null,
        sql: { text: textSql, filter: filterSql },
        statementTimes: before.map((b) => b.timings),
      },
    };
  },
};
