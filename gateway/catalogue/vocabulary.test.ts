import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CATALOG_BASE_URL, testCatalogue } from '../../test/harness/catalogue';
import type { CatalogueEngine, InstitutionPart, QualificationDoc, UnitDoc } from './engine';
import { createPostgresEngine } from './postgres-engine';
import { qualificationOfText, unitOfText } from '../../bench/lib/synthetic-catalogue';
import { trigramsOf } from './similar-words';
import { createSqliteEngine } from './sqlite-engine';

/**
 * The vocabulary (the words a text search's `LIKE '%word%'` is answered from) holds exactly the words some unit or
 * qualification holds: a word every text holding it lost leaves it. On the configured engine (PostgreSQL with
 * TEST_CATALOG_URL, else the embedded one), its tables read directly: no answer shows a word no item holds.
 */
interface Opened {
  engine: CatalogueEngine;
  /** The PostgreSQL catalogue's URL; null for the embedded engine. */
  url: string | null;
  /**
   * Another engine on the same catalogue, as a second gateway replica has; the embedded engine has none (its file is
   * its process's alone), so there it is the same engine.
   */
  replica(): Promise<CatalogueEngine>;
  /**
   * Makes the catalogue one of the layout before its vocabulary was pruned, holding `words` too (as it kept every
   * word ever written), and starts an engine on it in place of `engine`.
   */
  restartFromEarlierLayout(words: readonly string[]): Promise<CatalogueEngine>;
  vocabulary(): Promise<string[]>;
  /** The embedded engine's trigrams of the vocabulary's words (PostgreSQL indexes the words themselves). */
  trigramWords(): Promise<string[] | null>;
  dispose(): Promise<void>;
}

async function open(): Promise<Opened> {
  if (CATALOG_BASE_URL) {
    const catalogue = await testCatalogue();
    const url = catalogue.url as string;
    const engines: CatalogueEngine[] = [];
    const started = async () => {
      const engine = createPostgresEngine(url);
      engines.push(engine);
      await engine.start();
      return engine;
    };
    const reader = new Client({ connectionString: url });
    await reader.connect();
    const opened: Opened = {
      engine: await started(),
      url,
      replica: started,
      restartFromEarlierLayout: async (words) => {
        await reader.query('DELETE FROM catalogue_layout');
        await reader.query('INSERT INTO vocabulary (word) SELECT unnest($1::text[])', [words]);
        opened.engine = await started();
        return opened.engine;
      },
      vocabulary: async () =>
        (await reader.query<{ word: string }>('SELECT word FROM vocabulary ORDER BY word COLLATE "C"')).rows.map(
          (row) => row.word,
        ),
      trigramWords: async () => null,
      dispose: async () => {
        await reader.end();
        for (const engine of engines) await engine.close();
        await catalogue.dispose();
      },
    };
    return opened;
  }
  const folder = mkdtempSync(join(tmpdir(), 'vocabulary-'));
  const file = join(folder, 'catalogue.sqlite');
  const reader = () => new Database(file, { readonly: true });
  const read = (sql: string) => {
    const db = reader();
    try {
      return db.prepare<[], string>(sql).pluck().all();
    } finally {
      db.close();
    }
  };
  const opened: Opened = {
    engine: createSqliteEngine(file),
    url: null,
    replica: async () => opened.engine,
    restartFromEarlierLayout: async (words) => {
      await opened.engine.close();
      const db = new Database(file);
      for (const word of words) {
        db.prepare('INSERT INTO vocabulary (word) VALUES (?)').run(word);
        for (const trigram of trigramsOf(word))
          db.prepare('INSERT INTO vocabulary_trigram (trigram, word) VALUES (?, ?)').run(trigram, word);
      }
      db.pragma('user_version = 0');
      db.close();
      opened.engine = createSqliteEngine(file);
      await opened.engine.start();
      return opened.engine;
    },
    vocabulary: async () => read('SELECT word FROM vocabulary ORDER BY word'),
    trigramWords: async () => read('SELECT DISTINCT word FROM vocabulary_trigram ORDER BY word'),
    dispose: async () => {
      await opened.engine.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  await opened.engine.start();
  return opened;
}

const unit = unitOfText;
const qualification = qualificationOfText;
const part = (code: string, units: UnitDoc[], qualifications: QualificationDoc[] = []): InstitutionPart => ({
  institution: { code, country: 'LV' },
  qualifications,
  units,
});
const sorted = (words: Iterable<string>) => [...new Set(words)].sort();

/** The units a text search for `word` finds, as `institution:localId`. */
async function unitsHolding(engine: CatalogueEngine, word: string): Promise<string[]> {
  const page = await engine.search({
    list: 'units',
    filter: { words: [word] },
    first: 100,
    after: {},
    offset: 0,
    order: 'TITLE',
    count: false,
  });
  return page.items.map((item) => `${item.institution}:${item.localId}`).sort();
}

let opened: Opened;
beforeEach(async () => {
  opened = await open();
});
afterEach(() => opened?.dispose());

test('a word leaves the vocabulary with the last text that held it; a word another item holds stays', async () => {
  const { engine } = opened;
  await engine.replaceInstitution(
    part(
      'rvt.lv',
      [unit('U1', 'welding safety janisberzins'), unit('U2', 'pipe welding')],
      [qualification('Q1', 'metal apprenticeship')],
    ),
  );
  await engine.replaceInstitution(part('omnia.fi', [unit('U1', 'safety inspection metal')]));
  expect(await opened.vocabulary()).toEqual(
    sorted(['welding', 'safety', 'janisberzins', 'pipe', 'metal', 'apprenticeship', 'inspection']),
  );

  // An edit takes out the words only its former text held; `safety` is still omnia.fi's.
  await engine.apply('rvt.lv', { units: [{ localId: 'U1', doc: unit('U1', 'welding joints') }] });
  expect(await opened.vocabulary()).toEqual(
    sorted(['welding', 'joints', 'safety', 'pipe', 'metal', 'apprenticeship', 'inspection']),
  );
  expect(await unitsHolding(engine, 'safety')).toEqual(['omnia.fi:U1']);
  expect(await unitsHolding(engine, 'janisberzins')).toEqual([]);

  // A removal; `metal` stays while a qualification holds it, then leaves with it.
  await engine.apply('omnia.fi', { units: [{ localId: 'U1', doc: null }] });
  expect(await opened.vocabulary()).toEqual(sorted(['welding', 'joints', 'pipe', 'metal', 'apprenticeship']));
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: null }] });
  expect(await opened.vocabulary()).toEqual(sorted(['welding', 'joints', 'pipe']));
  const trigramWords = await opened.trigramWords();
  if (trigramWords) expect(trigramWords).toEqual(await opened.vocabulary());
});

