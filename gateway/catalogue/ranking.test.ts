import { Client } from 'pg';
import pino from 'pino';
import { CATALOG_BASE_URL, catalogueRows, testEngine } from '../../test/harness/catalogue';
import { waitFor } from '../../test/harness/wait';
import type {
  CatalogueEngine,
  InstitutionPart,
  ListName,
  ListPosition,
  QualificationDoc,
  SearchFilter,
  SearchOrder,
  SearchRequest,
  UnitDoc,
} from './engine';
import { createPostgresEngine } from './postgres-engine';

/**
 * The configured engine (PostgreSQL with TEST_CATALOG_URL, else the embedded one) against the rules the shards apply,
 * written out here over a catalogue of overlapping words in two languages per institution: each word a part of the
 * text, RELEVANCE's score (8 for the word in the texts of the query's language, 4 in the title, 2 more for it whole
 * there, 1 for it whole anywhere), and the filters beside the words.
 */
const VOCABULARY = ['weld', 'welding', 'welder', 'safety', 'safe', 'pipe', 'pipes', 'metal', 'joint', 'gas', 'arc'];
const LEVELS = [3, 4, 5];
const FIELDS = ['0715', '0713', '0413'];

/**
 * A small deterministic generator: the same catalogue at every run. Exact in 32 bits (a plain product loses its low
 * bits past 2^53), and read from its high bits (the low ones of this generator repeat soon).
 */
function numbers(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fffffff;
    return (state >>> 16) % below;
  };
}

/**
 * An item's title (in the institution's language) and other texts in that language and in English. A Spanish title
 * about welding also holds "soldadura", a word no English text holds.
 */
function textsOf(words: (n: number) => string, own: string) {
  const drawn = words(1);
  const title = own === 'es' && drawn.includes('weld') ? `soldadura ${drawn}` : drawn;
  const ownText = `${title} ${words(2)}`.trim();
  const english = words(3);
  return { title, langTexts: { [own]: ownText, en: english }, searchText: `${ownText} ${english}`.trim() };
}

function partOf(code: string, country: string, own: string, seed: number): InstitutionPart {
  const next = numbers(seed);
  const words = (n: number) =>
    Array.from({ length: n + next(2) }, () => VOCABULARY[next(VOCABULARY.length)] as string).join(' ');
  const qualifications = FIELDS.flatMap((isced, field) =>
    Array.from({ length: 10 }, (_, i): QualificationDoc => {
      const { title, langTexts, searchText } = textsOf(words, own);
      return {
        localId: `Q${field}-${i}`,
        sortKey: title,
        titleText: title,
        langTexts,
        searchText,
        eqfLevel: LEVELS[next(LEVELS.length)] as number,
        ecvetPoints: 120,
        iscedCode: isced,
        escoOccupation: null,
        status: 'ACTIVE',
      };
    }),
  );
  const units = Array.from({ length: 120 }, (_, i): UnitDoc => {
    const { title, langTexts, searchText } = textsOf(words, own);
    return {
      localId: `U${String(i).padStart(3, '0')}`,
      qualification: `Q${next(FIELDS.length)}-0`,
      sortKey: title,
      titleText: title,
      langTexts,
      searchText,
      eqfLevel: LEVELS[next(LEVELS.length)] as number,
      ecvetPoints: 5 + next(4) * 5,
      status: 'ACTIVE',
      skills: [],
    };
  });
  return { institution: { code, country }, qualifications, units };
}

const PARTS = [
  partOf('rvt.lv', 'LV', 'lv', 1),
  partOf('omnia.fi', 'FI', 'fi', 2),
  partOf('cifp-aviles.es', 'ES', 'es', 3),
];

interface Row {
  institution: string;
  localId: string;
  sortKey: string;
  doc: UnitDoc | QualificationDoc;
  isced: string;
  country: string;
}

const rowsOf = (list: ListName): Row[] =>
  PARTS.flatMap((part) =>
    (list === 'units' ? part.units : part.qualifications).map((doc) => ({
      institution: part.institution.code,
      localId: doc.localId,
      sortKey: doc.sortKey,
      doc,
      country: part.institution.country,
      isced:
        'iscedCode' in doc
          ? doc.iscedCode
          : (part.qualifications.find((q) => q.localId === doc.qualification)?.iscedCode ?? ''),
    })),
  );

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTitle = (a: Row, b: Row) =>
  compare(a.sortKey, b.sortKey) || compare(a.localId, b.localId) || compare(a.institution, b.institution);
