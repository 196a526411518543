import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { createConnection, type Connection } from 'mysql2/promise';
import { openQualificationsDatabase, startQualificationsShard } from '../../subgraphs/qualifications';
import type { Database } from '../../subgraphs/shared/database';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { benchInstitution, benchRegistryInstitution, bulkSeed, loadTemplates, scaledData } from '../lib/data';
import { alternate, expectData, median, requestBody, type LoadTarget, type Summary } from '../lib/load';
import { catalogueAnswers, catalogueUpdates, createBenchCatalogueDatabase } from '../lib/catalogue';
import { startHub, startShards, writeRegistry } from '../lib/processes';
import { fmt, type Table } from '../lib/report';
import { FILTER_SEARCH, FILTER_SEARCH_PAGE, TEXT_SEARCH, TEXT_SEARCH_PAGE } from '../queries';

const CONNECTIONS = 1;
const HUB_REQUESTS_PER_ROUND = 8;
const SEED_CONCURRENCY = 3;
/** Most connections a shard's pool holds (subgraphs/shared/database.ts). */
const SHARD_POOL_SIZE = 10;
const SEED_BUDGET_MS = Number(process.env.BENCH_SEED_MINUTES ?? 6) * 60_000;

interface Captured {
  sql: string;
  parameters: unknown[];
}