test("a rebuild takes out the words only the institution's former part held, and keeps what it writes again", async () => {
  const { engine } = opened;
  await engine.replaceInstitution(
    part('rvt.lv', [unit('U1', 'welding safety'), unit('U2', 'soldadura seguridad')], [qualification('Q1', 'oficio')]),
  );
  await engine.replaceInstitution(part('omnia.fi', [unit('U1', 'hitsaus seguridad')]));
  await engine.replaceInstitution(part('rvt.lv', [unit('U1', 'welding safety'), unit('U3', 'metinasana')]));
  expect(await opened.vocabulary()).toEqual(sorted(['welding', 'safety', 'metinasana', 'hitsaus', 'seguridad']));
  expect(await unitsHolding(engine, 'soldadura')).toEqual([]);
  expect(await unitsHolding(engine, 'seguridad')).toEqual(['omnia.fi:U1']);
  await engine.replaceInstitution(part('omnia.fi', []));
  expect(await opened.vocabulary()).toEqual(sorted(['welding', 'safety', 'metinasana']));
  // The removed words' trigrams left with them (the embedded engine's similar words are found through them).
  const trigramWords = await opened.trigramWords();
  if (trigramWords) expect(trigramWords).toEqual(await opened.vocabulary());
});

test('writes and prunes at once (of two replicas, on PostgreSQL) never take out a word a row holds', async () => {
  const other = await opened.replica();
  const { engine } = opened;
  await engine.replaceInstitution(part('rvt.lv', []));
  await other.replaceInstitution(part('omnia.fi', []));
  // Each round, one replica writes a unit with a new word and removes it (its prune weighs the word) while the
  // other writes a unit of another institution that keeps it.
  const rounds = 100;
  for (let round = 0; round < rounds; round += 1) {
    const word = `word${round}x`;
    await Promise.all([
      (async () => {
        await engine.apply('rvt.lv', { units: [{ localId: `U${round}`, doc: unit(`U${round}`, `${word} gone`) }] });
        await engine.apply('rvt.lv', { units: [{ localId: `U${round}`, doc: null }] });
      })(),
      other.apply('omnia.fi', { units: [{ localId: `K${round}`, doc: unit(`K${round}`, `${word} kept`) }] }),
    ]);
  }
  const kept = Array.from({ length: rounds }, (_, round) => `word${round}x`);
  expect(await opened.vocabulary()).toEqual(sorted([...kept, 'kept']));
  for (const [round, word] of kept.entries()) expect(await unitsHolding(engine, word)).toEqual([`omnia.fi:K${round}`]);
}, 60_000);

test('a catalogue of the earlier layout, which kept every word ever written, is pruned as an engine starts', async () => {
  await opened.engine.replaceInstitution(
    part('rvt.lv', [unit('U1', 'welding safety')], [qualification('Q1', 'metal')]),
  );
  const engine = await opened.restartFromEarlierLayout(['janisberzins', 'weldingmaster']);
  expect(await opened.vocabulary()).toEqual(sorted(['welding', 'safety', 'metal']));
  const trigramWords = await opened.trigramWords();
  if (trigramWords) expect(trigramWords).toEqual(await opened.vocabulary());
  expect(await unitsHolding(engine, 'welding')).toEqual(['rvt.lv:U1']);
});

