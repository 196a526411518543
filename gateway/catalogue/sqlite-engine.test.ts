import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogueEngine, InstitutionPart, SearchRequest, UnitDoc } from './engine';
import { partOf, unitDoc as unit } from './catalogue-docs.fixture';
import { createSqliteEngine } from './sqlite-engine';

const part = (code: string, country: string, units: UnitDoc[]) => partOf(code, country, units);

const request = (overrides: Partial<SearchRequest>): SearchRequest => ({
  list: 'units',
  filter: { words: null },
  first: 10,
  after: {},
  offset: 0,
  order: 'TITLE',
  count: true,
  ...overrides,
});

const ids = (page: { items: Array<{ institution: string; localId: string }> }) =>
  page.items.map((item) => `${item.institution}:${item.localId}`);

/** A catalogue file this engine wrote `part` to, then made to look like an earlier layout by `sql`, opened again. */
async function reopenedFormer(written: InstitutionPart, sql: string): Promise<CatalogueEngine> {
  const path = join(mkdtempSync(join(tmpdir(), 'catalogue-')), 'catalogue.sqlite');
  const former = createSqliteEngine(path);
  await former.replaceInstitution(written);
  await former.close();
  const db = new Database(path);
  db.exec(sql);
  db.close();
  return createSqliteEngine(path);
}

