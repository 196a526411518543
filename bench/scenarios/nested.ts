import { randomBytes, randomUUID } from 'node:crypto';
import { mintDemoToken } from '../../scripts/token';
import { hopAudience, signHop } from '../../platform/signed-hop';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { alternate, type LoadTarget, type Summary } from '../lib/load';
import { startHub } from '../lib/processes';
import { fmt } from '../lib/report';
import { NESTED_AGREEMENTS, NESTED_AGREEMENTS_SHARD } from '../queries';
import { HOSTS, seedAgreements, startFederation, UNITS_PER_HOST, type BenchShard } from './nested-agreements-setup';

const PAGE_SIZES = [10, 25, 50, 100];
/** More agreements than the largest page, so that every page has a next one. */
const AGREEMENTS = 110;
const OUTCOMES_PER_UNIT = 6;

interface AgreementPage {
  learningAgreements: {
    nodes: Array<{ current: { units: Array<{ unit: { learningOutcomes?: unknown[] } | null }> } }>;
  };
}

interface Counted {
  page: number;
  rows: number;
  outcomes: number;
  /** Statements per shard, in the order of `Federation.shards`. */
  statements: number[];
}

async function post(url: string, body: string, headers: Record<string, string>, what: string): Promise<AgreementPage> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as { data?: AgreementPage | null; errors?: unknown[] };
  if (answer.errors?.length || !answer.data)
    throw new Error(
      `${what}: ${url} answered ${response.status} ${JSON.stringify(answer.errors ?? 'without data').slice(0, 500)}`,
    );
  return answer.data;
}

/** Sends one request and reads how many statements each shard ran for it (nothing else reaches them meanwhile). */
async function counted(
  shards: readonly BenchShard[],
  page: number,
  send: () => Promise<AgreementPage>,
  what: string,
): Promise<Counted> {
  const before = shards.map((s) => s.shard.db.statements.count);
  const data = await send();
  const statements = shards.map((s, i) => s.shard.db.statements.count - (before[i] ?? 0));
  const nodes = data.learningAgreements.nodes;
  const units = nodes.flatMap((n) => n.current.units);
  const outcomes = units.reduce((sum, u) => sum + (u.unit?.learningOutcomes?.length ?? 0), 0);
  if (nodes.length !== page || units.some((u) => !u.unit))
    throw new Error(
      `${what}: ${nodes.length} agreements (expected ${page}), ${units.filter((u) => !u.unit).length} units unresolved`,
    );
  return { page, rows: units.length, outcomes, statements };
}

