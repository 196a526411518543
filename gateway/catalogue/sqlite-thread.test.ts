import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogueEngine, SearchRequest, UnitDoc } from './engine';
import { partOf, unitDoc as unit } from './catalogue-docs.fixture';
import { createSqliteEngine } from './sqlite-engine';
import { createSqliteThreadEngine } from './sqlite-thread';

const part = (code: string, country: string, units: UnitDoc[]) => partOf(code, country, units, 'welding');

const request = (overrides: Partial<SearchRequest>): SearchRequest => ({
  list: 'units',
  filter: { words: null },
  first: 3,
  after: {},
  offset: 0,
  order: 'TITLE',
  count: true,
  ...overrides,
});

/** The same writes, then every kind of read, on an engine: what each read answered, in order. */
async function answersOf(engine: CatalogueEngine): Promise<unknown[]> {
  await engine.start();
  await engine.replaceInstitution(
    part('a.lv', 'LV', [
      unit('A1', 'brazing'),
      unit('A2', 'welding basics'),
      unit('A3', 'metinasana', { langTexts: { lv: 'metinasana' } }),
    ]),
  );
  await engine.replaceInstitution(
    part('b.de', 'DE', [unit('B1', 'safety', { searchText: 'b1 safety welding' }), unit('B2', 'welding')]),
  );
  await engine.apply('a.lv', {
    units: [
      { localId: 'A1', doc: null },
      { localId: 'A4', doc: unit('A4', 'tig welding') },
    ],
  });
  await engine.setPosition('a.lv', { feedId: 'feed-a', seq: 7, readAt: 1_000, currentAt: 2_000 });
  await engine.setPosition('b.de', { feedId: 'feed-b', seq: 3, readAt: 1_000, currentAt: 2_000 });
  await engine.forgetPosition('b.de');
  return [
    await engine.search(request({})),
    await engine.search(request({ after: { 'a.lv': { sortKey: 'metinasana', id: 'A3' } } })),
    await engine.search(request({ filter: { words: ['weld'] }, order: 'RELEVANCE', offset: 1 })),
    await engine.search(request({ filter: { words: ['welding'], lang: 'en', country: 'DE' }, order: 'RELEVANCE' })),
    await engine.search(request({ list: 'qualifications', filter: { words: ['welding'] } })),
    await engine.suggest('units', ['weldig', 'safety']),
    await engine.institutions(),
    await engine.rows(),
    await engine.positions(),
  ];
}

describe('the embedded engine on a thread of its own', () => {
  it('answers every call as the engine on this thread does', async () => {
    const here = createSqliteEngine();
    const threaded = createSqliteThreadEngine();
    try {
      const expected = await answersOf(here);
      expect(await answersOf(threaded)).toEqual(expected);
      // The reads answered something to compare: pages with items, a suggestion, both institutions, a position.
      expect(expected[0]).toMatchObject({ totalCount: 5, hasNextPage: true });
      expect(expected[5]).toEqual([expect.objectContaining({ word: 'weldig' })]);
      expect(expected[6]).toEqual(['a.lv', 'b.de']);
      expect(expected[8]).toEqual(new Map([['a.lv', { feedId: 'feed-a', seq: 7, readAt: 1_000, currentAt: 2_000 }]]));
    } finally {
      await here.close();
      await threaded.close();
    }
  });

  it("leaves this thread free while it writes: this thread's timers run before the write is done", async () => {
    const units = (prefix: string) =>
      Array.from({ length: 5_000 }, (_, i) =>
        unit(`${prefix}${i}`, `unit ${i} welding safety metal ${i % 97}`, { skills: [`skill-${i % 50}`] }),
      );
    /** How many times a 1 ms timer of this thread ran while `work` was under way. */
    const ticksDuring = async (work: () => Promise<void>) => {
      let ticks = 0;
      let done = false;
      const ticking = (async () => {
        while (!done) {
          await sleep(1);
          if (!done) ticks += 1;
        }
      })();
      await work();
      done = true;
      await ticking;
      return ticks;
    };
    const here = createSqliteEngine();
    const threaded = createSqliteThreadEngine();
    try {
      // On this thread, the write holds the thread from its first statement to its commit.
      expect(await ticksDuring(() => here.replaceInstitution(part('many.lv', 'LV', units('L'))))).toBe(0);
      await here.replaceInstitution(part('many.de', 'DE', units('D')));
      // Two parts posted in slices at once (their slices interleave on the engine's thread), each written whole.
      const both = () =>
        Promise.all([
          threaded.replaceInstitution(part('many.lv', 'LV', units('L'))),
          threaded.replaceInstitution(part('many.de', 'DE', units('D'))),
        ]).then(() => undefined);
      expect(await ticksDuring(both)).toBeGreaterThan(0);
      expect(await threaded.rows()).toEqual(await here.rows());
      expect(await threaded.rows()).toEqual([
        { institution: 'many.de', units: 5_000, qualifications: 1 },
        { institution: 'many.lv', units: 5_000, qualifications: 1 },
      ]);
      const searches = [
        request({ filter: { words: ['metal', '42'] }, first: 20 }),
        request({ filter: { words: ['welding'], escoSkills: ['skill-7'] }, order: 'RELEVANCE', offset: 40 }),
      ];
      for (const search of searches) {
        const expected = await here.search(search);
        expect(expected.items.length).toBeGreaterThan(0);
        expect(await threaded.search(search)).toEqual(expected);
      }
    } finally {
      await here.close();
      await threaded.close();
    }
  });

  it("rejects a call that fails with the engine's error, and answers the calls after it", async () => {
    const engine = createSqliteThreadEngine();
    try {
      await engine.replaceInstitution(part('a.lv', 'LV', [unit('A1', 'welding')]));
      // A unit whose points are not a number (a caller's bug): better-sqlite3 refuses to bind them, and nothing is written.
      const broken = { ...unit('A2', 'brazing'), ecvetPoints: { points: 5 } } as unknown as UnitDoc;
      await expect(engine.apply('a.lv', { units: [{ localId: 'A2', doc: broken }] })).rejects.toMatchObject({
        name: 'RangeError',
        message: 'Too few parameter values were provided',
      });
      expect(await engine.institutions()).toEqual(['a.lv']);
      expect((await engine.search(request({}))).items).toEqual([
        { institution: 'a.lv', localId: 'A1', sortKey: 'welding' },
      ]);
    } finally {
      await engine.close();
    }
  });

  it('fails every call of an engine whose file cannot be opened, saying why', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'catalogue-')), 'no-such-folder', 'catalogue.sqlite');
    const engine = createSqliteThreadEngine(missing);
    await expect(engine.start()).rejects.toThrow(/catalogue's SQLite thread failed: .*directory does not exist/);
    await expect(engine.search(request({}))).rejects.toThrow(/directory does not exist/);
    await engine.close();
  });

  it('answers no call once closed', async () => {
    const engine = createSqliteThreadEngine();
    await engine.start();
    await engine.close();
    await expect(engine.institutions()).rejects.toThrow("the catalogue's SQLite thread stopped");
    await engine.close();
  });
});