describe('the embedded catalogue engine', () => {
  const engine = createSqliteEngine();
  beforeAll(async () => {
    await engine.replaceInstitution(part('a.lv', 'LV', [unit('A1', 'brazing'), unit('A2', 'welding basics')]));
    await engine.replaceInstitution(
      part('b.de', 'DE', [unit('B1', 'safety', { searchText: 'b1 safety welding' }), unit('B2', 'welding')]),
    );
  });
  afterAll(() => engine.close());

  it("orders by (sort key, local ID, institution) and reads on from each institution's own position", async () => {
    expect(ids(await engine.search(request({})))).toEqual(['a.lv:A1', 'b.de:B1', 'b.de:B2', 'a.lv:A2']);
    const after = { 'b.de': { sortKey: 'safety', id: 'B1' } };
    expect(ids(await engine.search(request({ after })))).toEqual(['a.lv:A1', 'b.de:B2', 'a.lv:A2']);
  });

  it('matches every folded word inside the text, counts all matches and pages them', async () => {
    const page = await engine.search(request({ filter: { words: ['weld'] }, first: 1 }));
    expect(page).toMatchObject({ totalCount: 3, hasNextPage: true });
    expect(ids(page)).toEqual(['b.de:B1']);
    expect((await engine.search(request({ filter: { words: [] } }))).totalCount).toBe(0);
    expect(ids(await engine.search(request({ filter: { words: ['weld'], country: 'LV' } })))).toEqual(['a.lv:A2']);
  });

  it('ranks title matches before the rest for RELEVANCE', async () => {
    const page = await engine.search(request({ filter: { words: ['welding'] }, order: 'RELEVANCE' }));
    expect(ids(page).at(-1)).toBe('b.de:B1');
  });

  it('answers RELEVANCE for a text of punctuation alone (no word) with nothing, as the shards do', async () => {
    const page = await engine.search(request({ filter: { words: [] }, order: 'RELEVANCE' }));
    expect(page).toMatchObject({ totalCount: 0, hasNextPage: false });
    expect(ids(page)).toEqual([]);
  });

  it('answers a common word as a rare one: in order, counted, paged from each position', async () => {
    // More rows hold "common" than the engine sorts itself: it reads the list in order instead (the same answers).
    const many = createSqliteEngine();
    const units = Array.from({ length: 6_000 }, (_, i) =>
      unit(`C${i}`, `k${String((i * 7_919) % 6_000).padStart(4, '0')}`, {
        searchText: i % 3 === 0 ? 'rare common' : 'common',
      }),
    );
    await many.replaceInstitution(part('c.lv', 'LV', units));
    const sorted = (keep: (u: UnitDoc) => boolean) =>
      units
        .filter(keep)
        .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1))
        .map((u) => `c.lv:${u.localId}`);
    for (const [word, keep] of [
      ['common', () => true],
      ['rare', (u: UnitDoc) => u.searchText.startsWith('rare')],
    ] as const) {
      const first = await many.search(request({ filter: { words: [word] } }));
      expect(first.totalCount).toBe(sorted(keep).length);
      expect(ids(first)).toEqual(sorted(keep).slice(0, 10));
      const last = first.items.at(-1) as { sortKey: string; localId: string };
      const after = { 'c.lv': { sortKey: last.sortKey, id: last.localId } };
      expect(ids(await many.search(request({ filter: { words: [word] }, after })))).toEqual(sorted(keep).slice(10, 20));
      // A filter the facet words do not answer, without a total: the rows are counted only as far as that choice.
      const ofQualification = { words: [word], qualification: { institution: 'c.lv', localId: 'Q' } };
      const uncounted = await many.search(request({ filter: ofQualification, count: false }));
      expect(uncounted).toMatchObject({ totalCount: null, hasNextPage: true });
      expect(ids(uncounted)).toEqual(sorted(keep).slice(0, 10));
      expect(ids(await many.search(request({ filter: ofQualification, after, count: false })))).toEqual(
        sorted(keep).slice(10, 20),
      );
      expect((await many.search(request({ filter: ofQualification }))).totalCount).toBe(sorted(keep).length);
    }
    await many.close();
  });

  it('answers words most units hold as rare ones when it walks the places in TITLE order instead', async () => {
    // More units hold "common" than the engine looks up one by one (PLACE_WALK_ROWS): it walks the places in order.
    const many = createSqliteEngine();
    const units = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        unit(`${prefix}${i}`, `k${String((i * 7_919) % count).padStart(5, '0')}`, {
          searchText: i % 3 === 0 ? 'rare common' : 'common',
        }),
      );
    const parts = [part('c.lv', 'LV', units('C', 30_000)), part('d.de', 'DE', units('D', 21_000))];
    for (const one of parts) await many.replaceInstitution(one);
    const sorted = (keep: (u: UnitDoc) => boolean) =>
      parts
        .flatMap((one) => one.units.filter(keep).map((u) => ({ ...u, inst: one.institution.code })))
        .sort((a, b) => (a.sortKey !== b.sortKey ? (a.sortKey < b.sortKey ? -1 : 1) : a.localId < b.localId ? -1 : 1))
        .map((u) => `${u.inst}:${u.localId}`);
    for (const [word, keep] of [
      ['common', () => true],
      ['rare', (u: UnitDoc) => u.searchText.startsWith('rare')],
    ] as const) {
      const expected = sorted(keep);
      const first = await many.search(request({ filter: { words: [word] } }));
      expect(first).toMatchObject({ totalCount: expected.length, hasNextPage: true });
      expect(ids(first)).toEqual(expected.slice(0, 10));
      const after: Record<string, { sortKey: string; id: string }> = {};
      for (const item of first.items) after[item.institution] = { sortKey: item.sortKey, id: item.localId };
      const next = await many.search(request({ filter: { words: [word] }, after, count: false }));
      expect(next.totalCount).toBeNull();
      expect(ids(next)).toEqual(expected.slice(10, 20));
    }
    await many.close();
  });

  it("ranks RELEVANCE's first tier with a language alike, whether it looks its titled units up one by one or reads the set", async () => {
    // More units hold each word in the language than the engine reads as one set (LANGUAGE_SET_ROWS): it looks the
    // titled units up in TITLE order, and reads the set only after too many misses (LANGUAGE_LOOKUPS).
    const count = 82_000;
    const titledGamma = new Set([5, 17, 123, 40_000, 81_990]);
    const place = (i: number) => (i * 7_919) % count;
    const units = Array.from({ length: count }, (_, i) => {
      const at = place(i);
      const title = `alpha beta${titledGamma.has(at) ? ' gamma' : ''}`;
      // The first 300 in TITLE order hold "beta" in English only: the lookups in Latvian miss them all.
      const en = `alpha gamma${at < 300 ? ' beta' : ''}`;
      const lv = at < 300 ? 'cits' : 'beta';
      return unit(`U${i}`, `k${String(at).padStart(5, '0')}`, {
        titleText: title,
        searchText: `${title} ${en} ${lv}`,
        langTexts: { en, lv },
      });
    });
    const many = createSqliteEngine();
    await many.replaceInstitution(part('c.lv', 'LV', units));
    const at = (...places: number[]) => places.map((p) => `c.lv:U${units.findIndex((_, i) => place(i) === p)}`);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    const relevance = (words: string[], lang: string, offset = 0) =>
      many.search(request({ filter: { words, lang }, order: 'RELEVANCE', offset }));
    // Every titled unit holds "alpha" in English: the first lookups fill the page, at each offset.
    expect(ids(await relevance(['alpha'], 'en'))).toEqual(at(...range(0, 10)));
    expect(ids(await relevance(['alpha'], 'en', 20))).toEqual(at(...range(20, 30)));
    // The first 300 titled units miss "beta" in Latvian: the set is read after the lookups' misses.
    const beta = await relevance(['beta'], 'lv');
    expect(beta.totalCount).toBe(count);
    expect(ids(beta)).toEqual(at(...range(300, 310)));
    // Five titles hold "gamma", all in English: the lookups read every titled unit, then the others follow by score.
    expect(ids(await relevance(['gamma'], 'en'))).toEqual(at(5, 17, 123, 40_000, 81_990, 0, 1, 2, 3, 4));
    await many.close();
  });

  it('applies changes read again: a gone unit leaves, a changed one moves', async () => {
    await engine.apply('a.lv', {
      units: [
        { localId: 'A1', doc: null },
        { localId: 'A2', doc: unit('A2', 'zinc') },
      ],
    });
    expect(ids(await engine.search(request({ filter: { words: null, institution: 'a.lv' } })))).toEqual(['a.lv:A2']);
    expect(await engine.institutions()).toEqual(['a.lv', 'b.de']);
  });

  it('moves a renamed unit in the order of a text search, which reads its place beside its words', async () => {
    const moving = createSqliteEngine();
    await moving.replaceInstitution(
      part('d.lv', 'LV', [
        unit('D1', 'a', { searchText: 'welding' }),
        unit('D2', 'b', { searchText: 'welding' }),
        unit('D3', 'c', { searchText: 'welding' }),
      ]),
    );
    await moving.apply('d.lv', { units: [{ localId: 'D1', doc: unit('D1', 'd', { searchText: 'welding' }) }] });
    const words = { words: ['welding'] };
    expect(ids(await moving.search(request({ filter: words })))).toEqual(['d.lv:D2', 'd.lv:D3', 'd.lv:D1']);
    const after = { 'd.lv': { sortKey: 'b', id: 'D2' } };
    expect(ids(await moving.search(request({ filter: words, after })))).toEqual(['d.lv:D3', 'd.lv:D1']);
    await moving.apply('d.lv', { units: [{ localId: 'D3', doc: null }] });
    expect(await moving.search(request({ filter: words }))).toMatchObject({ totalCount: 2, hasNextPage: false });
    await moving.close();
  });

  it("places a former catalogue's units (it had no places) at start, so its text search finds them in order", async () => {
    const welding = { searchText: 'welding' };
    const reopened = await reopenedFormer(
      part('e.lv', 'LV', [unit('E2', 'b', welding), unit('E1', 'a', welding)]),
      'DROP TABLE unit_place',
    );
    expect(ids(await reopened.search(request({ filter: { words: ['welding'] } })))).toEqual(['e.lv:E1', 'e.lv:E2']);
    await reopened.close();
  });

  it("indexes a former catalogue's titles (it had no index of their words) at start, for RELEVANCE's first tier", async () => {
    const inText = { searchText: 'welding safety' };
    // E1 to E3 hold both words in their title (the first tier), E0 in its text alone.
    const reopened = await reopenedFormer(
      part('e.lv', 'LV', [
        unit('E0', 'a', inText),
        unit('E3', 'welding safety c', inText),
        unit('E1', 'welding safety a', inText),
        unit('E2', 'safety welding b', inText),
      ]),
      'DROP TABLE unit_title',
    );
    // Units written since fill a tier of their own: were the former ones not indexed, they would come first.
    await reopened.apply('e.lv', {
      units: ['x', 'y', 'z'].map((title, i) => ({
        localId: `E${5 + i}`,
        doc: unit(`E${5 + i}`, `welding safety ${title}`, inText),
      })),
    });
    const ranked = (offset: number) =>
      reopened.search(request({ filter: { words: ['welding', 'safety'] }, order: 'RELEVANCE', first: 2, offset }));
    expect(ids(await ranked(0))).toEqual(['e.lv:E2', 'e.lv:E1']);
    expect(ids(await ranked(2))).toEqual(['e.lv:E3', 'e.lv:E5']);
    expect(ids(await ranked(6))).toEqual(['e.lv:E0']);
    await reopened.close();
  });

  it("indexes a former catalogue's words by language at start, for RELEVANCE with a language", async () => {
    const inLatvian = (title: string) => ({ langTexts: { lv: title } });
    // E2 and E3 hold the word in their title and in their Latvian texts (the first tier), E0 in its Latvian texts
    // alone, E1 in its title alone.
    const reopened = await reopenedFormer(
      part('e.lv', 'LV', [
        unit('E0', 'a', { searchText: 'welding', ...inLatvian('welding') }),
        unit('E1', 'welding a'),
        unit('E3', 'welding c', inLatvian('welding c')),
        unit('E2', 'welding b', inLatvian('welding b')),
      ]),
      'DROP TABLE unit_lang_words',
    );
    // Were the former units not indexed, E4 and E5 would be the tier alone, and the others would rank by their titles.
    await reopened.apply('e.lv', {
      units: ['d', 'e'].map((title, i) => ({
        localId: `E${4 + i}`,
        doc: unit(`E${4 + i}`, `welding ${title}`, inLatvian(`welding ${title}`)),
      })),
    });
    const ranked = async (offset: number, first = 2) =>
      ids(
        await reopened.search(
          request({ filter: { words: ['welding'], lang: 'lv' }, order: 'RELEVANCE', first, offset }),
        ),
      );
    const pages = async (first: number, count: number) =>
      (await Promise.all(Array.from({ length: Math.ceil(count / first) }, (_, n) => ranked(n * first, first)))).flat();
    expect(await pages(2, 7)).toEqual(['E2', 'E3', 'E4', 'E5', 'E0', 'E1'].map((id) => `e.lv:${id}`));
    // A removed unit leaves the tier, and so does one whose Latvian texts lose the word, even under the rowid of the
    // removed one (the last written).
    await reopened.apply('e.lv', {
      units: [
        { localId: 'E5', doc: null },
        { localId: 'E3', doc: unit('E3', 'welding c', { langTexts: { lv: 'c' } }) },
      ],
    });
    expect(await pages(1, 5)).toEqual(['E2', 'E4', 'E0', 'E1', 'E3'].map((id) => `e.lv:${id}`));
    await reopened.close();
  });

  it("gives a former catalogue's vocabulary (it had no trigrams) its trigrams at start, so its typos find words", async () => {
    const reopened = await reopenedFormer(
      part('e.lv', 'LV', [unit('E1', 'a', { searchText: 'welding safety' })]),
      'DROP TABLE vocabulary_trigram',
    );
    expect(await reopened.suggest('units', ['weldng', 'safty'])).toEqual([
      { word: 'weldng', similar: ['welding'] },
      { word: 'safty', similar: ['safety'] },
    ]);
    await reopened.close();
  });

  it("answers a text search's filters from the units' facet words, which follow their institution and qualification", async () => {
    const faceted = createSqliteEngine();
    const skill = 'http://data.europa.eu/esco/skill/0a1b-welding';
    const welding = (extra: Partial<UnitDoc> = {}) => ({ searchText: 'welding safety', ...extra });
    await faceted.replaceInstitution(
      part('f.lv', 'LV', [
        unit('F1', 'a', welding({ skills: [skill] })),
        unit('F2', 'b', welding({ eqfLevel: 5, status: 'WITHDRAWN', ecvetPoints: 12.5 })),
        unit('F3', 'c', { searchText: 'brazing', skills: [skill] }),
      ]),
    );
    const found = async (filter: Omit<SearchRequest['filter'], 'words'>) => {
      const page = await faceted.search(request({ filter: { words: ['weld'], ...filter } }));
      return { ids: ids(page), total: page.totalCount };
    };
    expect(await found({ eqfLevel: 4 })).toEqual({ ids: ['f.lv:F1'], total: 1 });
    expect(await found({ eqfLevel: 5, status: 'WITHDRAWN' })).toEqual({ ids: ['f.lv:F2'], total: 1 });
    expect(await found({ escoSkills: ['http://data.europa.eu/esco/skill/other', skill] })).toEqual({
      ids: ['f.lv:F1'],
      total: 1,
    });
    expect(await found({ country: 'LV', institution: 'f.lv', iscedPrefix: '071' })).toEqual({
      ids: ['f.lv:F1', 'f.lv:F2'],
      total: 2,
    });
    // A prefix that is not digits is read from the units' rows: the same answer.
    expect(await found({ iscedPrefix: '07x' })).toEqual({ ids: [], total: 0 });
    expect(await found({ country: 'LV', pointsMin: 10, pointsMax: 12.5 })).toEqual({
      ids: ['f.lv:F1', 'f.lv:F2'],
      total: 2,
    });
    expect(await found({ pointsMin: 11 })).toEqual({ ids: ['f.lv:F2'], total: 1 });
    expect(await found({ pointsMin: 11, pointsMax: 12 })).toEqual({ ids: [], total: 0 });
    expect(await found({ pointsMin: 10, pointsMax: 10, eqfLevel: 4 })).toEqual({ ids: ['f.lv:F1'], total: 1 });
    // The institution moves to Estonia and its qualification to another field: its units follow, in both orders.
    await faceted.apply('f.lv', { institution: { code: 'f.lv', country: 'EE' } });
    expect(await found({ country: 'LV' })).toEqual({ ids: [], total: 0 });
    expect(await found({ country: 'EE' })).toEqual({ ids: ['f.lv:F1', 'f.lv:F2'], total: 2 });
    const qualification = part('f.lv', 'EE', []).qualifications[0] as InstitutionPart['qualifications'][number];
    await faceted.apply('f.lv', { qualifications: [{ localId: 'Q', doc: { ...qualification, iscedCode: '0413' } }] });
    for (const order of ['TITLE', 'RELEVANCE'] as const) {
      const search = async (filter: Omit<SearchRequest['filter'], 'words'>) =>
        (await faceted.search(request({ order, filter: { words: ['weld'], ...filter } }))).totalCount;
      expect(await search({ country: 'LV' })).toBe(0);
      expect(await search({ country: 'EE', iscedPrefix: '07' })).toBe(0);
      expect(await search({ country: 'EE', iscedPrefix: '04' })).toBe(2);
    }
    await faceted.close();
  });

  it("indexes a former catalogue's units again with their facet words at start, so its text searches with filters find them", async () => {
    // The former layout: the units' words alone, in an index that splits words at `_`.
    const reopened = await reopenedFormer(
      part('e.lv', 'LV', [unit('E1', 'a', { searchText: 'welding' }), unit('E2', 'b', { searchText: 'welding' })]),
      `DROP TABLE unit_text;
      CREATE VIRTUAL TABLE unit_text USING fts5 (words, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
      INSERT INTO unit_text (rowid, words) SELECT rowid, search_text FROM unit;
      PRAGMA user_version = 1`,
    );
    const page = await reopened.search(request({ filter: { words: ['welding'], eqfLevel: 4, country: 'LV' } }));
    expect({ ids: ids(page), total: page.totalCount }).toEqual({ ids: ['e.lv:E1', 'e.lv:E2'], total: 2 });
    await reopened.close();
  });

  it('keeps a part position that only rises within one feed, is replaced by another feed and survives a reopen', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalogue-')), 'catalogue.sqlite');
    const first = createSqliteEngine(path);
    await first.setPosition('a.lv', { feedId: 'f1', seq: 7, readAt: 100, currentAt: 200 });
    // A replica that stores an older position later (it applied less) does not lower it.
    await first.setPosition('a.lv', { feedId: 'f1', seq: 5, readAt: 90, currentAt: 300 });
    await first.setPosition('b.lv', { feedId: 'g1', seq: 1, readAt: 10, currentAt: 10 });
    await first.close();
    const reopened = createSqliteEngine(path);
    expect(await reopened.positions()).toEqual(
      new Map([
        ['a.lv', { feedId: 'f1', seq: 7, readAt: 100, currentAt: 300 }],
        ['b.lv', { feedId: 'g1', seq: 1, readAt: 10, currentAt: 10 }],
      ]),
    );
    // Another history of the feed: its position counts, whatever the numbers.
    await reopened.setPosition('a.lv', { feedId: 'f2', seq: 2, readAt: 50, currentAt: 60 });
    await reopened.forgetPosition('b.lv');
    expect(await reopened.positions()).toEqual(
      new Map([['a.lv', { feedId: 'f2', seq: 2, readAt: 50, currentAt: 60 }]]),
    );
    await reopened.close();
  });

  it('forgets the positions of a catalogue without texts by language, so that each part is read whole again', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalogue-')), 'catalogue.sqlite');
    const first = createSqliteEngine(path);
    await first.setPosition('a.lv', { feedId: 'f1', seq: 7, readAt: 100, currentAt: 200 });
    await first.close();
    // The former layout: no texts by language.
    const db = new Database(path);
    db.exec('DROP TABLE unit_lang; DROP TABLE qualification_lang');
    db.close();
    const reopened = createSqliteEngine(path);
    expect(await reopened.positions()).toEqual(new Map());
    await reopened.setPosition('a.lv', { feedId: 'f1', seq: 8, readAt: 100, currentAt: 200 });
    await reopened.close();
    const again = createSqliteEngine(path);
    expect([...(await again.positions()).keys()]).toEqual(['a.lv']);
    await again.close();
  });
});