const whole = (text: string, word: string) => ` ${text} `.includes(` ${word} `);
const scoreOf = (row: Row, words: readonly string[], lang: string | undefined) =>
  words.reduce(
    (sum, word) =>
      sum +
      (lang !== undefined && (row.doc.langTexts[lang] ?? '').includes(word) ? 8 : 0) +
      (row.doc.titleText.includes(word) ? 4 : 0) +
      (whole(row.doc.titleText, word) ? 2 : 0) +
      (whole(row.doc.searchText, word) ? 1 : 0),
    0,
  );

/** What the shards answer: every filter, then the order. */
function expected(list: ListName, filter: SearchFilter, order: SearchOrder): string[] {
  const words = filter.words ?? [];
  const matches = rowsOf(list).filter(
    (row) =>
      words.every((word) => row.doc.searchText.includes(word)) &&
      (filter.eqfLevel === undefined || row.doc.eqfLevel === filter.eqfLevel) &&
      (filter.iscedPrefix === undefined || row.isced.startsWith(filter.iscedPrefix)) &&
      (filter.country === undefined || row.country === filter.country),
  );
  const ordered =
    order === 'TITLE'
      ? matches.sort(byTitle)
      : matches.sort((a, b) => scoreOf(b, words, filter.lang) - scoreOf(a, words, filter.lang) || byTitle(a, b));
  return ordered.map((row) => `${row.institution}:${row.localId}`);
}

const FILTERS: SearchFilter[] = [
  { words: ['weld'] },
  { words: ['weld'], lang: 'lv' },
  { words: ['welding', 'safety'] },
  { words: ['safe', 'pipe'], lang: 'lv' },
  { words: ['arc'], eqfLevel: 4, lang: 'en' },
  { words: ['weld'], eqfLevel: 5, iscedPrefix: '07', lang: 'fi' },
  { words: ['gas', 'metal'], country: 'FI', lang: 'fi' },
  { words: ['joint'], iscedPrefix: '0413', lang: 'it' },
  { words: ['welding', 'safety'], lang: 'en' },
  { words: ['soldadura', 'weld'], lang: 'en' },
];
const CASES: Array<[ListName, SearchFilter]> = [
  ...FILTERS.map((filter): [ListName, SearchFilter] => ['units', filter]),
  ...FILTERS.filter((filter) => filter.words?.length === 1).map((filter): [ListName, SearchFilter] => [
    'qualifications',
    filter,
  ]),
];

let catalogue: Awaited<ReturnType<typeof testEngine>>;
let engine: CatalogueEngine;

beforeAll(async () => {
  catalogue = await testEngine(PARTS);
  engine = catalogue.engine;
}, 30_000);
afterAll(() => catalogue?.dispose());

const ask = async (
  list: ListName,
  filter: SearchFilter,
  order: SearchOrder,
  first: number,
  offset = 0,
  asked: CatalogueEngine = engine,
) => {
  const request: SearchRequest = { list, filter, first, after: {}, offset, order, count: true };
  const page = await asked.search(request);
  return { ...page, ids: page.items.map((item) => `${item.institution}:${item.localId}`) };
};

test('the query language moves matches in its texts up, and only then', () => {
  const filter: SearchFilter = { words: ['safe', 'pipe'] };
  expect(expected('units', { ...filter, lang: 'lv' }, 'RELEVANCE')).not.toEqual(expected('units', filter, 'RELEVANCE'));
  expect(expected('units', { ...filter, lang: 'it' }, 'RELEVANCE')).toEqual(expected('units', filter, 'RELEVANCE'));
});

test.each(CASES)('%s: RELEVANCE ranks and counts as the shards do: %j', async (list, filter) => {
  const want = expected(list, filter, 'RELEVANCE');
  expect(want.length).toBeGreaterThan(6);
  const page = await ask(list, filter, 'RELEVANCE', want.length + 5);
  expect(page.ids).toEqual(want);
  expect(page.totalCount).toBe(want.length);
  const second = await ask(list, filter, 'RELEVANCE', 3, 3);
  expect(second.ids).toEqual(want.slice(3, 6));
});

/**
 * RELEVANCE's first tier, which the engines read in TITLE order through their titles' words (and each language's) when
 * it fills the page: the matches that score the most a match can (every word whole in the title and, with a language,
 * in its texts there every word that some item's texts there hold).
 */