/** Records the SQL a database runs while `action` runs (the shard's statement counter is its TypeORM logger). */
async function captureSql(db: Database, action: () => Promise<unknown>): Promise<Captured[]> {
  const counter = db.statements;
  const original = counter.logQuery.bind(counter);
  const captured: Captured[] = [];
  counter.logQuery = (sql?: string, parameters?: unknown[]) => {
    captured.push({ sql: sql ?? '', parameters: parameters ?? [] });
    original(sql ?? '');
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
  return db.dataSource.query<ExplainRow[]>(`EXPLAIN ${statement.sql}`, statement.parameters);
}

const shortSql = (sql: string) =>
  sql
    .replace(/`/g, '')
    .replace(/SELECT .*? FROM/, (m) => (m.length > 60 ? 'SELECT … FROM' : m))
    .replace(/\s+/g, ' ')
    .slice(0, 220);

async function explainTable(
  db: Database,
  label: string,
  statements: Captured[],
): Promise<{ table: Table; timings: Array<{ sql: string; ms: number }> }> {
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
  return {
    table: {
      caption: label,
      columns: ['statement (bench_1)', 'ms (median of 7)', 'step', 'access', 'index', 'rows', 'extra'],
      rows,
    },
    timings,
  };
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
    // Every shard's pool holds up to 10 connections, and here all shards share one server: MariaDB's default 151
    // connections are fewer than 30 shards take under the catalogues' reads ("Too many connections"). Raised for
    // the run, restored after; a deployment gives each institution its own database server.
    const [limitRows] = await admin.query("SHOW VARIABLES LIKE 'max_connections'");
    const connectionLimit = Number((limitRows as Array<{ Value: string }>)[0]?.Value ?? 151);
    const needed = count * SHARD_POOL_SIZE + 50;
    if (connectionLimit < needed) {
      await admin.query(`SET GLOBAL max_connections = ${needed}`);
      context.cleanup.add(`restore MariaDB's max_connections to ${connectionLimit}`, async () => {
        await admin.query(`SET GLOBAL max_connections = ${connectionLimit}`);
      });
    }

    // Seed: migrations first (the shard's own), then multi-row inserts through the TypeORM entities.
    const seedStart = Date.now();
    let next = 0;
    let failed = false;
    const seedWorker = async () => {
      while (next < count && !failed) {
        const n = (next += 1);
        if (Date.now() - seedStart > SEED_BUDGET_MS) {
          throw new Error(
            `seeding took longer than ${SEED_BUDGET_MS / 60_000} min (BENCH_SEED_MINUTES); try a smaller BENCH_SCALE`,
          );
        }
        const db = await openQualificationsDatabase(`${settings.mysqlUrl}/bench_${n}`);
        try {
          await bulkSeed(db, scaledData(templates, n, units));
        } finally {
          await db.close();
        }
        if (n % 5 === 0 || n === count)
          context.log(`  seeded ${n}/${count} databases (${((Date.now() - seedStart) / 1000).toFixed(0)} s)`);
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
      names.map((name, i) => ({
        institution: benchInstitution(templates, i + 1).code,
        databaseUrl: `${settings.mysqlUrl}/${name}`,
      })),
      context.hopKeys.publicKeys,
      4,
    );
    const shardSeconds = (Date.now() - shardStart) / 1000;
    const registryPath = writeRegistry(
      context.tmp,
      'data-scale',
      shards.map((shard, i) => benchRegistryInstitution(templates, i + 1, shard.url)),
    );
    // The searches themselves: with the entity cache on, a repeated search would be answered from it.
    const hub = await startHub(context.cleanup, {
      name: 'hub',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { ENTITY_CACHE: 'off' },
    });
    const cachedHub = await startHub(context.cleanup, {
      name: 'hub, cache on',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
    });
    // The catalogue: embedded (SQLite in the hub) and shared (PostgreSQL), each filled from the shards at start.
    const catalogueStart = Date.now();
    const catalogueHub = await startHub(context.cleanup, {
      name: 'hub, catalogue',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { CATALOG: 'on' },
    });
    const postgres = await createBenchCatalogueDatabase(context.cleanup, 'bench_catalogue_scale');
    const postgresHub = await startHub(context.cleanup, {
      name: 'hub, catalogue on PostgreSQL',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { CATALOG: 'on', CATALOG_URL: postgres },
    });
    // Each part is read whole from its shard (about 4 KB of text a unit): allow a minute per institution on a busy machine.
    await Promise.all(
      [catalogueHub, postgresHub].map((one) =>
        catalogueAnswers(one.url, requestBody(TEXT_SEARCH), Math.max(600_000, count * 60_000), (current, total) =>
          context.log(`  ${one.name}: ${current} of ${total} institutions read`),
        ),
      ),
    );
    const catalogueSeconds = (Date.now() - catalogueStart) / 1000;
    context.log(
      `  seeded in ${seedSeconds.toFixed(0)} s (${fmt.num(totalMb, 0)} MB), ${count} shards up in ${shardSeconds.toFixed(0)} s, catalogues filled in ${catalogueSeconds.toFixed(0)} s`,
    );

    const text = requestBody(TEXT_SEARCH);
    const filter = requestBody(FILTER_SEARCH);
    const textPage = requestBody(TEXT_SEARCH_PAGE);
    const filterPage = requestBody(FILTER_SEARCH_PAGE);
    const totals: Record<string, number> = {};
    for (const [name, body] of [
      ['text', text],
      ['filter', filter],
    ] as const) {
      const data = await expectData(hub.url, body, `${name} search`);
      const found = data.units as { totalCount: number; edges: unknown[] };
      if (found.totalCount === 0 || found.edges.length === 0) throw new Error(`${name} search found nothing`);
      totals[name] = found.totalCount;
    }
    for (const [name, body] of [
      ['text', textPage],
      ['filter', filterPage],
    ] as const) {
      const data = await expectData(hub.url, body, `${name} search without totalCount`);
      if ((data.units as { edges: unknown[] }).edges.length === 0)
        throw new Error(`${name} search without totalCount found nothing`);
    }

    // The SQL a shard runs for each search, its plan and its time, from an in-process shard on bench_1.
    const probe = await startQualificationsShard({
      institution: benchInstitution(templates, 1).code,
      databaseUrl: `${settings.mysqlUrl}/bench_1`,
      hopKeys: null,
    });
    const stopProbe = context.cleanup.add('stop the probe shard', () => probe.close());
    const unitStatements = async (body: string) =>
      (await captureSql(probe.db, () => expectData(probe.url, body, 'probe'))).filter(
        (s) => /^\s*SELECT/i.test(s.sql) && /`unit`/.test(s.sql),
      );
    const textSql = await unitStatements(text);
    const filterSql = await unitStatements(filter);
    const plans = [
      await explainTable(
        probe.db,
        'text search: the unit statements of one shard (with totalCount: count and page)',
        textSql,
      ),
      await explainTable(
        probe.db,
        'filter search: the unit statements of one shard (with totalCount: count and page)',
        filterSql,
      ),
    ];

    const db = mariadbPid();
    const roles = { hub: [hub.pid], shards: shards.map((s) => s.pid), ...(db ? { mariadb: [db] } : {}) };
    const cachedRoles = { ...roles, hub: [cachedHub.pid] };
    const catalogueRoles = { ...roles, hub: [catalogueHub.pid] };
    // PostgreSQL runs a process per connection: its CPU is not counted.
    const postgresRoles = { ...roles, hub: [postgresHub.pid] };
    const first = shards[0];
    if (!first) throw new Error('no shards');
    const shardRoles = { shards: [first.pid], ...(db ? { mariadb: [db] } : {}) };
    const hubTarget = (name: string, body: string): LoadTarget => ({
      name,
      url: hub.url,
      body,
      connections: CONNECTIONS,
      amount: HUB_REQUESTS_PER_ROUND,
      processes: roles,
    });
    const catalogueTarget = (name: string, body: string): LoadTarget => {
      const { amount: _amount, ...timed } = hubTarget(name, body);
      return timed;
    };
    // A search through the hub costs every shard's work on this one machine: a fixed number of requests per round.
    const targets: LoadTarget[] = [
      hubTarget('hub text search', text),
      hubTarget('hub filter search', filter),
      hubTarget('hub text search, no totalCount', textPage),
      hubTarget('hub filter search, no totalCount', filterPage),
      // A search the catalogue answers costs milliseconds: timed for as long as one shard's, so that its p99 is one
      // of some hundred searches a round, not the slowest of 8.
      { ...catalogueTarget('hub text search, catalogue', text), url: catalogueHub.url, processes: catalogueRoles },
      { ...catalogueTarget('hub filter search, catalogue', filter), url: catalogueHub.url, processes: catalogueRoles },
      {
        ...catalogueTarget('hub text search, catalogue on PostgreSQL', text),
        url: postgresHub.url,
        processes: postgresRoles,
      },
      {
        ...catalogueTarget('hub filter search, catalogue on PostgreSQL', filter),
        url: postgresHub.url,
        processes: postgresRoles,
      },
      { ...hubTarget('hub text search, entity cache warm', text), url: cachedHub.url, processes: cachedRoles },
      { ...hubTarget('hub filter search, entity cache warm', filter), url: cachedHub.url, processes: cachedRoles },
      { name: `one shard text search`, url: first.url, body: text, connections: CONNECTIONS, processes: shardRoles },
      {
        name: `one shard filter search`,
        url: first.url,
        body: filter,
        connections: CONNECTIONS,
        processes: shardRoles,
      },
    ];
    const seconds = runSeconds(settings, 0.4);
    context.log(
      `  ${targets.length} targets × ${settings.rounds} rounds (fanned-out hub searches: ${HUB_REQUESTS_PER_ROUND} requests; catalogue and one shard: ${seconds} s), ${CONNECTIONS} connection`,
    );
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds,
      warmupSeconds: 2,
      log: context.log,
    });

    // What is left: FULLTEXT instead of LIKE needs a code change (MATCH … AGAINST), timed as the SQL it would issue.
    let fulltext: { table: Table; timings: Array<{ sql: string; ms: number }> } | null = null;
    if (settings.indexTrial) {
      await probe.db.dataSource.query('ALTER TABLE `unit` ADD FULLTEXT INDEX `bench_unit_fulltext` (`searchText`)');
      const words = '+welding* +safety*';
      fulltext = await explainTable(
        probe.db,
        'not done (code change): text search with a FULLTEXT index, as the SQL it would issue',
        [
          {
            sql: 'SELECT COUNT(*) AS cnt FROM `unit` `u` WHERE MATCH(`u`.`searchText`) AGAINST (? IN BOOLEAN MODE)',
            parameters: [words],
          },
          {
            sql: 'SELECT `u`.* FROM `unit` `u` WHERE MATCH(`u`.`searchText`) AGAINST (? IN BOOLEAN MODE) ORDER BY `u`.`sortKey` ASC, `u`.`id` ASC LIMIT 21',
            parameters: [words],
          },
        ],
      );
      await probe.db.dataSource.query('ALTER TABLE `unit` DROP INDEX `bench_unit_fulltext`');
    }
    await stopProbe();

    // The PostgreSQL hub restarted over the catalogue it leaves: each part follows its feed on from its stored
    // position instead of being read whole again.
    await postgresHub.stop();
    const restartStart = Date.now();
    const restartedHub = await startHub(context.cleanup, {
      name: 'hub, catalogue on PostgreSQL, restarted',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { CATALOG: 'on', CATALOG_URL: postgres },
    });
    await catalogueAnswers(restartedHub.url, text, Math.max(600_000, count * 60_000));
    const restartSeconds = (Date.now() - restartStart) / 1000;
    const restartReads = await catalogueUpdates(restartedHub.url);
    context.log(
      `  restarted over its catalogue: current again in ${restartSeconds.toFixed(1)} s, ${restartReads.wholeReads} of ${count} institutions read whole`,
    );

    const get = (name: string) => summaries.get(name);
    const cpuOf = (s: Summary | undefined) =>
      s
        ? (s.cpuMsPerRequest.hub ?? 0) + (s.cpuMsPerRequest.shards ?? 0) + (s.cpuMsPerRequest.mariadb ?? 0)
        : Number.NaN;
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
    const hubText = get('hub text search');
    const hubFilter = get('hub filter search');
    const hubTextPage = get('hub text search, no totalCount');
    const hubFilterPage = get('hub filter search, no totalCount');
    const rows = [
      latencyRow(`hub, text "welding safety" (${count} shards)`, hubText, totals.text),
      latencyRow(`hub, filter eqfLevel 4 + ISCED 07 (${count} shards)`, hubFilter, totals.filter),
      latencyRow('hub, text, no totalCount (no COUNT on any shard)', hubTextPage, undefined),
      latencyRow('hub, filter, no totalCount (no COUNT on any shard)', hubFilterPage, undefined),
      latencyRow(
        "hub with the entity cache warm, text (each shard's page from the cache)",
        get('hub text search, entity cache warm'),
        totals.text,
      ),
      latencyRow('hub with the entity cache warm, filter', get('hub filter search, entity cache warm'), totals.filter),
      latencyRow('hub with the catalogue (embedded SQLite), text', get('hub text search, catalogue'), totals.text),
      latencyRow(
        'hub with the catalogue (embedded SQLite), filter',
        get('hub filter search, catalogue'),
        totals.filter,
      ),
      latencyRow(
        'hub with the catalogue on PostgreSQL, text',
        get('hub text search, catalogue on PostgreSQL'),
        totals.text,
      ),
      latencyRow(
        'hub with the catalogue on PostgreSQL, filter',
        get('hub filter search, catalogue on PostgreSQL'),
        totals.filter,
      ),
      latencyRow('one shard direct, text', get('one shard text search'), undefined),
      latencyRow('one shard direct, filter', get('one shard filter search'), undefined),
    ];
    // On one machine a hub search costs the CPU of all its shards: their sum over the cores bounds the latency.
    const cores = cpus().length;
    const floorRow = (name: string, s: Summary | undefined) => [
      name,
      fmt.ms(cpuOf(s)),
      fmt.ms(cpuOf(s) / cores),
      fmt.ms(s?.p50 ?? Number.NaN),
      fmt.ms(((s?.cpuMsPerRequest.shards ?? Number.NaN) + (s?.cpuMsPerRequest.mariadb ?? Number.NaN)) / count),
    ];
    const p99 = (s: Summary | undefined) => s?.p99 ?? Number.NaN;
    return {
      settings: {
        scale: `${count} institutions × ${units} units × 6 outcomes (BENCH_SCALE=${count}x${units})`,
        rows: Object.fromEntries(sizes.map((s) => [s.t, Number(s.r)])),
        data: `${fmt.num(totalMb, 0)} MB data + indexes in MariaDB (innodb_buffer_pool_size as configured)`,
        schema:
          'as migrated: idx_unit_eqf_order (eqfLevel, sortKey, id); unit.searchText ASCII, ascii_bin (migration 1763900000030)',
        seedSeconds: Math.round(seedSeconds),
        shardStartSeconds: Math.round(shardSeconds),
        connections: CONNECTIONS,
        rounds: settings.rounds,
        hubRequestsPerRound: HUB_REQUESTS_PER_ROUND,
        catalogueAndShardSecondsPerRun: seconds,
      },
      tables: [
        {
          caption: 'search latency — medians over rounds (1 connection)',
          columns: [
            'search',
            'p50 ms',
            'p99 ms',
            'req/s',
            'matches',
            'hub CPU ms/req',
            'shards CPU ms/req',
            'MariaDB CPU ms/req',
            'errors',
          ],
          rows,
        },
        {
          caption: `CPU floor: CPU time one hub search costs on this machine, spread over its ${cores} cores`,
          columns: [
            'search',
            'CPU ms per search (hub + shards + MariaDB)',
            `floor ms (÷ ${cores} cores)`,
            'measured p50 ms',
            'shard + MariaDB CPU ms per shard',
          ],
          rows: [
            floorRow('text, with totalCount', hubText),
            floorRow('filter, with totalCount', hubFilter),
            floorRow('text, no totalCount', hubTextPage),
            floorRow('filter, no totalCount', hubFilterPage),
          ],
        },
        {
          caption: 'the PostgreSQL catalogue at start: from the gateway process starting to every part current',
          columns: ['start', 'seconds', 'institutions read whole'],
          rows: [
            [`first, empty catalogue (with the embedded one's at once)`, fmt.num(catalogueSeconds, 0), fmt.int(count)],
            ['restart over the catalogue it left', fmt.num(restartSeconds, 1), fmt.int(restartReads.wholeReads)],
          ],
        },
        ...plans.map((b) => b.table),
        ...(fulltext ? [fulltext.table] : []),
      ],
      targets: [
        {
          target: `text search p99 ≤ 100 ms (${count} × ${units} units)`,
          measured: `${fmt.ms(p99(hubText))} ms (no totalCount: ${fmt.ms(p99(hubTextPage))} ms)`,
          met: p99(hubText) <= 100,
        },
        {
          target: `filter search p99 ≤ 100 ms (${count} × ${units} units)`,
          measured: `${fmt.ms(p99(hubFilter))} ms (no totalCount: ${fmt.ms(p99(hubFilterPage))} ms)`,
          met: p99(hubFilter) <= 100,
        },
        ...(['catalogue', 'catalogue on PostgreSQL'] as const).flatMap((engine) =>
          (['text', 'filter'] as const).map((kind) => {
            const measured = p99(get(`hub ${kind} search, ${engine}`));
            return {
              target: `${kind} search p99 ≤ 50 ms through the hub with the ${engine === 'catalogue' ? 'embedded catalogue' : engine} (${count} × ${units} units)`,
              measured: `${fmt.ms(measured)} ms`,
              met: measured <= 50,
            };
          }),
        ),
      ],
      notes: [
        `The catalogue rows are hubs with CATALOG=on (the entity cache on, as by default): the page, its order and count come from the catalogue, the 20 units' own data from their owners through the entity cache. Both catalogues were filled from the ${count} shards at start (${fmt.num(catalogueSeconds, 0)} s, both at once).`,
        `Seeded with multi-row INSERTs through the TypeORM entities after each shard's migrations ran (${fmt.num(seedSeconds, 0)} s for ${count} databases).`,
        "The schema is the migrated one: migration 1763900000030 adds INDEX unit(eqfLevel, sortKey, id) and stores unit.searchText (folded, [a-z0-9 ] only) as ASCII with a binary collation on MySQL/MariaDB. Shards run COUNT(*) only when the client selects totalCount, count and page at once, and filter by the qualification's fields with scalar subqueries (no join) so the page is a plain LIMIT.",
        'The targets are measured on a hub with its entity cache off (ENTITY_CACHE=off): every search reaches all shards. The "entity cache warm" rows are a second hub with the cache on, where each shard\'s page of a repeated search comes from the cache until a write changes what it finds.',
        `The ${count} shards, MariaDB, the hub and the load generator share ${cores} cores: a search through the hub cannot finish before its CPU time ÷ ${cores} (the CPU-floor table), however fast each statement is. On separate shard hosts the latency would be that of the slowest shard plus the hub's merge.`,
        "MariaDB's CPU column also counts whatever else used the server meanwhile.",
      ],
      raw: {
        sizes,
        latency: Object.fromEntries(summaries),
        sql: { text: textSql, filter: filterSql },
        statementTimes: plans.map((b) => b.timings),
        fulltext: fulltext?.timings ?? null,
      },
    };
  },
};
