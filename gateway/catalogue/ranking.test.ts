import { testCatalogue, type TestCatalogue } from '../../test/harness/catalogue';
import type { CatalogueEngine, InstitutionPart, SearchFilter, SearchRequest, UnitDoc } from './engine';
import { createPostgresEngine } from './postgres-engine';
import { createSqliteEngine } from './sqlite-engine';

/**
 * The configured engine (PostgreSQL with TEST_CATALOG_URL, else the embedded one) against the rules the shards apply,
 * written out here over a catalogue of overlapping words: each word a part of the text, RELEVANCE's score (4 for the
 * word in the title, 2 more for it whole there, 1 for it whole anywhere), and the filters beside the words.
 */
const VOCABULARY = ['weld', 'welding', 'welder', 'safety', 'safe', 'pipe', 'pipes', 'metal', 'joint', 'gas', 'arc'];
const LEVELS = [3, 4, 5];
const FIELDS = ['0715', '0713', '0413'];

/** A small deterministic generator: the same catalogue at every run. */
function numbers(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % below;
  };
}

function partOf(code: string, country: string, seed: number): InstitutionPart {
  const next = numbers(seed);
  const words = (n: number) => Array.from({ length: n }, () => VOCABULARY[next(VOCABULARY.length)] as string);
  const qualifications = FIELDS.map((isced, i) => ({
    localId: `Q${i}`,
    sortKey: `qualification ${i}`,
    titleText: `qualification ${i}`,
    searchText: `qualification ${i}`,
    eqfLevel: 4,
    ecvetPoints: 120,
    iscedCode: isced,
    escoOccupation: null,
    status: 'ACTIVE',
  }));
  const units = Array.from({ length: 120 }, (_, i): UnitDoc => {
    const title = words(1 + next(3)).join(' ');
    return {
      localId: `U${String(i).padStart(3, '0')}`,
      qualification: `Q${next(FIELDS.length)}`,
      sortKey: title,
      titleText: title,
      searchText: `${title} ${words(next(6)).join(' ')}`.trim(),
      eqfLevel: LEVELS[next(LEVELS.length)] as number,
      ecvetPoints: 5 + next(4) * 5,
      status: 'ACTIVE',
      skills: [],
    };
  });
  return { institution: { code, country }, qualifications, units };
}

const PARTS = [partOf('rvt.lv', 'LV', 1), partOf('omnia.fi', 'FI', 2), partOf('cifp-aviles.es', 'ES', 3)];

interface Row {
  institution: string;
  localId: string;
  sortKey: string;
  unit: UnitDoc;
  isced: string;
  country: string;
}

const ROWS: Row[] = PARTS.flatMap((part) =>
  part.units.map((unit) => ({
    institution: part.institution.code,
    localId: unit.localId,
    sortKey: unit.sortKey,
    unit,
    country: part.institution.country,
    isced: part.qualifications.find((q) => q.localId === unit.qualification)?.iscedCode ?? '',
  })),
);

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTitle = (a: Row, b: Row) =>
  compare(a.sortKey, b.sortKey) || compare(a.localId, b.localId) || compare(a.institution, b.institution);
const whole = (text: string, word: string) => ` ${text} `.includes(` ${word} `);
const scoreOf = (row: Row, words: readonly string[]) =>
  words.reduce(
    (sum, word) =>
      sum +
      (row.unit.titleText.includes(word) ? 4 : 0) +
      (whole(row.unit.titleText, word) ? 2 : 0) +
      (whole(row.unit.searchText, word) ? 1 : 0),
    0,
  );

/** What the shards answer: every filter, then the order. */
function expected(filter: SearchFilter, order: 'TITLE' | 'RELEVANCE'): string[] {
  const words = filter.words ?? [];
  const matches = ROWS.filter(
    (row) =>
      words.every((word) => row.unit.searchText.includes(word)) &&
      (filter.eqfLevel === undefined || row.unit.eqfLevel === filter.eqfLevel) &&
      (filter.iscedPrefix === undefined || row.isced.startsWith(filter.iscedPrefix)) &&
      (filter.country === undefined || row.country === filter.country),
  );
  const ordered =
    order === 'TITLE'
      ? matches.sort(byTitle)
      : matches.sort((a, b) => scoreOf(b, words) - scoreOf(a, words) || byTitle(a, b));
  return ordered.map((row) => `${row.institution}:${row.localId}`);
}

const FILTERS: SearchFilter[] = [
  { words: ['weld'] },
  { words: ['welding', 'safety'] },
  { words: ['safe', 'pipe'] },
  { words: ['arc'], eqfLevel: 4 },
  { words: ['weld'], eqfLevel: 5, iscedPrefix: '07' },
  { words: ['gas', 'metal'], country: 'FI' },
  { words: ['joint'], iscedPrefix: '0413' },
];

let catalogue: TestCatalogue;
let engine: CatalogueEngine;

beforeAll(async () => {
  catalogue = await testCatalogue();
  engine = catalogue.url ? createPostgresEngine(catalogue.url) : createSqliteEngine();
  await engine.start();
  for (const part of PARTS) await engine.replaceInstitution(part);
}, 30_000);
afterAll(async () => {
  await engine?.close();
  await catalogue?.dispose();
});

const ask = async (filter: SearchFilter, order: 'TITLE' | 'RELEVANCE', first: number, offset = 0) => {
  const request: SearchRequest = { list: 'units', filter, first, after: {}, offset, order, count: true };
  const page = await engine.search(request);
  return { ...page, ids: page.items.map((item) => `${item.institution}:${item.localId}`) };
};

test.each(FILTERS)('RELEVANCE ranks and counts as the shards do: %j', async (filter) => {
  const want = expected(filter, 'RELEVANCE');
  expect(want.length).toBeGreaterThan(3);
  const page = await ask(filter, 'RELEVANCE', want.length + 5);
  expect(page.ids).toEqual(want);
  expect(page.totalCount).toBe(want.length);
  const second = await ask(filter, 'RELEVANCE', 3, 3);
  expect(second.ids).toEqual(want.slice(3, 6));
});

test.each(FILTERS)('TITLE order pages and counts as the shards do: %j', async (filter) => {
  const want = expected(filter, 'TITLE');
  const first = await ask(filter, 'TITLE', 3);
  expect(first.ids).toEqual(want.slice(0, 3));
  expect(first.totalCount).toBe(want.length);
  expect((await ask(filter, 'TITLE', want.length + 5)).ids).toEqual(want);
});
