import { testEngine } from '../../test/harness/catalogue';
import type {
  CatalogueEngine,
  InstitutionPart,
  QualificationDoc,
  SearchFilter,
  SearchRequest,
  UnitDoc,
} from './engine';

/**
 * A query word that many vocabulary words hold (a letter, say) is matched in the items' own text rather than through
 * the word index, whose cost grows with the number of alternatives: the answers stay those of `LIKE '%word%'`, as
 * the shards give them, on the configured engine (PostgreSQL with TEST_CATALOG_URL, else the embedded one). Here
 * 600 words hold "q", more than either engine looks up, and a few hold "zq".
 */
const Q_WORDS = Array.from({ length: 600 }, (_, n) => `q${n.toString(36)}x`);

function partOf(code: string, country: string, offset: number): InstitutionPart {
  const qualification: QualificationDoc = {
    localId: 'Q1',
    sortKey: 'welding',
    titleText: 'welding',
    langTexts: { en: 'welding' },
    searchText: 'welding',
    eqfLevel: 4,
    ecvetPoints: 120,
    iscedCode: '0715',
    escoOccupation: null,
    status: 'ACTIVE',
  };
  const units = Array.from({ length: 90 }, (_, i): UnitDoc => {
    const n = offset + i;
    // Every third unit holds none of the words with "q"; the others five of them, one "zq…" now and then.
    const words = n % 3 === 0 ? [] : Array.from({ length: 5 }, (_, k) => Q_WORDS[(n * 7 + k * 131) % Q_WORDS.length]);
    if (n % 10 === 1) words.push('zqa');
    const title = `unit ${String(n).padStart(3, '0')} ${n % 2 === 0 ? 'welding' : 'safety'}`;
    const own = `${title} ${words.join(' ')}`.trim();
    return {
      localId: `U${n}`,
      qualification: 'Q1',
      sortKey: title,
      titleText: title,
      // The words with "q" in Finnish for even units, in German for odd ones.
      langTexts: n % 2 === 0 ? { en: title, fi: own } : { en: title, de: own },
      searchText: own,
      eqfLevel: 3 + (n % 3),
      ecvetPoints: 5,
      status: 'ACTIVE',
      skills: [],
    };
  });
  return { institution: { code, country }, qualifications: [qualification], units };
}

const PARTS = [partOf('rvt.lv', 'LV', 0), partOf('omnia.fi', 'FI', 90)];
const UNITS = PARTS.flatMap((part) =>
  part.units.map((unit) => ({ id: `${part.institution.code}:${unit.localId}`, unit, part })),
);

let catalogue: Awaited<ReturnType<typeof testEngine>>;
let engine: CatalogueEngine;
beforeAll(async () => {
  catalogue = await testEngine(PARTS);
  engine = catalogue.engine;
}, 30_000);
afterAll(() => catalogue?.dispose());

/** The shards' answer in TITLE order. */
const expected = (filter: SearchFilter) =>
  UNITS.filter(
    ({ unit, part }) =>
      (filter.words ?? []).every((word) => unit.searchText.includes(word)) &&
      (filter.eqfLevel === undefined || unit.eqfLevel === filter.eqfLevel) &&
      (filter.country === undefined || part.institution.country === filter.country),
  )
    .sort(
      (a, b) =>
        a.unit.sortKey.localeCompare(b.unit.sortKey) ||
        a.unit.localId.localeCompare(b.unit.localId) ||
        a.part.institution.code.localeCompare(b.part.institution.code),
    )
    .map(({ id }) => id);

const search = async (filter: SearchFilter, more: Partial<SearchRequest> = {}) => {
  const page = await engine.search({
    list: 'units',
    filter,
    first: 500,
    after: {},
    offset: 0,
    order: 'TITLE',
    count: true,
    ...more,
  });
  return { ids: page.items.map((item) => `${item.institution}:${item.localId}`), total: page.totalCount };
};

test.each<SearchFilter>([
  { words: ['q'] },
  { words: ['q', 'welding'] },
  { words: ['q', 'x'] },
  { words: ['zq'] },
  { words: ['zq', 'q'] },
  { words: ['q'], eqfLevel: 4 },
  { words: ['q'], country: 'FI' },
  { words: ['q', 'safety'], eqfLevel: 5, country: 'LV' },
])('a common word finds, counts and pages as the shards do: %j', async (filter) => {
  const want = expected(filter);
  expect(want.length).toBeGreaterThan(3);
  expect(await search(filter)).toEqual({ ids: want, total: want.length });
  // Without the count, and page by page from an institution's position.
  expect((await search(filter, { count: false, first: 3 })).ids).toEqual(want.slice(0, 3));
  const [institution, localId] = (want[2] as string).split(':') as [string, string];
  const position = UNITS.find((one) => one.id === want[2])?.unit.sortKey as string;
  const after = { [institution]: { sortKey: position, id: localId } };
  const rest = want.filter((id, i) => i > 2 || !id.startsWith(`${institution}:`));
  expect((await search(filter, { after, count: false })).ids).toEqual(rest);
});

test('a common word that no item of the list holds beside another finds nothing, and names no word as missing', async () => {
  expect(await search({ words: ['q', 'nowhere'] })).toEqual({ ids: [], total: 0 });
  const suggested = await engine.suggest('units', ['q', 'nowhere']);
  expect(suggested.map((one) => one.word)).toEqual(['nowhere']);
});

test('RELEVANCE ranks first the items whose texts in the query language hold a common word', async () => {
  const all = expected({ words: ['q'] });
  const inFinnish = UNITS.filter(({ id, unit }) => all.includes(id) && (unit.langTexts.fi ?? '').includes('q'));
  expect(inFinnish.length).toBeGreaterThan(10);
  expect(inFinnish.length).toBeLessThan(all.length);
  const ranked = await search({ words: ['q'], lang: 'fi' }, { order: 'RELEVANCE' });
  expect(ranked.total).toBe(all.length);
  expect(ranked.ids.slice(0, inFinnish.length).sort()).toEqual(inFinnish.map(({ id }) => id).sort());
  expect(ranked.ids.slice().sort()).toEqual(all.slice().sort());
});
