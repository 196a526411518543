import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../platform/project-root';
import type { LearningOutcomeCategory } from '../../schema/enums';
import { Bm25Index, type Analyzer } from '../../subgraphs/qualifications/learning-outcome-review/bm25';
import { characterGrams } from '../../subgraphs/qualifications/learning-outcome-review/text';
import {
  FIELD_WEIGHTS,
  indexEscoCorpus,
  readEscoCorpus,
  type EscoCorpus,
  type EscoIndexOptions,
  type EscoText,
  indexEscoCrossLanguage,
} from '../../subgraphs/qualifications/learning-outcome-review/esco-corpus';
import { createEscoSuggester } from '../../subgraphs/qualifications/learning-outcome-review/esco-suggestions';
import { TEST_CONCEPTS } from '../../subgraphs/qualifications/learning-outcome-review/esco-test-concepts.fixture';
import { reviewStatement } from '../../subgraphs/qualifications/learning-outcome-review/review';
import { similarOutcomeReads, similarOutcomes } from '../../subgraphs/qualifications/learning-outcome-review/similar';
import { qualificationsEntities, qualificationsMigrations } from '../../subgraphs/qualifications/entities';
import { readSeed } from '../../subgraphs/qualifications/seed';
import { openDatabase, type Database } from '../../subgraphs/shared/database';
import type { Scenario } from '../lib/context';
import { fmt, type Table, type TargetCheck } from '../lib/report';

/** Concepts the latency is measured on (the figure), made up from the loaded ones when fewer are loaded. */
const LATENCY_CONCEPTS = 20_000;
/** Statements sampled per language for recall: all of a small subset, an even spread of a full distribution. */
const SAMPLE_PER_LANGUAGE = 1_000;
const LATENCY_CALLS = 2_000;
/** Outcomes of the shard the similar-outcomes index is measured at, and calls per way of answering. */
const SIMILAR_OUTCOMES = 10_000;
const SIMILAR_CALLS = 200;
const TOP = 5;

/**
 * The suggester's ways, compared side by side: skills only (as before), skills and skill groups, and with
 * statements in languages not loaded matched to English by character 4-grams (what the hub ships).
 */
const VARIANTS: ReadonlyArray<{
  name: string;
  includes: NonNullable<EscoIndexOptions['includes']>;
  crossLanguage: boolean;
}> = [
  { name: 'skills', includes: (t) => t.conceptType === 'KnowledgeSkillCompetence', crossLanguage: false },
  { name: 'skills + skill groups', includes: () => true, crossLanguage: false },
  { name: 'skills + skill groups + 4-grams', includes: () => true, crossLanguage: true },
];

function suggesterOf(corpus: EscoCorpus, variant: (typeof VARIANTS)[number], options: EscoIndexOptions = {}) {
  const indexOptions = { ...options, includes: variant.includes };
  return createEscoSuggester(
    corpus.concepts,
    indexEscoCorpus(corpus, indexOptions),
    variant.crossLanguage ? () => indexEscoCrossLanguage(corpus, indexOptions) : undefined,
  );
}

interface Recall {
  variant: string;
  lang: string;
  sample: number;
  at1: number;
  at5: number;
}

/** Skills with a description, minus those the tests name, spread evenly over the corpus. */
function sampleOf(texts: readonly EscoText[]): EscoText[] {
  const excluded = new Set<string>(Object.values(TEST_CONCEPTS));
  const usable = texts.filter(
    (t) => t.conceptType === 'KnowledgeSkillCompetence' && t.description !== '' && !excluded.has(t.uri),
  );
  const step = Math.max(1, usable.length / SAMPLE_PER_LANGUAGE);
  const sample: EscoText[] = [];
  for (let i = 0; i < usable.length && sample.length < SAMPLE_PER_LANGUAGE; i += step) {
    const text = usable[Math.floor(i)];
    if (text) sample.push(text);
  }
  return sample;
}

/**
 * Recall of each sampled concept from its own description. `heldOut`: the sampled concepts are indexed without
 * their descriptions (the statement must match labels), else the index holds the very text asked with.
 */
