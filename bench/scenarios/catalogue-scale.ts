import { join } from 'node:path';
import {
  createPostgresEngine,
  createSqliteEngine,
  type CatalogueEngine,
  type InstitutionPart,
  type SearchRequest,
} from '../../gateway/catalogue';
import { foldText } from '../../schema/cursor';
import type { Scenario } from '../lib/context';
import { createBenchCatalogueDatabase } from '../lib/catalogue';
import { benchInstitution, loadTemplates, scaledData } from '../lib/data';
import { median, percentile } from '../lib/load';
import { fmt, type Table } from '../lib/report';

const RUNS = 200;
const WARMUP = 20;

/** One bench institution's part, as a rebuild would read it from its shard (the shard's own index text). */
function partOf(templates: ReturnType<typeof loadTemplates>, n: number, units: number): InstitutionPart {
  const data = scaledData(templates, n, units);
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
      eqfLevel: u.eqfLevel,
      ecvetPoints: u.ecvetPoints,
      status: u.status,
      skills: [...(skills.get(u.id) ?? [])],
    })),
  };
}

/** The data-scale scenario's two searches (bench/queries.ts), and the text one ranked, as the hub asks the engine. */
const SEARCHES: Array<[string, SearchRequest]> = [
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
    'text "welding safety", RELEVANCE, first 20, with totalCount',
    {
      list: 'units',
      filter: { words: ['welding', 'safety'] },
      first: 20,
      after: {},
      offset: 0,
      order: 'RELEVANCE',
      count: true,
    },
  ],
];

async function measure(engine: CatalogueEngine, request: SearchRequest) {
  const times: number[] = [];
  let total: number | null = null;
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const start = process.hrtime.bigint();
    const page = await engine.search(request);
    if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1e6);
    total = page.totalCount;
    if (page.items.length === 0) throw new Error('the search found nothing');
  }
  times.sort((a, b) => a - b);
  return { p50: median(times), p99: percentile(times, 99), total };
}

/**
 * The catalogue at a size no one machine can run shards for (BENCH_CATALOG_SCALE, 500 × 2,000 = 1,000,000 units by
 * default): the bench institutions' parts are written straight into each engine, as a rebuild writes them, and the
 * data-scale searches are timed in the engine, one at a time.
 */
export const catalogueScale: Scenario = {
  name: 'catalogue-scale',
  title: 'Catalogue at 1,000,000 units: search in each engine',
  estimate: '~8 min at 500x2000',
  async run(context) {
    const scale = (process.env.BENCH_CATALOG_SCALE ?? '500x2000').match(/^(\d+)x(\d+)$/);
    if (!scale) throw new Error('BENCH_CATALOG_SCALE: expected <institutions>x<units>, e.g. 500x2000');
    const count = Number(scale[1]);
    const units = Number(scale[2]);
    const templates = loadTemplates();
    const postgresUrl = await createBenchCatalogueDatabase(context.cleanup, 'bench_catalogue_million');
    const engines: CatalogueEngine[] = [
      createSqliteEngine(join(context.tmp, 'catalogue.sqlite')),
      createPostgresEngine(postgresUrl),
    ];
    for (const engine of engines) {
      await engine.start();
      context.cleanup.add(`close the ${engine.name} catalogue`, () => engine.close());
    }
    const seedSeconds: Record<string, number> = { sqlite: 0, postgres: 0 };
    const started = Date.now();
    for (let n = 1; n <= count; n += 1) {
      const part = partOf(templates, n, units);
      for (const engine of engines) {
        const start = Date.now();
        await engine.replaceInstitution(part);
        seedSeconds[engine.name] = (seedSeconds[engine.name] ?? 0) + (Date.now() - start) / 1000;
      }
      if (n % 50 === 0 || n === count)
        context.log(
          `  ${n}/${count} institutions written to both engines (${((Date.now() - started) / 1000).toFixed(0)} s)`,
        );
    }
    const rows: string[][] = [];
    const results: Record<string, Record<string, { p50: number; p99: number; total: number | null }>> = {};
    for (const engine of engines) {
      results[engine.name] = {};
      for (const [name, request] of SEARCHES) {
        const result = await measure(engine, request);
        (results[engine.name] as Record<string, typeof result>)[name] = result;
        rows.push([
          engine.name,
          name,
          fmt.ms(result.p50),
          fmt.ms(result.p99),
          result.total === null ? '' : fmt.int(result.total),
        ]);
      }
    }
    const table: Table = {
      caption: `search in the catalogue's engine at ${fmt.int(count * units)} units (${RUNS} searches each, one at a time, after ${WARMUP})`,
      columns: ['engine', 'search', 'p50 ms', 'p99 ms', 'matches'],
      rows,
    };
    const p99Of = (engine: string, search: string) => results[engine]?.[search]?.p99 ?? Number.NaN;
    const [textSearch, filterSearch] = SEARCHES.map(([name]) => name) as [string, string];
    return {
      settings: {
        scale: `${count} institutions × ${units} units (BENCH_CATALOG_SCALE=${count}x${units})`,
        seedSeconds: Object.fromEntries(Object.entries(seedSeconds).map(([k, v]) => [k, Math.round(v)])),
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
        `Seeded directly into each engine (${count} shards cannot run on one machine): each bench institution's part as a rebuild writes it, the sort keys and search texts computed by the shards' own indexText (bench/lib/data.ts). Writing took ${Object.entries(
          seedSeconds,
        )
          .map(([k, v]) => `${k} ${fmt.num(v, 0)} s`)
          .join(', ')}.`,
        "These are the engine's share of a hub search: through the hub, the 20 units' own data then comes from their owners through the entity cache (the data-scale scenario measures that end to end at 30 × 2,000).",
      ],
      raw: { results, seedSeconds },
    };
  },
};
