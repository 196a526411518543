import { join } from 'node:path';
import { Pool } from 'pg';
import {
  createPostgresEngine,
  createSqliteEngine,
  langTextsOf,
  searchStatements,
  type CatalogueEngine,
  type InstitutionPart,
  type SearchRequest,
  type Statement,
  type TextMatch,
} from '../../gateway/catalogue';
import { foldText } from '../../schema/cursor';
import type { Scenario } from '../lib/context';
import {
  benchCatalogueUrl,
  createBenchCatalogueDatabase,
  keptCatalogues,
  type KeptCatalogueManifest,
} from '../lib/catalogue';
import { postgresCopier, sqliteCopier, type InstitutionCopier } from '../lib/catalogue-copies';
import { benchCode, benchInstitution, loadTemplates, scaledData } from '../lib/data';
import { median, percentile } from '../lib/load';
import { fmt, type Table } from '../lib/report';

const RUNS = 200;
const WARMUP = 20;
/**
 * A search slower than this in all (a second or more each) stops after its warm-up and MIN_RUNS timed runs, so that
 * one slow search does not hold the scenario for most of an hour; the table gives each search's number of runs.
 */
const SEARCH_SECONDS = 60;
const MIN_RUNS = 20;
/** Up to this size the PostgreSQL engine's former text match is measured beside it (its index takes long to build). */
const MAX_UNITS_FOR_BEFORE = 200_000;
/** Institutions written through the engines unless BENCH_CATALOG_WRITTEN says otherwise; the others are copies. */
const DEFAULT_WRITTEN = 10;

/**
 * The PostgreSQL engine's text match before its word index, measured beside it on the same tables: `LIKE` on the
 * folded text through a trigram GIN index, every candidate's text checked again.
 */
const trigramMatch: TextMatch = (_list, words) => ({
  sql: words.map(() => 'r.search_text LIKE ?').join(' AND '),
  params: words.map((word) => `%${word}%`),
});
const numbered = (statement: Statement) => {
  let n = 0;
  return { text: statement.sql.replace(/\?/g, () => `$${++n}`), values: statement.params };
};
const concat = (...parts: string[]) => parts.join(' || ');

type Search = (request: SearchRequest) => Promise<{ items: unknown[]; totalCount: number | null }>;

/** Searches as the PostgreSQL engine did with `trigramMatch`, through its own pool. */
function trigramSearch(pool: Pool): Search {
  return async (request) => {
    const { page, count } = searchStatements(request, trigramMatch, { concat });
    const [rows, counted] = await Promise.all([
      pool.query(numbered(page)),
      count ? pool.query<{ n: string }>(numbered(count)) : null,
    ]);
    return {
      items: rows.rows.slice(0, request.first),
      totalCount: counted ? Number(counted.rows[0]?.n ?? 0) : null,
    };
  };
}

/** One bench institution's part, as a rebuild would read it from its shard (the shard's own index text). */
function partOf(templates: ReturnType<typeof loadTemplates>, n: number, units: number): InstitutionPart {
  const data = scaledData(templates, n, units);
  const statements = new Map<string, Array<{ lang: string; value: string }>>();
  for (const outcome of data.outcomes)
    statements.set(outcome.unitId, [...(statements.get(outcome.unitId) ?? []), ...outcome.statements]);
  const skills = new Map<string, Set<string>>();
  for (const skill of data.skills) {
    const set = skills.get(skill.unitId) ?? new Set<string>();
    set.add(skill.skillUri);
    skills.set(skill.unitId, set);
  }
  return {
    institution: { code: benchInstitution(templates, n).code, country: data.institution.country },
    qualifications: data.qualifications.map((q) => ({
      localId: q.id,
      sortKey: q.sortKey,
      searchText: q.searchText,
      titleText: foldText(q.titles.map((t) => t.value).join(' ')),
      langTexts: langTextsOf([...q.titles, ...q.descriptions]),
      eqfLevel: q.eqfLevel,
      ecvetPoints: q.ecvetPoints,
      iscedCode: q.iscedCode,
      escoOccupation: q.escoOccupation,
      status: q.status,
    })),
    units: data.units.map((u) => ({
      localId: u.id,
      qualification: u.qualificationId,
      sortKey: u.sortKey,
      searchText: u.searchText,
      titleText: foldText(u.titles.map((t) => t.value).join(' ')),
      langTexts: langTextsOf([...u.titles, ...(statements.get(u.id) ?? []), ...u.assessmentCriteria.flat()]),
      eqfLevel: u.eqfLevel,
      ecvetPoints: u.ecvetPoints,
      status: u.status,
      skills: [...(skills.get(u.id) ?? [])],
    })),
  };
}