// Another replica's statements, interleaved with a write or a prune at the one point where it matters: on PostgreSQL
// alone, as only there do other writers share the catalogue.
if (CATALOG_BASE_URL) {
  test("a prune run between a write's first entering of its words and its transaction: the write enters them again", async () => {
    const other = new Client({ connectionString: opened.url as string });
    await other.connect();
    // The promise form of `query`, the one the engine calls, stood in for on every client of this process.
    const clients = Client.prototype as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    const query = clients.query;
    let pruned = false;
    // The write's transaction begins just after its words were entered: another replica's prune takes one out then.
    clients.query = async function (this: Client, ...args: unknown[]) {
      if (!pruned && this !== other && args[0] === 'BEGIN') {
        pruned = true;
        await query.call(
          other,
          "BEGIN; LOCK TABLE vocabulary IN SHARE ROW EXCLUSIVE MODE; DELETE FROM vocabulary WHERE word = 'kept'; COMMIT",
        );
      }
      return query.apply(this, args);
    };
    try {
      await opened.engine.apply('omnia.fi', { units: [{ localId: 'K1', doc: unit('K1', 'kept') }] });
    } finally {
      clients.query = query;
      await other.end();
    }
    expect(pruned).toBe(true);
    expect(await opened.vocabulary()).toEqual(['kept']);
    expect(await unitsHolding(opened.engine, 'kept')).toEqual(['omnia.fi:K1']);
  });

  test('a prune does not wait for a write in progress, nor weigh its words: the next prune does, once it committed', async () => {
    const { engine } = opened;
    await engine.apply('rvt.lv', { units: [{ localId: 'U1', doc: unit('U1', 'gamma') }] });
    // Another replica's write of a unit holding the word: its words entered, its row written, not committed.
    const other = new Client({ connectionString: opened.url as string });
    await other.connect();
    await other.query("BEGIN; INSERT INTO vocabulary (word) VALUES ('gamma') ON CONFLICT DO NOTHING");
    await other.query(
      `INSERT INTO unit_text (inst, id, sort_key, words, eqf, isced, status, points)
       VALUES ('omnia.fi', 'K1', 'gamma', '{gamma}', 4, '', 'ACTIVE', 5)`,
    );
    try {
      // The last committed holder goes: its prune cannot take the lock, and the write returns all the same.
      await engine.apply('rvt.lv', { units: [{ localId: 'U1', doc: null }] });
      expect(await opened.vocabulary()).toEqual(['gamma']);
      // Meanwhile the vocabulary holds a word no committed item holds: it finds nothing, and is never suggested.
      expect(await unitsHolding(engine, 'gamma')).toEqual([]);
      expect(await engine.suggest('units', ['gama'])).toEqual([{ word: 'gama', similar: [] }]);
    } finally {
      await other.query('COMMIT');
      await other.end();
    }
    // The next write's prune weighs the word again: the other replica's unit holds it now.
    await engine.apply('rvt.lv', { units: [{ localId: 'U2', doc: unit('U2', 'delta') }] });
    await engine.apply('rvt.lv', { units: [{ localId: 'U2', doc: null }] });
    expect(await opened.vocabulary()).toEqual(['gamma']);
  });

  test("a prune's candidates stay in the catalogue until a prune of any replica weighs them", async () => {
    const { engine } = opened;
    /** Removes the unit while another replica's write holds the vocabulary: the removal's prune cannot run. */
    const removeWhileLocked = async (localId: string) => {
      const other = new Client({ connectionString: opened.url as string });
      await other.connect();
      await other.query('BEGIN; LOCK TABLE vocabulary IN ROW EXCLUSIVE MODE');
      try {
        await engine.apply('rvt.lv', { units: [{ localId, doc: null }] });
      } finally {
        await other.query('COMMIT');
        await other.end();
      }
    };
    await engine.apply('rvt.lv', { units: [{ localId: 'U1', doc: unit('U1', 'gamma') }] });
    await removeWhileLocked('U1');
    expect(await opened.vocabulary()).toEqual(['gamma']);
    // This engine never writes again, as if it stopped: a replica that starts later weighs what it left.
    const later = await opened.replica();
    expect(await opened.vocabulary()).toEqual([]);

    await engine.apply('rvt.lv', { units: [{ localId: 'U2', doc: unit('U2', 'delta') }] });
    await later.apply('omnia.fi', { units: [{ localId: 'K1', doc: unit('K1', 'epsilon') }] });
    await removeWhileLocked('U2');
    expect(await opened.vocabulary()).toEqual(['delta', 'epsilon']);
    // A running replica's next prune weighs them too.
    await later.apply('omnia.fi', { units: [{ localId: 'K1', doc: null }] });
    expect(await opened.vocabulary()).toEqual([]);
  });
}
