import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
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

  /** A threaded engine whose threads the test sees, and what it told of each loss. */
  const watched = () => {
    const threads: Worker[] = [];
    const losses: Array<{ message: string; replaced: boolean }> = [];
    const engine = createSqliteThreadEngine(':memory:', { onThread: (thread) => threads.push(thread) });
    engine.onLost?.((reason, replaced) => losses.push({ message: reason.message, replaced }));
    /** Stops the running thread as a crash would, once it answers (so it was ready). */
    const crash = async () => {
      await engine.institutions();
      await threads.at(-1)?.terminate();
    };
    return { engine, threads, losses, crash };
  };

  it('puts a new thread in the place of one that stops; what the old one held is lost, and said to be', async () => {
    const { engine, threads, losses, crash } = watched();
    try {
      await engine.start();
      await engine.replaceInstitution(part('a.lv', 'LV', [unit('A1', 'welding')]));
      await crash();
      expect(losses).toEqual([{ message: "the catalogue's SQLite thread stopped (exit code 1)", replaced: true }]);
      expect(threads).toHaveLength(2);
      // The new thread holds nothing, and answers every call.
      expect(await engine.institutions()).toEqual([]);
      await engine.replaceInstitution(part('a.lv', 'LV', [unit('A1', 'welding'), unit('A2', 'brazing')]));
      expect((await engine.search(request({}))).totalCount).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('fails a part whose thread stops while its slices are posted, and writes none of it to the next thread', async () => {
    const { engine, threads, losses } = watched();
    try {
      await engine.institutions();
      const units = Array.from({ length: 5_000 }, (_, i) => unit(`U${i}`, `unit ${i} welding`));
      const posting = engine.replaceInstitution(part('many.lv', 'LV', units));
      await sleep(1);
      await threads[0]?.terminate();
      await expect(posting).rejects.toThrow(/catalogue's SQLite thread stopped/);
      expect(losses.map((loss) => loss.replaced)).toEqual([true]);
      expect(await engine.rows()).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('gives up when threads keep stopping quickly: every call then fails, saying why', async () => {
    const { engine, threads, losses, crash } = watched();
    await crash();
    await crash();
    await crash();
    expect(threads).toHaveLength(3);
    expect(losses.map((loss) => loss.replaced)).toEqual([true, true, false]);
    await expect(engine.institutions()).rejects.toThrow("the catalogue's SQLite thread stopped (exit code 1)");
    await engine.close();
  });

  it('tells no loss when it is closed', async () => {
    const { engine, threads, losses } = watched();
    await engine.start();
    await engine.close();
    expect(threads).toHaveLength(1);
    expect(losses).toEqual([]);
  });
});