/** Searches whose counts, per institution, must be the same in a copy as in the institution it copies. */
const CHECKS: Array<[string, SearchRequest['filter'], SearchRequest['list']]> = [
  ['units about welding safety', { words: ['welding', 'safety'] }, 'units'],
  ['units at EQF 4 in ISCED 07', { words: null, eqfLevel: 4, iscedPrefix: '07' }, 'units'],
  // A copy's institution code is its own: SQLite's facet word for it, as its others, is the copier's.
  [
    'units about welding safety at EQF 4 with 10-20 points',
    { words: ['welding', 'safety'], eqfLevel: 4, pointsMin: 10, pointsMax: 20 },
    'units',
  ],
  ['qualifications about welding', { words: ['welding'] }, 'qualifications'],
];

/** Copied institutions whose searches are checked (each check reads the institution's rows again). */
const CHECKED_COPIES = 10;

/**
 * Fails unless every copied institution holds as many units and qualifications as the written one it copies, and
 * copies spread over the catalogue (the first and last among them) find, in each check, exactly what it finds.
 */
async function sameAsWritten(
  engine: CatalogueEngine,
  templates: ReturnType<typeof loadTemplates>,
  written: number,
  count: number,
): Promise<void> {
  const sourceOf = (n: number) => ((n - 1) % written) + 1;
  const held = new Map((await engine.rows()).map((row) => [row.institution, row]));
  const rowsOf = (n: number) => {
    const row = held.get(benchCode(n));
    return row ? `${row.units} units, ${row.qualifications} qualifications` : 'nothing';
  };
  for (let n = written + 1; n <= count; n += 1)
    if (rowsOf(n) !== rowsOf(sourceOf(n)))
      throw new Error(
        `${engine.name}: the copy ${benchCode(n)} holds ${rowsOf(n)}, the institution it copies ${rowsOf(sourceOf(n))}`,
      );
  const step = Math.max(1, Math.floor((count - written - 1) / (CHECKED_COPIES - 1)));
  const checked = new Set<number>([count]);
  for (let n = written + 1; n <= count && checked.size < CHECKED_COPIES; n += step) checked.add(n);
  for (const [name, filter, list] of CHECKS) {
    const found = async (n: number) => {
      const page = await engine.search({
        list,
        filter: { ...filter, institution: benchInstitution(templates, n).code },
        first: 1,
        after: {},
        offset: 0,
        order: 'TITLE',
        count: true,
      });
      return page.totalCount ?? 0;
    };
    for (const n of [...checked].sort((a, b) => a - b)) {
      const [total, wanted] = [await found(n), await found(sourceOf(n))];
      if (wanted === 0) throw new Error(`${engine.name}: the written ${benchCode(sourceOf(n))} finds no ${name}`);
      if (total !== wanted)
        throw new Error(
          `${engine.name}: the copy ${benchCode(n)} finds ${total} ${name}, the institution it copies ${wanted}`,
        );
    }
  }
  await rankedAcrossCopies(engine, count);
}

/** "welding safety" in RELEVANCE order, first 20, with totalCount. */
const RANKED: SearchRequest = {
  list: 'units',
  filter: { words: ['welding', 'safety'] },
  first: 20,
  after: {},
  offset: 0,
  order: 'RELEVANCE',
  count: true,
};

/** The same in English (`textLang: "en"`). */
const RANKED_IN_ENGLISH: SearchRequest = { ...RANKED, filter: { ...RANKED.filter, lang: 'en' } };

/**
 * Every institution offers the same units: RELEVANCE's first page is one unit of many institutions, copies among
 * them. Copies missing from the index of titles' words (its first tier), or from that of words by language, would
 * leave the page to the written ones.
 */