const firstTierOf = (list: ListName, filter: SearchFilter) => {
  const words = filter.words ?? [];
  const { lang } = filter;
  const inLanguage = words.filter(
    (word) => lang !== undefined && rowsOf(list).some((row) => (row.doc.langTexts[lang] ?? '').includes(word)),
  );
  return rowsOf(list).filter(
    (row) =>
      expected(list, filter, 'RELEVANCE').includes(`${row.institution}:${row.localId}`) &&
      scoreOf(row, words, lang) === words.length * 7 + inLanguage.length * 8,
  );
};

test('the first tier spans pages, with a language too (holding every word, some or none), is empty where the language holds the words in other titles, and elsewhere is too small to fill a page of two', () => {
  const sizeOf = (lang: string | undefined, words: string[]) => {
    const found = CASES.find(
      ([list, filter]) => list === 'units' && filter.lang === lang && filter.words?.join(' ') === words.join(' '),
    );
    return found ? firstTierOf(...found).length : -1;
  };
  expect(sizeOf(undefined, ['weld'])).toBeGreaterThan(4);
  expect(sizeOf('lv', ['weld'])).toBeGreaterThan(4);
  expect(sizeOf('en', ['soldadura', 'weld'])).toBeGreaterThan(4);
  expect(sizeOf('it', ['joint'])).toBeGreaterThan(4);
  expect(sizeOf('lv', ['safe', 'pipe'])).toBe(0);
  const sizes = CASES.map(([list, filter]) => firstTierOf(list, filter).length);
  expect(sizes.some((size) => size > 0 && size < 3)).toBe(true);
});

test.each(CASES)(
  '%s: RELEVANCE pages of two, within the first tier, across its end and past it: %j',
  async (list, filter) => {
    const want = expected(list, filter, 'RELEVANCE');
    for (let offset = 0; offset <= want.length; offset += 2) {
      const page = await ask(list, filter, 'RELEVANCE', 2, offset);
      expect({ offset, ids: page.ids, hasNextPage: page.hasNextPage }).toEqual({
        offset,
        ids: want.slice(offset, offset + 2),
        hasNextPage: offset + 2 < want.length,
      });
    }
  },
);

test('RELEVANCE in a language, a page past the walk of the first tier (5,000 titles) answers as the shards do', async () => {
  for (const [list, filter] of CASES.filter(([, f]) => f.lang !== undefined)) {
    const page = await ask(list, filter, 'RELEVANCE', 2, 5_000);
    expect({ filter, ids: page.ids, hasNextPage: page.hasNextPage, totalCount: page.totalCount }).toEqual({
      filter,
      ids: [],
      hasNextPage: false,
      totalCount: expected(list, filter, 'RELEVANCE').length,
    });
  }
});

/**
 * An institution whose `count` units are all titled `word` and hold it in English; in TITLE order only those from
 * `heldFrom` on hold it in Latvian too, so RELEVANCE's first tier with `lang: 'lv'` starts there.
 */
function titledPart(code: string, word: string, count: number, heldFrom: number) {
  const units = Array.from({ length: count }, (_, i): UnitDoc => {
    const lv = i >= heldFrom ? word : 'cits';
    return {
      localId: `U${String(i).padStart(4, '0')}`,
      qualification: 'QT',
      sortKey: `${word} ${String(i).padStart(4, '0')}`,
      titleText: word,
      langTexts: { lv, en: word },
      searchText: `${word} ${lv}`,
      eqfLevel: 4,
      ecvetPoints: 5,
      status: 'ACTIVE',
      skills: [],
    };
  });
  const qualification = { ...(PARTS[0]?.qualifications[0] as QualificationDoc), localId: 'QT' };
  const part: InstitutionPart = { institution: { code, country: 'LV' }, qualifications: [qualification], units };
  return { part, idsOf: (some: UnitDoc[]) => some.map((unit) => `${code}:${unit.localId}`), units };
}

test.each([
  // The engines' first look at the titled units misses (PostgreSQL walks a few first), and the tier lies past them.
  ['past the first titles', 300, 200],
  // Past PostgreSQL's longest walk: the tier is read as one set, not left to scoring every match.
  ['past the first 5,000 titles', 5_200, 5_100],
])(
  'RELEVANCE in a language whose first tier lies %s finds it there (%i units, the first %i in TITLE order outside it)',
  async (_where, count, heldFrom) => {
    const { part, idsOf, units } = titledPart('titled.lv', 'alpha', count, heldFrom);
    const titled = await testEngine([part]);
    try {
      const page = await ask('units', { words: ['alpha'], lang: 'lv' }, 'RELEVANCE', 10, 0, titled.engine);
      expect(page.totalCount).toBe(count);
      expect(page.ids).toEqual(idsOf(units.slice(heldFrom, heldFrom + 10)));
      // The tier's last five, then the others by title (equal scores).
      const across = await ask(
        'units',
        { words: ['alpha'], lang: 'lv' },
        'RELEVANCE',
        10,
        count - heldFrom - 5,
        titled.engine,
      );
      expect(across.ids).toEqual(idsOf([...units.slice(count - 5), ...units.slice(0, 5)]));
    } finally {
      await titled.dispose();
    }
  },
  60_000,
);