/** What a statement reads, for the report: "COUNT learning_agreement", "unit", … */
function statementLabel(query: string): string {
  const table = /\bFROM\s+["`]?(\w+)/i.exec(query)?.[1] ?? query.slice(0, 30);
  return /^\s*SELECT\s+COUNT\(/i.test(query) ? `COUNT ${table}` : table;
}

/** Runs `send` while each shard's statements are noted by what they read (the shards run in this process). */
async function traced<T>(shards: readonly BenchShard[], send: () => Promise<T>): Promise<string[][]> {
  const seen = shards.map(() => [] as string[]);
  const counters = shards.map((s) => s.shard.db.statements);
  counters.forEach((counter, i) => {
    const count = counter.logQuery.bind(counter);
    counter.logQuery = (query: string) => {
      count(query);
      if (!query.startsWith('/*')) seen[i]?.push(statementLabel(query));
    };
  });
  try {
    await send();
  } finally {
    // The own property shadowed the class's method; removing it restores the method.
    for (const counter of counters) Reflect.deleteProperty(counter, 'logQuery');
  }
  return seen;
}

/** One figure when every shard of a group ran as many statements, else each one's. */
function each(values: readonly number[]): string {
  return new Set(values).size <= 1 ? String(values[0] ?? '–') : values.join(' / ');
}

/**
 * Scenario 3: learning agreements with their units and outcomes from other shards. A page of the sending
 * institution's agreements (mobilities shard), each agreed unit resolved through the hub's `_entities` calls
 * at the hosting institutions' qualifications shards. SQL statements per request at every shard must not grow
 * with the rows; latency per page size, with the hub's entity cache off (the routing cost) and on (warm).
 */
export const nested: Scenario = {
  name: 'nested',
  title: 'Nested entity resolution: learning agreements → units → outcomes from other shards; page 10 → 100',
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const federation = await startFederation(context);
    const tokenSecret = randomBytes(24).toString('base64url');
    // Demo tokens (a coordinator of the sending institution) are refused in production mode.
    const hubEnv = { NODE_ENV: 'development', HUB_DEMO_TOKEN_SECRET: tokenSecret };
    const common = {
      registryPath: federation.registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
    };
    const hubOff = await startHub(context.cleanup, {
      ...common,
      name: 'hub, entity cache off',
      env: { ...hubEnv, ENTITY_CACHE: 'off' },
    });
    const hubOn = await startHub(context.cleanup, {
      ...common,
      name: 'hub, entity cache on',
      env: { ...hubEnv, ENTITY_CACHE: 'on' },
    });
    const sendingMobilities = await federation.startSendingMobilities(hubOff.url);
    const seedStart = Date.now();
    await seedAgreements(federation, sendingMobilities, hubOff.url, tokenSecret, AGREEMENTS);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    context.log(
      `  ${AGREEMENTS} signed learning agreements of ${federation.sending} with units at ${HOSTS} hosts (${seedSeconds.toFixed(1)} s)`,
    );

    const { sending, shards } = federation;
    const token = await mintDemoToken({
      institution: sending,
      roles: ['coordinator'],
      subject: 'bench:nested',
      secret: tokenSecret,
    });
    const bearer = { authorization: `Bearer ${token}` };
    const hubBody = (page: number) => JSON.stringify({ query: NESTED_AGREEMENTS, variables: { first: page } });
    const viaHub = (url: string, page: number) => () => post(url, hubBody(page), bearer, `page of ${page}`);
    // The shard's part of the query, signed as the hub signs it for the same caller (each hop signed afresh: shards refuse replays).
    const direct = (page: number) => async () => {
      const operation = { query: NESTED_AGREEMENTS_SHARD, variables: { first: page } };
      const headers = await signHop({
        key: context.hopKeys.key,
        audience: hopAudience('mobilities', sending),
        caller: { institution: sending, roles: ['coordinator'], learnerId: null, subject: 'bench:nested' },
        requestId: randomUUID(),
        operation,
      });
      return post(sendingMobilities.url, JSON.stringify(operation), headers, `direct page of ${page}`);
    };

    // The cache-on hub's first request meets an empty cache: every unit, outcome and institution is fetched.
    const largest = PAGE_SIZES.at(-1) as number;
    const cold = await counted(shards, largest, viaHub(hubOn.url, largest), 'cold cache');
    const off: Counted[] = [];
    const directCounts: Counted[] = [];
    const warm: Counted[] = [];
    for (const page of PAGE_SIZES) {
      await viaHub(hubOff.url, page)();
      await viaHub(hubOn.url, page)();
      directCounts.push(await counted(shards, page, direct(page), `direct page of ${page}`));
      off.push(await counted(shards, page, viaHub(hubOff.url, page), `page of ${page}, cache off`));
      warm.push(await counted(shards, page, viaHub(hubOn.url, page), `page of ${page}, cache on`));
    }
    const smallest = PAGE_SIZES[0] as number;
    const readsOff = await traced(shards, viaHub(hubOff.url, smallest));
    const readsWarm = await traced(shards, viaHub(hubOn.url, smallest));
    const sendingIndex = shards.findIndex((s) => s.kind === 'mobilities' && s.role === 'sending');
    const indexes = (kind: BenchShard['kind'], role: BenchShard['role']) =>
      shards.flatMap((s, i) => (s.kind === kind && s.role === role ? [i] : []));
    const hostMobilities = indexes('mobilities', 'hosting');
    const hostQualifications = indexes('qualifications', 'hosting');
    const sendingQualifications = indexes('qualifications', 'sending');
    const pick = (c: Counted, at: readonly number[]) => at.map((i) => c.statements[i] ?? Number.NaN);
    const total = (c: Counted) => c.statements.reduce((a, b) => a + b, 0);
    const statementRow = (label: string, c: Counted, directCount?: Counted) => [
      label,
      `${c.page} × 1 = ${c.rows}`,
      String(c.outcomes),
      ...(directCount ? [String(directCount.statements[sendingIndex])] : []),
      String(c.statements[sendingIndex]),
      each(pick(c, hostMobilities)),
      each(pick(c, hostQualifications)),
      each(pick(c, sendingQualifications)),
      String(total(c)),
    ];
    // Constant: every shard runs the same number of statements at every page size.
    const constant = (list: readonly Counted[]) =>
      shards.every((_, i) => new Set(list.map((c) => c.statements[i])).size === 1);
    const directConstant = new Set(directCounts.map((c) => c.statements[sendingIndex])).size === 1;
    const offConstant = constant(off) && directConstant;
    const warmConstant = constant(warm);
    const series = (list: readonly Counted[], at: readonly number[]) => list.map((c) => each(pick(c, at))).join(' / ');

    const seconds = runSeconds(settings, 0.4);
    const targets: LoadTarget[] = PAGE_SIZES.flatMap((page) => [
      {
        name: `cache off, page ${page}`,
        url: hubOff.url,
        body: hubBody(page),
        headers: bearer,
        connections: 1,
        processes: { hub: [hubOff.pid] },
      },
      {
        name: `cache on, page ${page}`,
        url: hubOn.url,
        body: hubBody(page),
        headers: bearer,
        connections: 1,
        processes: { hub: [hubOn.pid] },
      },
    ]);
    context.log(`  ${targets.length} targets × ${settings.rounds} rounds × ${seconds} s, 1 connection`);
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds,
      warmupSeconds: 1,
      log: context.log,
    });
    const get = (name: string) => summaries.get(name) as Summary;
    const base = get(`cache off, page ${PAGE_SIZES[0]}`);
    const errors = [...summaries.values()].reduce((sum, s) => sum + s.errors + s.sizeMismatches, 0);

    const shardsNote = `${HOSTS} hosting institutions`;
    // NESTED_AGREEMENTS selects no totalCount: a COUNT here is a statement the shard could skip.
    const countsUnasked = readsOff.some(
      (reads, i) => shards[i]?.kind === 'mobilities' && reads.some((r) => r.startsWith('COUNT ')),
    );
    return {
      settings: {
        query: NESTED_AGREEMENTS.replace(/\s+/g, ' ').trim(),
        token: `coordinator of ${sending} (the sending institution)`,
        federation: `${HOSTS + 1} institutions, each a qualifications and a mobilities shard, in the bench process (to read their statement counters), SQLite; ${sending} sends, ${federation.hosts.join(', ')} host`,
        agreements: `${AGREEMENTS} signed agreements at ${sending}, one agreed unit each, hosts in turn; ${UNITS_PER_HOST} units × ${OUTCOMES_PER_UNIT} outcomes per host`,
        pages: `first = ${PAGE_SIZES.join(' / ')} agreements = as many agreed units (rows)`,
        hubs: 'two hub processes on the same shards: ENTITY_CACHE=off and ENTITY_CACHE=on',
        seedSeconds: Number(seedSeconds.toFixed(1)),
        connections: 1,
        rounds: settings.rounds,
        secondsPerRun: seconds,
      },
      tables: [
        {
          caption: `SQL statements per request, entity cache off (the routing cost): each shard's statement counter, one request at a time (${shardsNote}: figures per shard)`,
          columns: [
            'page',
            'agreements × units',
            'outcomes',
            'sending mobilities, direct',
            'sending mobilities',
            'hosting mobilities',
            'hosting qualifications',
            'sending qualifications',
            'all shards',
          ],
          rows: off.map((c, i) => statementRow(`${c.page}`, c, directCounts[i])),
        },
        {
          caption: `SQL statements per request, entity cache on: the first request (cold) and then warm, every unit of the page cached (${shardsNote}: figures per shard)`,
          columns: [
            'page',
            'agreements × units',
            'outcomes',
            'sending mobilities',
            'hosting mobilities',
            'hosting qualifications',
            'sending qualifications',
            'all shards',
          ],
          rows: [statementRow(`${cold.page}, cold`, cold), ...warm.map((c) => statementRow(`${c.page}, warm`, c))],
        },
        {
          caption: `what each shard reads for one request of page ${smallest}, in order`,
          columns: ['shard', 'entity cache off', 'entity cache on, warm'],
          rows: shards.map((s, i) => [s.label, readsOff[i]?.join(', ') || '–', readsWarm[i]?.join(', ') || '–']),
        },
        {
          caption: 'latency through the hub per page size — medians over rounds (1 connection)',
          columns: [
            'page',
            'cache off p50 ms',
            'p99 ms',
            'req/s',
            'hub CPU ms/req',
            'p50 × page 10',
            'cache on p50 ms',
            'p99 ms',
            'req/s',
            'hub CPU ms/req',
            'on / off p50',
          ],
          rows: PAGE_SIZES.map((page) => {
            const o = get(`cache off, page ${page}`);
            const w = get(`cache on, page ${page}`);
            return [
              String(page),
              fmt.ms(o.p50),
              fmt.ms(o.p99),
              fmt.int(o.rps),
              fmt.ms(o.cpuMsPerRequest.hub ?? Number.NaN),
              fmt.ratio(o.p50 / base.p50),
              fmt.ms(w.p50),
              fmt.ms(w.p99),
              fmt.int(w.rps),
              fmt.ms(w.cpuMsPerRequest.hub ?? Number.NaN),
              fmt.ratio(w.p50 / o.p50),
            ];
          }),
        },
      ],
      targets: [
        {
          target:
            'SQL statements per request constant from 10 to 100 agreements × units (every shard, entity cache off)',
          measured:
            `sending mobilities ${series(off, [sendingIndex])} (direct ${series(directCounts, [sendingIndex])}); ` +
            `each hosting qualifications ${series(off, hostQualifications)}; all shards ${off.map(total).join(' / ')}; ` +
            `cache on, warm: all shards ${warm.map(total).join(' / ')}, hosting qualifications ${series(warm, hostQualifications)}`,
          met: offConstant && warmConstant,
        },
      ],
      notes: [
        `The sending institution's coordinator reads a page of its learning agreements; each agreed unit lives in a hosting institution's qualifications shard, which the hub reaches with one \`_entities\` call per shard and fetch step, whatever the number of rows. The page of ${largest} costs 48,600 by the hub's query cost rule (limit 50,000).`,
        `Seeding: the memorandum (the ${HOSTS} hosts' qualifications) and the first agreement are made through the hub's API (hub checks, three signatures); the other ${AGREEMENTS - 1} are that agreement's rows copied with new IDs, learner, host, unit, points and outcome IDs, as the service writes them (their audit entries and outbox events are not copied; no read touches them).`,
        'Both hubs run with NODE_ENV=development so that they accept the demo token of a coordinator (production refuses demo tokens); nothing on the read path differs.',
        '"sending mobilities, direct" is the shard\'s part of the query sent to it with a hop signed for the same caller; only counted, not timed under load (each direct call needs a freshly signed hop: shards refuse replayed signatures).',
        "The shards run inside the bench process, next to the load generator, so the latencies include some of the generator's work; errors and odd answers in the load runs: " +
          String(errors) +
          '.',
        'Learning agreements are personal data and are never cached: with the cache warm the mobilities shards run the same statements, the qualifications shards none.',
        ...(countsUnasked
          ? [
              'Left open (subgraphs/mobilities, not the bench): `learningAgreements` runs COUNT(*) on every mobilities shard although totalCount is not selected (the units search counts only when asked since the data-scale work) — one statement per mobilities shard and request, constant but avoidable.',
            ]
          : []),
      ],
      raw: {
        statements: {
          shards: shards.map((s) => s.label),
          direct: directCounts,
          cacheOff: off,
          cacheOnCold: cold,
          cacheOnWarm: warm,
        },
        latency: Object.fromEntries(summaries),
      },
    };
  },
};