async function rankedAcrossCopies(engine: CatalogueEngine, count: number): Promise<void> {
  for (const [name, request] of [
    ['', RANKED],
    [' in English', RANKED_IN_ENGLISH],
  ] as const) {
    const ranked = await engine.search(request);
    const institutions = new Set(ranked.items.map((item) => item.institution));
    if (count >= 20 && institutions.size < 20)
      throw new Error(
        `${engine.name}: RELEVANCE's first page of "welding safety"${name} names ${institutions.size} institutions, not 20`,
      );
  }
}

/** Fails unless a kept catalogue holds `count` institutions of `units` units each, as the run that built it left it. */
async function holdsAll(
  engine: CatalogueEngine,
  manifest: KeptCatalogueManifest,
  count: number,
  units: number,
): Promise<void> {
  const rows = await engine.rows();
  const held = rows.reduce((sum, row) => sum + row.units, 0);
  if (rows.length !== count || held !== count * units)
    throw new Error(
      `${engine.name}: the kept catalogue (built ${manifest.builtAt} by ${manifest.commit}) holds ${rows.length} institutions and ${held} units, not ${count} and ${count * units}; remove its files under BENCH_CATALOG_KEEP to build it again`,
    );
  await rankedAcrossCopies(engine, count);
}

/**
 * The data-scale scenario's two searches (bench/queries.ts), then the text one without its count, with a level and
 * ranked, as the hub asks the engine.
 */
/** The demo's ESCO occupations of its welding qualification and of its cook's, which holds no unit about welding. */
const WELDER = 'http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b';
const COOK = 'http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e';
/** The skill most bench units have (313,000 at 1,000,000), and one of the least common (31,000), from the demo's units. */
const COMMON_SKILL = 'http://data.europa.eu/esco/skill/f2f463e5-2382-49cb-8199-e7e043d868df';
const RARE_SKILL = 'http://data.europa.eu/esco/skill/001115fb-569f-4ee6-8381-c6807ef2527f';

/** Each search's name, request and whether it must find nothing (otherwise it must find something). */
const SEARCHES: Array<[string, SearchRequest, { findsNothing: boolean }?]> = [
  [
    'text "welding safety", first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'] },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'filter eqfLevel 4 + ISCED 07, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: null, eqfLevel: 4, iscedPrefix: '07' },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'text "welding safety", first 20, no totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'] },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: false,
    },
  ],
  [
    'text "welding safety" + EQF 4, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'], eqfLevel: 4 },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'text "welding safety" + ECVET points 5-10, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'], pointsMin: 5, pointsMax: 10 },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'text "welding safety" + ESCO occupation welder, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'], escoOccupation: WELDER },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'text "welding safety" + ESCO occupation cook (finds nothing), first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'], escoOccupation: COOK },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
    { findsNothing: true },
  ],
  [
    'filter ESCO occupation welder + EQF 4, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: null, escoOccupation: WELDER, eqfLevel: 4 },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'filter ESCO skill (the most common), first 20, with totalCount',
    {
      list: 'units',
      filter: { words: null, escoSkills: [COMMON_SKILL] },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  [
    'filter ESCO skill (one of the least common) + EQF 4, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: null, escoSkills: [RARE_SKILL], eqfLevel: 4 },
      first: 20,
      after: {},
      offset: 0,
      order: 'TITLE',
      count: true,
    },
  ],
  ['text "welding safety", RELEVANCE, first 20, with totalCount', RANKED],
  ['text "welding safety", RELEVANCE in English, first 20, with totalCount', RANKED_IN_ENGLISH],
  [
    // No Latvian text holds the word: the language weighs nothing, and the page is the one without it.
    'text "welding", RELEVANCE in Latvian, first 20, with totalCount',
    { ...RANKED, filter: { words: ['welding'], lang: 'lv' } },
  ],
];

/**
 * A search with typos: it finds nothing, so the catalogue then asks its engine for the words most like the ones no
 * unit holds, as the hub does (gateway/catalogue/similar-words.ts). Timed with that step.
 */
const TYPO: [string, SearchRequest] = [
  'text "weldng safty" (finds nothing) + the words like them, with totalCount',
  {
    list: 'units',
    filter: { words: ['weldng', 'safty'] },
    first: 20,
    after: {},
    offset: 0,
    order: 'TITLE',
    count: true,
  },
];