test.each(CASES)('%s: TITLE order pages and counts as the shards do: %j', async (list, filter) => {
  const want = expected(list, filter, 'TITLE');
  const first = await ask(list, filter, 'TITLE', 3);
  expect(first.ids).toEqual(want.slice(0, 3));
  expect(first.totalCount).toBe(want.length);
  expect((await ask(list, filter, 'TITLE', want.length + 5)).ids).toEqual(want);
});

test("TITLE order reads on from the positions of thousands of institutions, as a large federation's cursor holds them", async () => {
  const filter: SearchFilter = { words: ['weld'] };
  const want = expected('units', filter, 'TITLE');
  // Each institution's position: its third match, or none for the last institution (read from its start).
  const after: Record<string, ListPosition> = {};
  for (const part of PARTS.slice(0, 2)) {
    const code = part.institution.code;
    const third = rowsOf('units')
      .sort(byTitle)
      .filter((row) => row.institution === code && want.includes(`${code}:${row.localId}`))[2] as Row;
    after[code] = { sortKey: third.sortKey, id: third.localId };
  }
  // Members with nothing to page: beyond 1,000, a chain of one condition per position was deeper than SQLite allows.
  for (let n = 0; n < 3_000; n += 1) after[`member-${n}.example`] = { sortKey: 'zz', id: 'U1' };
  const wantAfter = rowsOf('units')
    .sort(byTitle)
    .filter((row) => {
      const position = after[row.institution];
      return (
        want.includes(`${row.institution}:${row.localId}`) &&
        (!position || byTitle(row, { ...row, sortKey: position.sortKey, localId: position.id }) > 0)
      );
    })
    .map((row) => `${row.institution}:${row.localId}`);
  expect(wantAfter.length).toBeGreaterThan(6);
  expect(wantAfter.length).toBeLessThan(want.length);
  const page = await engine.search({
    list: 'units',
    filter,
    first: 500,
    after,
    offset: 0,
    order: 'TITLE',
    count: false,
  });
  expect(page.items.map((item) => `${item.institution}:${item.localId}`)).toEqual(wantAfter);
});

test("a qualification's new field moves its units with it, in a search of their words too", async () => {
  const part = PARTS[0] as InstitutionPart;
  const qualification = part.qualifications[0] as QualificationDoc;
  const held = part.units.filter((unit) => unit.qualification === qualification.localId);
  const word = held[0]?.searchText.split(' ')[0] as string;
  const holding = held
    .filter((unit) => unit.searchText.includes(word))
    .map((unit) => `${part.institution.code}:${unit.localId}`);
  expect(holding.length).toBeGreaterThan(0);
  const found = async (iscedPrefix: string, order: SearchOrder) =>
    (await ask('units', { words: [word], iscedPrefix, institution: part.institution.code }, order, 500)).ids;
  const move = (iscedCode: string) =>
    engine.apply(part.institution.code, {
      qualifications: [{ localId: qualification.localId, doc: { ...qualification, iscedCode } }],
    });
  expect(qualification.iscedCode).toBe('0715');
  await move('0413');
  try {
    for (const order of ['TITLE', 'RELEVANCE'] as const) {
      expect(await found('0413', order)).toEqual(expect.arrayContaining(holding));
      expect((await found('0715', order)).filter((id) => holding.includes(id))).toEqual([]);
    }
  } finally {
    await move('0715');
  }
  expect(await found('0715', 'TITLE')).toEqual(expect.arrayContaining(holding));
});

