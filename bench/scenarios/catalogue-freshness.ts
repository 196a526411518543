import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { Agent, request } from 'undici';
import { mintDemoToken } from '../../scripts/token';
import { OUTBOX_POLL_MS } from '../../subgraphs/shared/outbox/outbox';
import type { Scenario } from '../lib/context';
import { catalogueAnswers, createBenchCatalogueDatabase } from '../lib/catalogue';
import { positive } from '../lib/env';
import { percentile } from '../lib/load';
import { startHub, type Service } from '../lib/processes';
import { fmt, type Table } from '../lib/report';
import { startSeededShards } from '../lib/seeded-shards';

/**
 * Writer loops per institution, by how many units each rewrites in turn with a coordinator's token: one unit back to
 * back (its next write is sent the moment the last is acknowledged), and a few in rotation.
 */
const WRITER_UNITS = [1, 6];
const PROBES_PER_INSTITUTION = WRITER_UNITS.reduce((sum, n) => sum + n, 0);
const SEARCH_READERS = 4;
const LIST_READERS = 2;
/** A list read walks an institution's probe units in pages this long (its cursors included). */
const LIST_PAGE = 4;
/** The stated bound for a change made past the hub (README, "Entity cache"): the shard's poll, then the hop. */
const BOUND_MS = OUTBOX_POLL_MS + 250;
/** A plain-SQL change not seen after this long is counted as never seen. */
const GIVE_UP_MS = 10_000;

const WRITE_TITLE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }';
const SEARCH = 'query($now: String) { now: units(filter: { text: $now }, first: 5) { nodes { id } } }';
const SEARCH_WITH_BEFORE = `query($now: String, $before: String) {
  now: units(filter: { text: $now }, first: 5) { nodes { id } }
  before: units(filter: { text: $before }, first: 5) { nodes { id } }
}`;
const LIST = `query($institution: ID, $after: String) {
  units(filter: { institution: $institution, text: "freshness" }, first: ${LIST_PAGE}, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { id }
  }
}`;

/**
 * A unique word per write: fixed length, so that no probe word is part of another (the catalogue matches parts of
 * words), and in base 36 so that titles sort in the order they were written.
 */
const wordOf = (seq: number) => `fq${seq.toString(36).padStart(6, '0')}z`;
const titleOf = (seq: number) => `Freshness ${wordOf(seq)}`;

/** What the writers know of one probe unit: every acknowledged word in order, and the last write sent. */
interface ProbeUnit {
  id: string;
  institution: string;
  acked: number[];
  started: number;
}

interface Answer {
  data?: Record<
    string,
    { nodes?: Array<{ id: string } | null>; pageInfo?: { hasNextPage: boolean; endCursor: string } }
  >;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  extensions?: { catalogue?: { stale?: Array<{ institution: string; reason: string }> } };
}

interface MixedRun {
  seconds: number;
  writes: number;
  writeErrors: number;
  searches: number;
  listPages: number;
  listWalks: number;
  /** Answers showing a probe unit older than its last write acknowledged before the read started. */
  staleSearches: number;
  staleWalks: number;
  /** Reads whose unit a write was under way for: whether they are stale cannot be told, so they are not judged. */
  undecided: number;
  /** Answers not from a current catalogue (`X-Hub-Catalogue` other than `current`), or with errors. */
  notCurrent: number;
  readErrors: number;
  readP50: number;
  readP99: number;
  /** Plain-SQL changes: ms from the commit to the first hub answer showing them (sorted). */
  sqlLags: number[];
  sqlMissed: number;
  /** Hub answers that still did not show a plain-SQL change after the bound. */
  sqlAnswersPastBound: number;
  staleExamples: string[];
  /** The first errors and stale-institution notes seen, to tell why (a write timed out, a feed was late). */
  otherExamples: string[];
}

interface OtherProgram {
  rename(localId: string, title: string): Promise<void>;
  close(): Promise<void>;
}

/** A connection of its own to a shard's database, as the institution's own system would open it. */
async function openOtherProgram(databaseUrl: string): Promise<OtherProgram> {
  const sql = 'UPDATE unit SET titles = ? WHERE id = ?';
  const titles = (title: string) => JSON.stringify([{ lang: 'en', value: title }]);
  if (databaseUrl.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(databaseUrl.slice('sqlite:'.length));
    connection.pragma('busy_timeout = 5000');
    const statement = connection.prepare(sql);
    return {
      rename: async (localId, title) => {
        statement.run(titles(title), localId);
      },
      close: async () => {
        connection.close();
      },
    };
  }
  const connection = await createConnection({ uri: databaseUrl });
  return {
    rename: async (localId, title) => {
      await connection.execute(sql, [titles(title), localId]);
    },
    close: () => connection.end(),
  };
}