function recallOf(
  corpus: EscoCorpus,
  sample: readonly EscoText[],
  heldOut: boolean,
  variant: (typeof VARIANTS)[number],
): Recall[] {
  const sampled = new Set(sample.map((t) => t.uri));
  const suggester = suggesterOf(corpus, variant, { withDescription: (uri) => !heldOut || !sampled.has(uri) });
  const byLang = new Map<string, Recall>();
  for (const text of sample) {
    const recall = byLang.get(text.lang) ?? { variant: variant.name, lang: text.lang, sample: 0, at1: 0, at5: 0 };
    const hits = suggester.suggest(text.description, text.lang, TOP).map((h) => h.uri);
    recall.sample += 1;
    if (hits[0] === text.uri) recall.at1 += 1;
    if (hits.includes(text.uri)) recall.at5 += 1;
    byLang.set(text.lang, recall);
  }
  return [...byLang.values()].sort((a, b) => a.lang.localeCompare(b.lang));
}

interface DemoRow {
  variant: string;
  outcomes: string;
  lang: string;
  asked: number;
  any: number;
  all: number;
  /** Statements none of whose links the variant can suggest. */
  unsuggestable: number;
}

interface DemoOutcome {
  statements: Array<{ lang: string; value: string }>;
  links: string[];
  category: LearningOutcomeCategory;
  eqfLevel: number;
}

function demoOutcomes(): DemoOutcome[] {
  const folder = join(projectRoot(), 'demo', 'institutions');
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) =>
      readSeed(join(folder, name)).qualifications.flatMap((q) =>
        q.units.flatMap((unit) =>
          unit.learningOutcomes.map((o) => ({
            statements: o.statements,
            links: o.escoSkills,
            category: o.category,
            eqfLevel: unit.eqfLevel,
          })),
        ),
      ),
    );
}

const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);

/** The loaded concepts' texts recombined (label of one, other labels and description of others) up to `size`. */
function latencyIndex(corpus: EscoCorpus, size: number, analyze?: Analyzer): Bm25Index {
  const texts = corpus.texts.filter((t) => t.lang === 'en');
  const index = new Bm25Index(analyze);
  const n = texts.length;
  for (let i = 0; i < size && n > 0; i += 1) {
    const own = texts[i % n];
    const alt = texts[(i * 7 + 3) % n];
    const described = texts[(i * 13 + 5) % n];
    if (!own || !alt || !described) continue;
    index.add({
      id: i < n ? own.uri : `${own.uri}#made-up-${i}`,
      lang: 'en',
      fields: [
        { text: own.preferredLabel, weight: FIELD_WEIGHTS.preferredLabel },
        { text: alt.altLabels.join(' | '), weight: FIELD_WEIGHTS.altLabels },
        { text: described.description, weight: FIELD_WEIGHTS.description },
      ],
    });
  }
  return index;
}

/** A qualifications shard database holding `count` outcomes: the demo's statements, six to a unit. */
async function shardWithOutcomes(folder: string, outcomes: readonly DemoOutcome[], count: number): Promise<Database> {
  const db = await openDatabase({
    url: `sqlite:${join(folder, 'similar-outcomes.sqlite')}`,
    entities: qualificationsEntities,
    migrations: qualificationsMigrations,
  });
  const stamp = '2026-01-01 00:00:00.000';
  await db.dataSource.transaction(async (manager) => {
    await manager.query(`INSERT INTO institution (code, names, country, city) VALUES ('bench.lv', '[]', 'LV', 'Riga')`);
    await manager.query(
      `INSERT INTO qualification (id, titles, descriptions, eqfLevel, iscedCode, ecvetPoints, status, sortKey, searchText, createdAt, updatedAt)
       VALUES ('Q', '[]', '[]', 4, '0715', 120, 'ACTIVE', 'q', 'q', ?, ?)`,
      [stamp, stamp],
    );
    for (let i = 0; i < count; i += 1) {
      const unit = `U${Math.floor(i / 6)}`;
      if (i % 6 === 0)
        await manager.query(
          `INSERT INTO unit (id, qualificationId, titles, eqfLevel, ecvetPoints, assessmentCriteria, validFrom, status, sortKey, searchText, version, createdAt, updatedAt)
           VALUES (?, 'Q', '[]', 4, 1, '[]', '2026-01-01', 'ACTIVE', ?, ?, 1, ?, ?)`,
          [unit, unit, unit, stamp, stamp],
        );
      const outcome = outcomes[i % outcomes.length];
      await manager.query(
        'INSERT INTO learning_outcome (id, unitId, position, category, statements) VALUES (?, ?, ?, ?, ?)',
        [`${unit}-LO${i % 6}`, unit, i % 6, 'SKILLS', JSON.stringify(outcome?.statements ?? [])],
      );
    }
  });
  return db;
}