test("a unit's new title moves it out of the first tier, and a removed unit leaves it", async () => {
  const part = PARTS[0] as InstitutionPart;
  const code = part.institution.code;
  const filter: SearchFilter = { words: ['weld'] };
  const pagesOfTwo = async () => {
    const want = expected('units', filter, 'RELEVANCE');
    for (let offset = 0; offset <= want.length; offset += 2)
      expect({ offset, ids: (await ask('units', filter, 'RELEVANCE', 2, offset)).ids }).toEqual({
        offset,
        ids: want.slice(offset, offset + 2),
      });
  };
  const [moved, removed] = firstTierOf('units', filter).filter((row) => row.institution === code);
  if (!moved || !removed) throw new Error(`${code} has fewer than two units in the first tier`);
  const index = (row: Row) => part.units.findIndex((unit) => unit.localId === row.localId);
  const [movedAt, removedAt] = [index(moved), index(removed)];
  const [before, gone] = [part.units[movedAt] as UnitDoc, part.units[removedAt] as UnitDoc];
  // Still holding the word in its other texts: it falls to a lower tier, not out of the matches.
  const retitled: UnitDoc = { ...before, titleText: 'gas', sortKey: 'gas' };
  part.units[movedAt] = retitled;
  part.units.splice(removedAt, 1);
  await engine.apply(code, {
    units: [
      { localId: retitled.localId, doc: retitled },
      { localId: gone.localId, doc: null },
    ],
  });
  try {
    expect(expected('units', filter, 'RELEVANCE')).toContain(`${code}:${retitled.localId}`);
    await pagesOfTwo();
  } finally {
    part.units.splice(removedAt, 0, gone);
    part.units[movedAt] = before;
    await engine.apply(code, {
      units: [
        { localId: before.localId, doc: before },
        { localId: gone.localId, doc: gone },
      ],
    });
  }
  await pagesOfTwo();
});