interface Phase {
  hubUrl: string;
  tokens: Map<string, string>;
  probes: ProbeUnit[];
  sqlUnits: Array<{ id: string; program: OtherProgram }>;
  seconds: number;
  nextSeq: () => number;
}

/**
 * Writers rename probe units through the hub; readers search each one's acknowledged word (and the word before it)
 * and walk each institution's probe units page by page; the other programs rename other units in plain SQL and
 * time until a hub search finds them.
 */
async function mixedRun(phase: Phase): Promise<MixedRun> {
  const agent = new Agent({ connections: 64 });
  const post = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const response = await request(phase.hubUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await response.body.json()) as Answer;
    return { json, catalogue: response.headers['x-hub-catalogue'] };
  };
  const result: MixedRun = {
    seconds: phase.seconds,
    writes: 0,
    writeErrors: 0,
    searches: 0,
    listPages: 0,
    listWalks: 0,
    staleSearches: 0,
    staleWalks: 0,
    undecided: 0,
    notCurrent: 0,
    readErrors: 0,
    readP50: 0,
    readP99: 0,
    sqlLags: [],
    sqlMissed: 0,
    sqlAnswersPastBound: 0,
    staleExamples: [],
    otherExamples: [],
  };
  const stale = (what: string) => {
    if (result.staleExamples.length < 5) result.staleExamples.push(what);
  };
  const other = (what: string, json: Answer) => {
    const detail = json.errors?.[0]
      ? `${json.errors[0].extensions?.code ?? ''} ${json.errors[0].message}`
      : JSON.stringify(json.extensions?.catalogue?.stale ?? []);
    if (result.otherExamples.length < 5) result.otherExamples.push(`${what}: ${detail.slice(0, 200)}`);
  };
  const latencies: number[] = [];
  const read = async (query: string, variables: Record<string, unknown>) => {
    const started = performance.now();
    const answer = await post(query, variables);
    latencies.push(performance.now() - started);
    if (answer.json.errors || !answer.json.data) {
      result.readErrors += 1;
      other('read', answer.json);
    } else if (answer.catalogue !== 'current') {
      result.notCurrent += 1;
      other(`read answered ${String(answer.catalogue ?? 'not from the catalogue')}`, answer.json);
    }
    return answer.json.data ?? {};
  };
  const ids = (list: { nodes?: Array<{ id: string } | null> } | undefined) =>
    new Set((list?.nodes ?? []).flatMap((node) => (node ? [node.id] : [])));
  let running = true;

  const writer = async (units: ProbeUnit[]) => {
    for (let turn = 0; running; turn += 1) {
      const unit = units[turn % units.length] as ProbeUnit;
      const seq = phase.nextSeq();
      unit.started = seq;
      const { json } = await post(
        WRITE_TITLE,
        { id: unit.id, title: titleOf(seq) },
        phase.tokens.get(unit.institution),
      );
      if (json.errors) {
        result.writeErrors += 1;
        other('write', json);
        // Its outcome is unknown: the unit stays under way and its reads are not judged.
        continue;
      }
      unit.acked.push(seq);
      result.writes += 1;
    }
  };

  const searcher = async () => {
    while (running) {
      const written = phase.probes.filter((unit) => unit.acked.length > 0);
      const unit = written[Math.floor(Math.random() * written.length)];
      if (!unit) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const now = unit.acked.at(-1) as number;
      const before = unit.acked.at(-2);
      const data = await read(
        before === undefined ? SEARCH : SEARCH_WITH_BEFORE,
        before === undefined ? { now: wordOf(now) } : { now: wordOf(now), before: wordOf(before) },
      );
      result.searches += 1;
      // The word before the last acknowledged one is never written again: finding it is stale whatever came since.
      if (ids(data.before).has(unit.id)) {
        result.staleSearches += 1;
        stale(`${unit.id} found by ${wordOf(before as number)} after ${wordOf(now)} was acknowledged`);
      } else if (!ids(data.now).has(unit.id)) {
        if (unit.started !== now) result.undecided += 1;
        else {
          result.staleSearches += 1;
          stale(`${unit.id} not found by ${wordOf(now)}, acknowledged before the search`);
        }
      }
    }
  };

  const institutions = [...new Set(phase.probes.map((unit) => unit.institution))];
  const lister = async (first: number) => {
    for (let turn = first; running; turn += 1) {
      const institution = institutions[turn % institutions.length] as string;
      const own = phase.probes.filter((unit) => unit.institution === institution);
      const ackedAtStart = new Map(own.map((unit) => [unit.id, unit.acked.at(-1)]));
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 50; page += 1) {
        const data = await read(LIST, { institution, after });
        result.listPages += 1;
        const list = data.units;
        seen.push(...ids(list));
        if (!list?.pageInfo?.hasNextPage) break;
        after = list.pageInfo.endCursor;
      }
      result.listWalks += 1;
      // A unit written while the walk went on may move (to the end: later words sort later) and be seen twice;
      // one that stayed put must be seen once, in the order of its acknowledged word.
      const settled = own.filter((unit) => {
        const acked = ackedAtStart.get(unit.id);
        return acked !== undefined && unit.started === acked;
      });
      const order = seen.filter((id) => settled.some((unit) => unit.id === id));
      const expected = [...settled]
        .sort((a, b) => (ackedAtStart.get(a.id) as number) - (ackedAtStart.get(b.id) as number))
        .map((unit) => unit.id);
      if (order.join() !== expected.join()) {
        result.staleWalks += 1;
        stale(`${institution}: walk saw ${order.join(' ')}, acknowledged order ${expected.join(' ')}`);
      }
    }
  };

  const sqlWriter = async (unit: { id: string; program: OtherProgram }) => {
    const localId = unit.id.slice(unit.id.indexOf(':') + 1);
    while (running) {
      const seq = phase.nextSeq();
      await unit.program.rename(localId, titleOf(seq));
      const committed = performance.now();
      let lag: number | null = null;
      while (performance.now() - committed < GIVE_UP_MS) {
        const { json } = await post(SEARCH, { now: wordOf(seq) });
        const answered = performance.now() - committed;
        if (ids(json.data?.now).has(unit.id)) {
          lag = answered;
          break;
        }
        if (answered > BOUND_MS) result.sqlAnswersPastBound += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (lag === null) result.sqlMissed += 1;
      else result.sqlLags.push(lag);
    }
  };

  const writers = institutions.flatMap((institution) => {
    const own = phase.probes.filter((unit) => unit.institution === institution);
    return WRITER_UNITS.map((n, w) => {
      const from = WRITER_UNITS.slice(0, w).reduce((sum, m) => sum + m, 0);
      return writer(own.slice(from, from + n));
    });
  });
  const loops = [
    ...writers,
    ...Array.from({ length: SEARCH_READERS }, searcher),
    ...Array.from({ length: LIST_READERS }, (_, i) => lister(i)),
    ...phase.sqlUnits.map(sqlWriter),
  ];
  await new Promise((resolve) => setTimeout(resolve, phase.seconds * 1_000));
  running = false;
  await Promise.all(loops);
  await agent.close();
  latencies.sort((a, b) => a - b);
  result.readP50 = percentile(latencies, 50);
  result.readP99 = percentile(latencies, 99);
  result.sqlLags.sort((a, b) => a - b);
  return result;
}