interface SimilarTiming {
  way: string;
  times: number[];
  reads: number;
}

/**
 * similarLearningOutcomes' work at one shard, two ways side by side, calls interleaved so that load from other
 * work falls on both: the index kept, and the index read again (a unit written before each call, which makes
 * every call do what every call did before the index was kept).
 */
async function similarTimings(db: Database, statements: readonly string[]): Promise<SimilarTiming[]> {
  const kept: SimilarTiming = { way: 'index kept (no write in between)', times: [], reads: 0 };
  const read: SimilarTiming = { way: 'index read again (a unit write before each call)', times: [], reads: 0 };
  const call = async (timing: SimilarTiming, i: number, count: boolean) => {
    const statement = statements[i % statements.length] ?? '';
    const before = similarOutcomeReads(db);
    const start = process.hrtime.bigint();
    await similarOutcomes(db, 'bench.lv', statement, 'en', 5);
    if (!count) return;
    timing.times.push(Number(process.hrtime.bigint() - start) / 1e6);
    timing.reads += similarOutcomeReads(db) - before;
  };
  for (let i = 0; i < SIMILAR_CALLS + 20; i += 1) {
    // The first 20 rounds warm the JIT up and are not counted.
    await call(kept, i, i >= 20);
    await db.dataSource.query('UPDATE unit SET version = version + 1 WHERE id = ?', [`U${i % 100}`]);
    await call(read, i, i >= 20);
  }
  for (const timing of [kept, read]) timing.times.sort((a, b) => a - b);
  return [kept, read];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const outcomeReview: Scenario = {
  name: 'outcome-review',
  title: 'Learning outcome review: ESCO retrieval quality and latency',
  estimate: 'under a minute',
  async run({ log, tmp }) {
    const folder = process.env.BENCH_ESCO_FOLDER ?? join(projectRoot(), 'third_party', 'esco');
    const corpus = readEscoCorpus(folder);
    const languages = [...new Set(corpus.texts.map((t) => t.lang))].sort();
    const sample = languages.flatMap((lang) => sampleOf(corpus.texts.filter((t) => t.lang === lang)));
    log(`ESCO: ${corpus.concepts.size} concepts in ${languages.join(', ')} from ${folder}; ${sample.length} sampled`);
    const heldOut = VARIANTS.flatMap((v) => recallOf(corpus, sample, true, v));
    const indexed = VARIANTS.flatMap((v) => recallOf(corpus, sample, false, v));

    const outcomes = demoOutcomes();
    const isSkill = (uri: string) => corpus.concepts.get(uri)?.conceptType === 'KnowledgeSkillCompetence';
    // Outcomes that link a skill are the ones the figure was first measured on; those linking only skill groups
    // can be found only when groups are suggested.
    const outcomeSets = [
      { name: 'linking a skill', has: (o: DemoOutcome) => o.links.some(isSkill) },
      { name: 'linking any loaded concept', has: (o: DemoOutcome) => o.links.some((uri) => corpus.concepts.has(uri)) },
    ];
    const linked = outcomes.filter((o) => outcomeSets[1]?.has(o));
    const demoRows: DemoRow[] = [];
    for (const variant of VARIANTS) {
      const suggester = suggesterOf(corpus, variant);
      const suggestable = new Set(corpus.texts.filter(variant.includes).map((t) => t.uri));
      for (const set of outcomeSets) {
        const byLang = new Map<string, DemoRow>();
        for (const outcome of outcomes.filter(set.has)) {
          const known = outcome.links.filter((uri) => corpus.concepts.has(uri));
          for (const statement of outcome.statements) {
            const hits = suggester.suggest(statement.value, statement.lang, TOP).map((h) => h.uri);
            const row = byLang.get(statement.lang) ?? {
              variant: variant.name,
              outcomes: set.name,
              lang: statement.lang,
              asked: 0,
              any: 0,
              all: 0,
              unsuggestable: 0,
            };
            row.asked += 1;
            if (known.some((uri) => hits.includes(uri))) row.any += 1;
            if (known.every((uri) => hits.includes(uri))) row.all += 1;
            if (!known.some((uri) => suggestable.has(uri))) row.unsuggestable += 1;
            byLang.set(statement.lang, row);
          }
        }
        demoRows.push(...[...byLang.values()].sort((a, b) => a.lang.localeCompare(b.lang)));
      }
    }

    const built = process.hrtime.bigint();
    const large = latencyIndex(corpus, LATENCY_CONCEPTS);
    const buildMs = Number(process.hrtime.bigint() - built) / 1e6;
    const gramsBuilt = process.hrtime.bigint();
    const largeGrams = latencyIndex(corpus, LATENCY_CONCEPTS, characterGrams);
    const gramsBuildMs = Number(process.hrtime.bigint() - gramsBuilt) / 1e6;
    const latencyWays = [
      {
        way: 'words only',
        suggester: createEscoSuggester(corpus.concepts, new Map([['en', large]])),
        times: [] as number[],
      },
      {
        way: 'words + 4-grams for other languages',
        suggester: createEscoSuggester(corpus.concepts, new Map([['en', large]]), () => largeGrams),
        times: [] as number[],
      },
    ];
    const queries = outcomes.flatMap((o) => o.statements.map((s) => ({ ...s, category: o.category, eqf: o.eqfLevel })));
    for (let i = 0; i < LATENCY_CALLS + 200; i += 1) {
      const q = queries[i % queries.length];
      if (!q) break;
      // Both ways in turn, so that load from other work falls on both.
      for (const way of latencyWays) {
        const start = process.hrtime.bigint();
        reviewStatement(
          { statement: q.value, lang: q.lang, category: q.category, eqfLevel: q.eqf, escoLimit: 10 },
          way.suggester,
        );
        // The first 200 calls warm the JIT up and are not counted.
        if (i >= 200) way.times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    for (const way of latencyWays) way.times.sort((a, b) => a - b);
    const times = latencyWays[latencyWays.length - 1]?.times ?? [];
    const p99 = percentile(times, 99);

    const shard = await shardWithOutcomes(tmp, outcomes, SIMILAR_OUTCOMES);
    let similar: SimilarTiming[];
    try {
      similar = await similarTimings(
        shard,
        outcomes.flatMap((o) => o.statements.filter((s) => s.lang === 'en').map((s) => s.value)),
      );
    } finally {
      await shard.close();
    }
    const [keptTiming, readTiming] = similar;
    const similarRatio =
      keptTiming && readTiming ? percentile(readTiming.times, 50) / percentile(keptTiming.times, 50) : NaN;

    // The targets are checked on what the suggester ships: skills and skill groups.
    const shipped = VARIANTS[VARIANTS.length - 1]?.name;
    const shippedHeldOut = heldOut.filter((r) => r.variant === shipped);
    const en = shippedHeldOut.find((r) => r.lang === 'en');
    const demoEn = demoRows.find(
      (r) => r.variant === shipped && r.outcomes === 'linking any loaded concept' && r.lang === 'en',
    );
    const targets: TargetCheck[] = [
      ...shippedHeldOut.map((r) => ({
        target: `ESCO descriptions (${r.lang}, held out of the index) retrieve their skill in the top 5 ≥ 80 %`,
        measured: pct(r.at5, r.sample),
        met: r.at5 / r.sample >= 0.8,
      })),
      {
        target: "demo units' curated ESCO links in the top 5 for ≥ 70 % of their outcomes (English statements)",
        measured: demoEn ? pct(demoEn.any, demoEn.asked) : '–',
        met: demoEn ? demoEn.any / demoEn.asked >= 0.7 : null,
      },
      {
        target: `review p99 < 100 ms on ${fmt.int(large.size)} concepts`,
        measured: `${fmt.ms(p99)} ms`,
        met: p99 < 100,
      },
    ];
    const tables: Table[] = [
      {
        caption: `Recall of ESCO concepts from their own descriptions (sample without the tests' concepts; top ${TOP})`,
        columns: [
          'suggests',
          'lang',
          'sample',
          'recall@1 held out',
          'recall@5 held out',
          'recall@1 indexed',
          'recall@5 indexed',
        ],
        rows: heldOut.map((r) => {
          const i = indexed.find((x) => x.lang === r.lang && x.variant === r.variant);
          return [
            r.variant,
            r.lang,
            String(r.sample),
            pct(r.at1, r.sample),
            pct(r.at5, r.sample),
            i ? pct(i.at1, i.sample) : '–',
            i ? pct(i.at5, i.sample) : '–',
          ];
        }),
      },
      {
        caption: `Demo units: outcomes whose curated ESCO links (those loaded) come in the top ${TOP}, by statement language`,
        columns: [
          'suggests',
          'outcomes',
          'statement lang',
          'statements',
          'a link in top 5',
          'every link in top 5',
          'no link suggestable',
        ],
        rows: demoRows.map((r) => [
          r.variant,
          r.outcomes,
          r.lang,
          String(r.asked),
          pct(r.any, r.asked),
          pct(r.all, r.asked),
          String(r.unsuggestable),
        ]),
      },
      {
        caption: `reviewLearningOutcome's work (form checks + ESCO top 10) per statement, ${fmt.int(times.length)} demo statements in 5 languages, in process`,
        columns: ['ESCO index', 'concepts', 'index build ms', 'p50 ms', 'p99 ms', 'max ms'],
        rows: latencyWays.map((way, i) => [
          way.way,
          fmt.int(large.size),
          i === 0 ? fmt.ms(buildMs) : `${fmt.ms(buildMs)} + ${fmt.ms(gramsBuildMs)}`,
          fmt.ms(percentile(way.times, 50)),
          fmt.ms(percentile(way.times, 99)),
          fmt.ms(way.times.at(-1) ?? NaN),
        ]),
      },
      {
        caption: `similarLearningOutcomes at one shard of ${fmt.int(SIMILAR_OUTCOMES)} outcomes (SQLite, in process), ${SIMILAR_CALLS} calls each, interleaved`,
        columns: ['index', 'p50 ms', 'p99 ms', 'max ms', 'outcome reads', 'p50 ÷ kept p50'],
        rows: similar.map((t) => [
          t.way,
          fmt.ms(percentile(t.times, 50)),
          fmt.ms(percentile(t.times, 99)),
          fmt.ms(t.times.at(-1) ?? NaN),
          String(t.reads),
          keptTiming ? `${(percentile(t.times, 50) / percentile(keptTiming.times, 50)).toFixed(1)}×` : '–',
        ]),
      },
    ];
    return {
      settings: {
        // Results are committed: the project's own folder is named from its root, never as this machine's path.
        escoFolder: relative(projectRoot(), folder) || '.',
        concepts: corpus.concepts.size,
        languages,
        sampledPerLanguage: SAMPLE_PER_LANGUAGE,
        demoOutcomes: outcomes.length,
        demoOutcomesWithLoadedLinks: linked.length,
        latencyConcepts: large.size,
        similarOutcomes: SIMILAR_OUTCOMES,
        similarCalls: SIMILAR_CALLS,
      },
      tables,
      targets,
      notes: [
        'Suggests: "skills" offers skill and knowledge concepts only (the suggester before skill groups were added); "+ skill groups" adds them; "+ 4-grams" matches statements in a language whose ESCO files are not loaded to the English concepts by character 4-grams (what the hub ships; English statements are unchanged by it). The sample is skills in every row, so the rows compare the same statements.',
        'Held out: the sampled concepts are indexed by their labels only, so a description cannot find itself; "indexed" shows the figure with descriptions in the index too.',
        `Statements in a language ESCO is not loaded in are matched against the English concepts (no translation): by their words before, by the roots the languages share (4-grams) now, their suggestions in English (lang en). ${linked.length} of ${outcomes.length} demo outcomes link a concept the loaded files hold.`,
        large.size > corpus.concepts.size
          ? `Latency index: the ${corpus.concepts.size} loaded concepts' labels and descriptions recombined up to ${fmt.int(large.size)} documents (real vocabulary, made-up concepts); give BENCH_ESCO_FOLDER=<the ESCO distribution> to measure on the real one.`
          : 'Latency index: the loaded concepts.',
        `Similar outcomes: ${fmt.int(SIMILAR_OUTCOMES)} outcomes recombined from the demo's statements (all their languages); the statements asked are the demo's English ones. "Read again" is what every call cost before the index was kept, plus the feed check.`,
        en ? `English held-out recall@5: ${pct(en.at5, en.sample)}.` : 'No English ESCO files loaded.',
      ],
      raw: {
        heldOut,
        indexed,
        demo: demoRows,
        latencyMs: { p50: percentile(times, 50), p99 },
        similarMs: similar.map((t) => ({
          way: t.way,
          p50: percentile(t.times, 50),
          p99: percentile(t.times, 99),
          reads: t.reads,
        })),
        similarRatio,
      },
    };
  },
};