// The indexes are PostgreSQL's.
if (CATALOG_BASE_URL) {
  const sql = <Row extends Record<string, unknown>>(statement: string) =>
    catalogueRows<Row>(catalogue.url as string, statement);

  /** The backends of this test catalogue building an index, waiting for a lock (a write in progress). */
  const building = () =>
    sql<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'",
    );

  test('a catalogue from before the index of texts by language and word gets it in the background: searches in a language rank the same meanwhile, on every replica, and writes of texts go on', async () => {
    const indexes = async () =>
      (
        await sql<{ name: string; valid: boolean }>(
          `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relname LIKE '%lang%words' ORDER BY c.relname`,
        )
      ).map(({ name, valid }) => `${name}${valid ? '' : ' (invalid)'}`);
    const LANGUAGE_INDEXES = ['qualification_lang_language_words', 'unit_lang_language_words'];
    expect(await indexes()).toEqual(LANGUAGE_INDEXES);
    await sql(`DROP INDEX unit_lang_language_words, qualification_lang_language_words;
      CREATE INDEX unit_lang_words ON unit_lang USING gin (words);
      CREATE INDEX qualification_lang_words ON qualification_lang USING gin (words)`);
    const inLanguage = CASES.filter(([, filter]) => filter.lang !== undefined);
    const ranksAsTheShards = async (asked: CatalogueEngine) => {
      for (const [list, filter] of inLanguage) {
        const want = expected(list, filter, 'RELEVANCE');
        expect((await ask(list, filter, 'RELEVANCE', want.length + 1, 0, asked)).ids).toEqual(want);
        for (let offset = 0; offset < 6; offset += 2)
          expect((await ask(list, filter, 'RELEVANCE', 2, offset, asked)).ids).toEqual(want.slice(offset, offset + 2));
      }
    };
    // A write of texts in progress: a build waits for it, and, built as the engine started, held the start back.
    const writing = new Client({ connectionString: catalogue.url as string });
    await writing.connect();
    await writing.query('BEGIN; LOCK TABLE unit_lang IN ROW EXCLUSIVE MODE');
    const said: Array<{ msg: string; built?: boolean }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => said.push(JSON.parse(line)) });
    const upgraded = createPostgresEngine(catalogue.url as string, { log });
    const replica = createPostgresEngine(catalogue.url as string, { log });
    const part = PARTS[0] as InstitutionPart;
    const written: UnitDoc = {
      ...(part.units[0] as UnitDoc),
      localId: 'U900',
      sortKey: 'weld',
      titleText: 'weld',
      langTexts: { lv: 'weld joint', en: 'gas' },
      searchText: 'weld joint gas',
    };
    try {
      await upgraded.start();
      await replica.start();
      expect(await indexes()).not.toEqual(expect.arrayContaining(LANGUAGE_INDEXES));
      await ranksAsTheShards(upgraded);
      // Another write of texts meanwhile goes through, and is in the index once built.
      part.units.push(written);
      await upgraded.apply(part.institution.code, { units: [{ localId: written.localId, doc: written }] });
      // Rebuilds of 1,350 rows in all: the engine settles the tables after them, all but those a build stands on.
      for (let round = 0; round < 3; round++) for (const rebuilt of PARTS) await replica.replaceInstitution(rebuilt);
      await ranksAsTheShards(replica);
      expect(said).toEqual([]);
      await writing.query('COMMIT');
      await waitFor('both replicas know the indexes stand', () => said.length === 2);
      // One replica built them; the other found them built.
      expect(said.map(({ msg, built }) => ({ msg, built })).sort((a, b) => Number(a.built) - Number(b.built))).toEqual(
        [false, true].map((built) => ({
          msg: 'catalogue layout step done: texts by language indexed by language and word',
          built,
        })),
      );
      expect(await indexes()).toEqual(LANGUAGE_INDEXES);
      expect(firstTierOf('units', { words: ['weld'], lang: 'lv' })).toContainEqual(
        expect.objectContaining({ localId: written.localId }),
      );
      await ranksAsTheShards(upgraded);
      await ranksAsTheShards(replica);
    } finally {
      await writing.end();
      part.units.splice(part.units.indexOf(written), 1);
      await upgraded.apply(part.institution.code, { units: [{ localId: written.localId, doc: null }] });
      await Promise.all([upgraded.close(), replica.close()]);
    }
  });

  test('a build that fails (its statement cancelled by an operator) is tried again a second later, by the same replica', async () => {
    await sql('DROP INDEX unit_lang_language_words');
    const writing = new Client({ connectionString: catalogue.url as string });
    await writing.connect();
    await writing.query('BEGIN; LOCK TABLE unit_lang IN ROW EXCLUSIVE MODE');
    const said: Array<{ msg: string; built?: boolean; retryInMs?: number }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => said.push(JSON.parse(line)) });
    const retried = createPostgresEngine(catalogue.url as string, { log });
    try {
      await retried.start();
      await waitFor('the build waits', async () => (await building()).length > 0);
      const [{ pid }] = (await building()) as [{ pid: number }];
      await sql(`SELECT pg_cancel_backend(${pid})`);
      await waitFor('the failure is told', () => said.length === 1);
      expect(said.map(({ msg, retryInMs }) => ({ msg, retryInMs }))).toEqual([
        { msg: 'catalogue layout step failed: texts by language not indexed', retryInMs: 1_000 },
      ]);
      await writing.query('COMMIT');
      await waitFor('the index stands', () => said.length === 2);
      expect(said[1]).toMatchObject({
        msg: 'catalogue layout step done: texts by language indexed by language and word',
        built: true,
      });
      expect(
        await sql(
          "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('unit_lang_language_words')",
        ),
      ).toEqual([{ valid: true }]);
      for (const [list, filter] of CASES.filter(([, f]) => f.lang !== undefined)) {
        const want = expected(list, filter, 'RELEVANCE');
        expect((await ask(list, filter, 'RELEVANCE', 4, 0, retried)).ids).toEqual(want.slice(0, 4));
      }
    } finally {
      await writing.query('ROLLBACK').catch(() => undefined);
      await writing.end();
      await retried.close();
    }
  });

  test('an index build cut short leaves an invalid index, built again at the next start', async () => {
    // Closed while its build waits for a write in progress: the build is cancelled, its index left invalid.
    await sql('DROP INDEX unit_lang_language_words');
    const writing = new Client({ connectionString: catalogue.url as string });
    await writing.connect();
    await writing.query('BEGIN; LOCK TABLE unit_lang IN ROW EXCLUSIVE MODE');
    const said: Array<{ msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => said.push(JSON.parse(line)) });
    const cut = createPostgresEngine(catalogue.url as string, { log });
    try {
      await cut.start();
      await waitFor('the build waits', async () => (await building()).length > 0);
      await cut.close();
    } finally {
      await writing.query('COMMIT');
      await writing.end();
    }
    expect(said).toEqual([]);
    const validity = () =>
      sql("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('unit_lang_language_words')");
    expect(await validity()).toEqual([{ valid: false }]);
    const again = createPostgresEngine(catalogue.url as string, { log });
    try {
      await again.start();
      await waitFor('the index stands', () => said.length === 1);
      expect(await validity()).toEqual([{ valid: true }]);
      for (const [list, filter] of CASES.filter(([, f]) => f.lang !== undefined)) {
        const want = expected(list, filter, 'RELEVANCE');
        expect((await ask(list, filter, 'RELEVANCE', 4, 0, again)).ids).toEqual(want.slice(0, 4));
      }
    } finally {
      await again.close();
    }
  });
}