const lagRow = (engine: string, run: MixedRun) => {
  const past = run.sqlLags.filter((lag) => lag > BOUND_MS).length;
  return [
    engine,
    fmt.int(run.sqlLags.length + run.sqlMissed),
    fmt.ms(percentile(run.sqlLags, 50)),
    fmt.ms(percentile(run.sqlLags, 99)),
    fmt.ms(run.sqlLags.at(-1) ?? Number.NaN),
    String(past),
    String(run.sqlAnswersPastBound),
    String(run.sqlMissed),
  ];
};

/**
 * Issue 20: the catalogue's freshness in a mixed read/write run. Real qualifications shards (SQLite, or MariaDB with
 * BENCH_MYSQL_URL) behind one hub at a time, first with the embedded catalogue, then with one on PostgreSQL: every
 * read that started after a write through the hub was acknowledged must show it, and a plain-SQL change past the
 * hub must show within the stated bound.
 */
export const catalogueFreshness: Scenario = {
  name: 'catalogue-freshness',
  title: 'Catalogue freshness: writes through the hub and plain SQL against searches and list pages, each engine',
  estimate: '~1.5 min',
  async run(context) {
    const scale = (process.env.BENCH_FRESHNESS_SCALE ?? '3x300').match(/^(\d+)x(\d+)$/);
    if (!scale) throw new Error('BENCH_FRESHNESS_SCALE: expected <institutions>x<units>, e.g. 3x300');
    const count = Number(scale[1]);
    const units = Number(scale[2]);
    if (count < 1 || units <= PROBES_PER_INSTITUTION)
      throw new Error(`BENCH_FRESHNESS_SCALE: at least 1 institution and ${PROBES_PER_INSTITUTION + 1} units each`);
    const seconds = positive('BENCH_FRESHNESS_SECONDS', 20);
    // MariaDB only when asked for: the shards' own SQLite files need nothing but this machine.
    const mysql = process.env.BENCH_MYSQL_URL ? context.settings.mysqlUrl : null;
    const names = Array.from({ length: count }, (_, i) => `bench_freshness_${i + 1}`);
    if (mysql) {
      const admin = await createConnection({ uri: `${mysql}/` });
      context.cleanup.add('close the MariaDB admin connection', () => admin.end());
      const dropAll = async () => {
        for (const name of names) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      };
      await dropAll(); // leftovers of an interrupted run
      context.cleanup.add(`drop databases ${names.join(', ')}`, dropAll);
    }
    const databaseUrls = names.map((name) =>
      mysql ? `${mysql}/${name}` : `sqlite:${join(context.tmp, `${name}.sqlite`)}`,
    );
    const { seeded, registryPath } = await startSeededShards(context, 'catalogue-freshness', databaseUrls, units);
    const tokenSecret = randomBytes(24).toString('base64url');
    const tokens = new Map<string, string>();
    const probes: ProbeUnit[] = [];
    const sqlUnits: Phase['sqlUnits'] = [];
    for (const [i, data] of seeded.entries()) {
      const code = data.institution.code;
      tokens.set(code, await mintDemoToken({ institution: code, roles: ['coordinator'], secret: tokenSecret }));
      for (const unit of data.units.slice(0, PROBES_PER_INSTITUTION))
        probes.push({ id: `${code}:${unit.id}`, institution: code, acked: [], started: 0 });
      const program = await openOtherProgram(databaseUrls[i] as string);
      context.cleanup.add(`close the plain-SQL connection to ${code}`, () => program.close());
      sqlUnits.push({ id: `${code}:${data.units[PROBES_PER_INSTITUTION]?.id as string}`, program });
    }
    let seq = 0;
    const nextSeq = () => (seq += 1);

    const engines: Array<{ name: string; env: () => Promise<Record<string, string>> }> = [
      { name: 'embedded SQLite', env: async () => ({}) },
      {
        name: 'PostgreSQL',
        env: async () => ({
          CATALOG_URL: await createBenchCatalogueDatabase(context.cleanup, 'bench_catalogue_freshness'),
        }),
      },
    ];
    const runs: Array<{ engine: string; run: MixedRun; fillSeconds: number }> = [];
    for (const engine of engines) {
      const started = Date.now();
      const hub: Service = await startHub(context.cleanup, {
        name: `hub, catalogue ${engine.name}`,
        registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        // Development: the writers' demo tokens are refused in production; nothing on the read path differs.
        env: { CATALOG: 'on', HUB_DEMO_TOKEN_SECRET: tokenSecret, NODE_ENV: 'development', ...(await engine.env()) },
      });
      await catalogueAnswers(hub.url, JSON.stringify({ query: '{ units(first: 1) { totalCount } }' }), 120_000);
      const fillSeconds = (Date.now() - started) / 1000;
      context.log(
        `  ${engine.name}: hub up and its catalogue filled in ${fmt.num(fillSeconds, 1)} s; mixed run ${seconds} s`,
      );
      const run = await mixedRun({ hubUrl: hub.url, tokens, probes, sqlUnits, seconds, nextSeq });
      await hub.stop();
      context.log(
        `  ${engine.name}: ${run.writes} writes, ${run.searches} searches (${run.staleSearches} stale, ${run.undecided} undecided), ${run.listWalks} list walks (${run.staleWalks} stale), ${run.sqlLags.length} plain-SQL changes seen (max ${fmt.ms(run.sqlLags.at(-1) ?? Number.NaN)} ms)`,
      );
      for (const line of [...run.staleExamples, ...run.otherExamples]) context.log(`    ${line}`);
      runs.push({ engine: engine.name, run, fillSeconds });
    }

    const perSecond = (n: number, run: MixedRun) => fmt.num(n / run.seconds, 0);
    const mixedTable: Table = {
      caption: `mixed run, ${seconds} s per engine: ${count * WRITER_UNITS.length} writers (per institution: ${WRITER_UNITS.join(' and ')} units, back to back), ${SEARCH_READERS} searchers, ${LIST_READERS} list walkers (pages of ${LIST_PAGE}), ${count} plain-SQL writers`,
      columns: [
        'engine',
        'writes/s',
        'reads/s',
        'read p50 ms',
        'read p99 ms',
        'searches',
        'stale searches',
        'list walks',
        'stale walks',
        'undecided',
        'not current',
        'errors (read/write)',
      ],
      rows: runs.map(({ engine, run }) => [
        engine,
        perSecond(run.writes, run),
        perSecond(run.searches + run.listPages, run),
        fmt.ms(run.readP50),
        fmt.ms(run.readP99),
        fmt.int(run.searches),
        String(run.staleSearches),
        fmt.int(run.listWalks),
        String(run.staleWalks),
        fmt.int(run.undecided),
        String(run.notCurrent),
        `${run.readErrors}/${run.writeErrors}`,
      ]),
    };
    const lagTable: Table = {
      caption: `plain-SQL changes (UPDATE unit SET titles), commit to the first hub search showing them; bound ${BOUND_MS} ms (OUTBOX_POLL_MS ${OUTBOX_POLL_MS} + 250)`,
      columns: [
        'engine',
        'changes',
        'lag p50 ms',
        'lag p99 ms',
        'lag max ms',
        'changes past the bound',
        'answers past the bound',
        'never seen',
      ],
      rows: runs.map(({ engine, run }) => lagRow(engine, run)),
    };
    return {
      settings: {
        scale: `${count} institutions × ${units} units (BENCH_FRESHNESS_SCALE=${count}x${units})`,
        shards: mysql ? 'MariaDB (BENCH_MYSQL_URL)' : 'SQLite files',
        secondsPerEngine: seconds,
        phases: 'one hub at a time on the same shards: embedded SQLite catalogue, then PostgreSQL',
        boundMs: BOUND_MS,
        fillSeconds: Object.fromEntries(runs.map(({ engine, fillSeconds }) => [engine, Math.round(fillSeconds)])),
      },
      tables: [mixedTable, lagTable],
      targets: runs.flatMap(({ engine, run }) => {
        const staleAnswers = run.staleSearches + run.staleWalks;
        const past = run.sqlLags.filter((lag) => lag > BOUND_MS).length + run.sqlMissed;
        return [
          {
            target: `0 answers older than the last acknowledged write through the hub (${engine} catalogue)`,
            measured: `${staleAnswers} (${fmt.int(run.searches)} searches, ${fmt.int(run.listWalks)} list walks, ${fmt.int(run.writes)} writes)`,
            met: staleAnswers === 0 && run.writes > 0 && run.searches > 0 && run.listWalks > 0,
          },
          {
            target: `plain-SQL changes visible within ${BOUND_MS} ms (${engine} catalogue)`,
            measured: `max ${fmt.ms(run.sqlLags.at(-1) ?? Number.NaN)} ms, p99 ${fmt.ms(percentile(run.sqlLags, 99))} ms; ${past} of ${run.sqlLags.length + run.sqlMissed} past the bound`,
            met: past === 0 && run.sqlLags.length > 0,
          },
        ];
      }),
      notes: [
        "Two phases on the same shards, one hub each (a write through one hub reaches another hub only through the feed, as any other writer's): first the embedded catalogue, then one on PostgreSQL; each hub fills its catalogue from the shards at start.",
        `Writers rename their own units through the hub with a coordinator's token, each title a word never used before ("Freshness fq…z", in write order). A search for a unit's last acknowledged word is stale if it misses the unit though no later write of it had been sent before the answer came, or if the word before it still finds the unit; reads whose unit a write was under way for are "undecided" and not judged. A list walk pages through one institution's renamed units (text "freshness", ${LIST_PAGE} a page) and is stale if a unit not written during the walk is missing, repeated or out of the order of its acknowledged words.`,
        `Plain-SQL writers (one per institution, one unit each) UPDATE a title through their own connection to the shard's database and search its new word through the hub until found, under the same load. The bound is the entity cache's for other writers (README): the shard looks for such changes every OUTBOX_POLL_MS (${OUTBOX_POLL_MS} ms), then the feed's hop; the catalogue's read of the changed unit is part of it.`,
        "Every process (shards, hub, PostgreSQL, this load generator) shares this machine's cores: lags and latencies grow with the load average.",
        ...runs.flatMap(({ engine, run }) => {
          const examples = [...run.staleExamples, ...run.otherExamples];
          return examples.length > 0 ? [`${engine}, first answers of note: ${examples.join('; ')}`] : [];
        }),
      ],
      raw: Object.fromEntries(runs.map(({ engine, run }) => [engine, run])),
    };
  },
};