async function measure(search: Search, request: SearchRequest, findsNothing = false) {
  const times: number[] = [];
  let total: number | null = null;
  const began = Date.now();
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    if (times.length >= MIN_RUNS && Date.now() - began > SEARCH_SECONDS * 1000) break;
    const start = process.hrtime.bigint();
    const page = await search(request);
    if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1e6);
    total = page.totalCount;
    if ((page.items.length === 0) !== findsNothing)
      throw new Error(findsNothing ? 'the search found something' : 'the search found nothing');
  }
  times.sort((a, b) => a - b);
  return { p50: median(times), p99: percentile(times, 99), total, runs: times.length };
}

/** The search that finds nothing and the engine's suggestions, as the catalogue runs them one after the other. */
function withSuggestions(engine: CatalogueEngine): Search {
  return async (request) => {
    const page = await engine.search(request);
    if (page.items.length > 0) throw new Error('the search with typos found something');
    const suggested = await engine.suggest(request.list, request.filter.words ?? []);
    const similar = suggested.map((suggestion) => suggestion.similar[0]);
    if (similar.join(' ') !== 'welding safety') throw new Error(`suggested ${JSON.stringify(suggested)}`);
    // The suggestions stand for the items: what `measure` checks a page by.
    return { items: similar, totalCount: page.totalCount };
  };
}

/**
 * The catalogue at a size no one machine can run shards for (BENCH_CATALOG_SCALE, 500 × 2,000 = 1,000,000 units by
 * default): the first BENCH_CATALOG_WRITTEN institutions' parts (10 by default) are written straight into each engine,
 * as a rebuild writes them, the others copied from them inside the engine (bench/lib/catalogue-copies.ts; writing
 * all 500 takes about an hour), and the data-scale searches are timed in the engine, one at a time.
 */
export const catalogueScale: Scenario = {
  name: 'catalogue-scale',
  title: 'Catalogue at 1,000,000 units: search in each engine',
  estimate:
    '500x2000: ~13 min of seeding (10 institutions written, 490 copied in each engine), then the searches: raise BENCH_MAX_MINUTES; ~1 h more with BENCH_CATALOG_WRITTEN=500; BENCH_CATALOG_KEEP=<folder> keeps the catalogues, and a later run reuses them',
  async run(context) {
    const scale = (process.env.BENCH_CATALOG_SCALE ?? '500x2000').match(/^(\d+)x(\d+)$/);
    if (!scale) throw new Error('BENCH_CATALOG_SCALE: expected <institutions>x<units>, e.g. 500x2000');
    const count = Number(scale[1]);
    const units = Number(scale[2]);
    const writtenSetting = process.env.BENCH_CATALOG_WRITTEN ?? String(Math.min(count, DEFAULT_WRITTEN));
    const written = Math.min(count, Number(writtenSetting));
    if (!/^\d+$/.test(writtenSetting) || written < 1)
      throw new Error('BENCH_CATALOG_WRITTEN: expected how many institutions to write through the engines, at least 1');
    const templates = loadTemplates();
    const kept = process.env.BENCH_CATALOG_KEEP
      ? await keptCatalogues(process.env.BENCH_CATALOG_KEEP, `${count}x${units}, ${written} written`)
      : null;
    const reused = kept?.reused ?? null;
    const postgresName = kept?.postgresName ?? 'bench_catalogue_million';
    const postgresUrl = reused
      ? benchCatalogueUrl(postgresName)
      : await createBenchCatalogueDatabase(context.cleanup, postgresName, kept !== null);
    const sqlitePath = kept?.sqlitePath ?? join(context.tmp, 'catalogue.sqlite');
    const engines: CatalogueEngine[] = [createSqliteEngine(sqlitePath), createPostgresEngine(postgresUrl)];
    for (const engine of engines) {
      await engine.start();
      context.cleanup.add(`close the ${engine.name} catalogue`, () => engine.close());
    }
    const seedSeconds: Record<string, number> = { sqlite: 0, postgres: 0 };
    const copySeconds: Record<string, number> = { sqlite: 0, postgres: 0 };
    if (reused) {
      for (const engine of engines) await holdsAll(engine, reused, count, units);
      context.log(`  catalogues kept by an earlier run reused (built ${reused.builtAt} by ${reused.commit})`);
    } else {
      const started = Date.now();
      for (let n = 1; n <= written; n += 1) {
        const part = partOf(templates, n, units);
        for (const engine of engines) {
          const start = Date.now();
          await engine.replaceInstitution(part);
          seedSeconds[engine.name] = (seedSeconds[engine.name] ?? 0) + (Date.now() - start) / 1000;
        }
        if (n % 50 === 0 || n === written)
          context.log(
            `  ${n}/${written} institutions written to both engines (${((Date.now() - started) / 1000).toFixed(0)} s)`,
          );
      }
      if (written < count) {
        const copiers: Array<[string, InstitutionCopier]> = [
          ['sqlite', sqliteCopier(sqlitePath)],
          ['postgres', postgresCopier(postgresUrl)],
        ];
        for (const [, copier] of copiers) context.cleanup.add('close the copier', () => copier.close());
        for (let n = written + 1; n <= count; n += 1) {
          // Every bench institution offers the same units; only its code and country are its own.
          const source = benchCode(((n - 1) % written) + 1);
          const { code, country } = benchInstitution(templates, n);
          for (const [name, copier] of copiers) {
            const start = Date.now();
            await copier.copy(source, code, country);
            copySeconds[name] = (copySeconds[name] ?? 0) + (Date.now() - start) / 1000;
          }
        }
        context.log(
          `  ${count - written} institutions copied from the ${written} written inside each engine: ${Object.entries(
            copySeconds,
          )
            .map(([name, seconds]) => `${name} ${seconds.toFixed(0)} s`)
            .join(', ')}`,
        );
        for (const engine of engines) await sameAsWritten(engine, templates, written, count);
        context.log(
          `  every copied institution holds what the written one it copies holds; ${CHECKED_COPIES} of them find what it finds`,
        );
      }
      kept?.built();
    }
    // Autovacuum comes when it comes (this bench's server may run without it): the tables are settled once after the
    // last write, as it would in time, so that every run searches the same state.
    const settleStart = Date.now();
    const settlePool = new Pool({ connectionString: postgresUrl, max: 1 });
    await settlePool.query('VACUUM (ANALYZE)');
    await settlePool.end();
    const settleSeconds = (Date.now() - settleStart) / 1000;
    context.log(`  PostgreSQL tables settled (VACUUM ANALYZE) in ${settleSeconds.toFixed(0)} s`);
    const searches: Array<{ name: string; search: Search; text: boolean; typo?: Search }> = engines.map((engine) => ({
      name: engine.name,
      search: (request) => engine.search(request),
      text: false,
      typo: withSuggestions(engine),
    }));
    const before = count * units <= MAX_UNITS_FOR_BEFORE;
    if (before) {
      const pool = new Pool({ connectionString: postgresUrl, max: 4 });
      context.cleanup.add('close the pool of the trigram comparison', () => pool.end());
      const start = Date.now();
      await pool.query('CREATE INDEX IF NOT EXISTS unit_text_trigram ON unit USING gin (search_text gin_trgm_ops)');
      // A kept catalogue is left as the engine built it.
      if (kept)
        context.cleanup.add('drop the trigram index of the comparison', async () => {
          await pool.query('DROP INDEX IF EXISTS unit_text_trigram');
        });
      await pool.query('ANALYZE unit');
      context.log(`  trigram index of the former text match built in ${((Date.now() - start) / 1000).toFixed(0)} s`);
      searches.push({ name: 'postgres, trigram LIKE (before)', search: trigramSearch(pool), text: true });
    }
    const rows: string[][] = [];
    const results: Record<string, Record<string, { p50: number; p99: number; total: number | null }>> = {};
    // Side by side: each search in every engine before the next search.
    for (const [name, request, expected] of [...SEARCHES, TYPO])
      for (const one of searches) {
        // The former match is a text match only, and ranked in a language through a column of texts since gone.
        if (one.text && (!request.filter.words || request.filter.lang !== undefined)) continue;
        const search = name === TYPO[0] ? one.typo : one.search;
        if (!search) continue;
        const result = await measure(search, request, expected?.findsNothing);
        results[one.name] ??= {};
        (results[one.name] as Record<string, typeof result>)[name] = result;
        rows.push([
          one.name,
          name,
          fmt.ms(result.p50),
          fmt.ms(result.p99),
          result.total === null ? '' : fmt.int(result.total),
          fmt.int(result.runs),
        ]);
      }
    const table: Table = {
      caption: `search in the catalogue's engine at ${fmt.int(count * units)} units (${RUNS} searches each, one at a time, after ${WARMUP}; a search slower than ${SEARCH_SECONDS} s in all stops after ${MIN_RUNS})`,
      columns: ['engine', 'search', 'p50 ms', 'p99 ms', 'matches', 'runs'],
      rows,
    };
    const p99Of = (engine: string, search: string) => results[engine]?.[search]?.p99 ?? Number.NaN;
    const [textSearch, filterSearch] = SEARCHES.map(([name]) => name) as [string, string];
    return {
      settings: {
        scale: `${count} institutions × ${units} units (BENCH_CATALOG_SCALE=${count}x${units})`,
        written: `${written} institutions written through the engines, ${count - written} copied inside them (BENCH_CATALOG_WRITTEN=${written})`,
        seedSeconds: Object.fromEntries(Object.entries(seedSeconds).map(([k, v]) => [k, Math.round(v)])),
        copySeconds: Object.fromEntries(Object.entries(copySeconds).map(([k, v]) => [k, Math.round(v)])),
        settleSeconds: Math.round(settleSeconds),
        catalogues: reused
          ? `kept by an earlier run and reused (built ${reused.builtAt} by ${reused.commit}; BENCH_CATALOG_KEEP)`
          : kept
            ? 'built in this run and kept for later runs (BENCH_CATALOG_KEEP)'
            : 'built in this run, removed at its end',
        runs: RUNS,
      },
      tables: [table],
      targets: engines.flatMap((engine) =>
        [textSearch, filterSearch].map((search) => ({
          target: `${search}: p99 ≤ 100 ms in the ${engine.name} catalogue at ${fmt.int(count * units)} units`,
          measured: `${fmt.ms(p99Of(engine.name, search))} ms`,
          met: p99Of(engine.name, search) <= 100,
        })),
      ),
      notes: [
        `Seeded directly into each engine (${count} shards cannot run on one machine): ${written} bench institutions' parts as a rebuild writes them, the sort keys and search texts computed by the shards' own indexText (bench/lib/data.ts)${
          written < count
            ? `, the other ${count - written} copied from them inside each engine with every table a search reads (bench/lib/catalogue-copies.ts; each copy holds as many units and qualifications as the institution it copies and ${CHECKED_COPIES} of them find what it finds, checked)`
            : ''
        }. ${
          reused
            ? `This run reused the catalogues an earlier run built and kept (${reused.builtAt}, ${reused.commit}; BENCH_CATALOG_KEEP): it checked that each holds ${count} institutions and ${fmt.int(count * units)} units, and did not time their seeding.`
            : `Writing took ${Object.entries(seedSeconds)
                .map(([k, v]) => `${k} ${fmt.num(v, 0)} s`)
                .join(', ')}${
                written < count
                  ? `, copying ${Object.entries(copySeconds)
                      .map(([k, v]) => `${k} ${fmt.num(v, 0)} s`)
                      .join(', ')}`
                  : ''
              } (with the PostgreSQL engine's own VACUUM ANALYZE as its tables grew).`
        } One more VACUUM ANALYZE of the PostgreSQL tables before the searches, as autovacuum would do in time: ${fmt.num(settleSeconds, 0)} s.`,
        before
          ? "postgres, trigram LIKE (before): the PostgreSQL engine's former text match (a trigram GIN index on the folded text, every candidate's text checked again), on the same tables after ANALYZE, measured in the same run; the engine now matches words through its vocabulary and GIN-indexed word arrays."
          : `The former PostgreSQL text match (trigram LIKE) is measured beside it only up to ${fmt.int(MAX_UNITS_FOR_BEFORE)} units.`,
        "These are the engine's share of a hub search: through the hub, the 20 units' own data then comes from their owners through the entity cache (the data-scale scenario measures that end to end at 30 × 2,000).",
      ],
      raw: { results, seedSeconds, copySeconds },
    };
  },
};
