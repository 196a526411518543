import Database from 'better-sqlite3';
import {
  TEXT_LANGUAGE,
  type CatalogueEngine,
  type InstitutionPart,
  type PartChanges,
  type QualificationDoc,
  type SearchPage,
  type SearchRequest,
  type UnitDoc,
} from './engine';
import { oneAtATime } from './one-at-a-time';
import {
  hasNoFilterButWords,
  isOccupationAndMore,
  isTextOnly,
  searchStatements,
  titlePage,
  wordMatchOf,
  wordsOf,
  type Statement,
  type TextMatch,
} from './search-sql';
import { minCommonTrigrams, similarityOf, suggestionsOf, trigramsOf } from './similar-words';
import { facetTermsOf, facetWordsOf, pointsTermOf, type PointsHeld } from './unit-facets';

/**
 * Each row's folded words in an FTS5 index under the row's rowid: which rows hold a word, nothing more (no copy of
 * the text, no positions), so that writing a row is one insert and counting the rows that hold some words reads the
 * index alone. Folded text is [a-z0-9] words between spaces: the ascii tokenizer's tokens are its words.
 */
const TEXT_INDEX = "content = '', contentless_delete = 1, detail = none, tokenize = 'ascii'";
/**
 * A unit's words and its facet words (see unit-facets.ts), which `_` keeps whole: a text search with filters is one
 * match in the index. At 1,000,000 units, "welding safety" + status ACTIVE took 1.4 s reading the rows of the
 * 187,500 units holding the words, 82 ms matching the facet word too (+ EQF 4: 162 to 80 ms).
 */
const UNIT_TEXT_INDEX = "content = '', contentless_delete = 1, detail = none, tokenize = \"ascii tokenchars '_'\"";

/**
 * Above this many rows holding the words, a text search in TITLE order reads the list in order and keeps the rows
 * that hold them (the first page is soon found); at or below it, it reads those rows and sorts them.
 */
const ORDERED_SCAN_ROWS = 5_000;

/**
 * Above this many units holding the words, a text search in TITLE order walks the places in that order and keeps
 * those among the matches (read once into a set); at or below it, it looks up each match's place and sorts them. At
 * 1,000,000 units, "welding safety" (187,500 matches) pages in 46 ms walking, 113 ms looking up; a walk that finds
 * no match reads every place (87 ms), as many lookups as 31,000 matches.
 */
const PLACE_WALK_ROWS = 50_000;

/**
 * RELEVANCE's first tier with a language, where more than LANGUAGE_SET_ROWS units hold the words there: the titled
 * units in TITLE order are looked up one by one in the words by language while no more than LANGUAGE_LOOKUPS of them
 * miss (and the page reaches no deeper than that); past it, or with fewer such units, those units are read as one
 * set. At 1,000,000 units, "welding safety" in English is held there by 187,500 units: reading them cost 73 ms,
 * looking up a titled unit 0.05–0.2 ms (more for a word with more alternatives). 31,500 units hold "tig" in Spanish,
 * none among the first titled units: the set is soon read, and the lookups would have been lost.
 */
const LANGUAGE_SET_ROWS = 80_000;
/** How many titled units may miss the language before the lookups give way to the set (see LANGUAGE_SET_ROWS). */
const LANGUAGE_LOOKUPS = 100;

/** A unit's place in TITLE order, under its rowid in the text indexes. */
interface PlacedRow {
  rowid: number;
  inst: string;
  id: string;
  sort_key: string;
}

/**
 * The layout (the file's user_version) whose vocabulary holds only the words some item holds: a catalogue of an
 * earlier one is pruned once.
 */
const PRUNED_LAYOUT = 1;
/** The layout whose units' text index holds their facet words: a catalogue of an earlier one is indexed again once. */
const FACETED_LAYOUT = 2;

/**
 * At most this many vocabulary words holding a query word are matched in the text index, as alternatives; a word held
 * by more (a letter or two, say) is matched in the items' own text (`LIKE`). Many alternatives cost more than reading
 * every text, and all of it in the gateway's own thread: at 40,000 units, counting "p" (575 words of 3,269) took
 * 112 ms through the index against 40 ms in the texts, "is" (265) 36 against 41 ms, "w" (114) 21 against 40 ms, and
 * the page reads the matches again. Before, "a" (1,870) took 0.9 s and "a e" 3.5 s a search, and a member could
 * add words to the vocabulary at will.
 */
const MAX_WORD_ALTERNATIVES = 128;

/** At most this many ECVET points values in one query's range are matched as facet words; more are read from rows. */
const MAX_POINTS_TERMS = 64;

/**
 * The words a transaction enters (`added`) and those of the texts it removes or replaces (`removed`): at its end, the
 * removed words no row holds any more leave the vocabulary, so that a text taken out of every member's catalogue (a
 * name written by mistake, say) leaves no word of it behind.
 */
interface WordChanges {
  added: Set<string>;
  removed: Set<string>;
  /** The ECVET points of the units removed or replaced: a value no unit holds any more leaves unit_points. */
  points: Set<number>;
}
const wordChanges = (): WordChanges => ({ added: new Set(), removed: new Set(), points: new Set() });
/** The words of a text removed or replaced: candidates to leave the vocabulary at the transaction's end. */
const noteRemoved = (text: string, words: WordChanges) => {
  for (const word of wordsOf(text)) words.removed.add(word);
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS institution (code TEXT PRIMARY KEY, country TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS qualification (
  inst TEXT NOT NULL, id TEXT NOT NULL, sort_key TEXT NOT NULL, title_text TEXT NOT NULL, search_text TEXT NOT NULL,
  eqf INTEGER NOT NULL, points REAL NOT NULL, isced TEXT NOT NULL, occupation TEXT, status TEXT NOT NULL,
  UNIQUE (inst, id));
CREATE INDEX IF NOT EXISTS qualification_order ON qualification (sort_key, id, inst);
CREATE TABLE IF NOT EXISTS unit (
  inst TEXT NOT NULL, id TEXT NOT NULL, qualification TEXT NOT NULL, sort_key TEXT NOT NULL, title_text TEXT NOT NULL,
  search_text TEXT NOT NULL, eqf INTEGER NOT NULL, points REAL NOT NULL, status TEXT NOT NULL,
  isced TEXT NOT NULL DEFAULT '', occupation TEXT, UNIQUE (inst, id));
CREATE INDEX IF NOT EXISTS unit_order ON unit (sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_eqf_order ON unit (eqf, sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_eqf_isced ON unit (eqf, isced);
CREATE INDEX IF NOT EXISTS unit_qualification ON unit (inst, qualification);
-- One institution's (or country's) units at a level and field: without it, weighing ranges without statistics,
-- SQLite counted them through unit_eqf_isced, every unit at that level in every institution (1.5-6.5 s at 1,000,000).
CREATE INDEX IF NOT EXISTS unit_inst_eqf_isced ON unit (inst, eqf, isced);
-- A filter by ESCO occupation reads that occupation's units in TITLE order, and counts them, from this index alone:
-- without it, every unit was read (0.7 s at 200,000 units).
CREATE INDEX IF NOT EXISTS unit_occupation_order ON unit (occupation, sort_key, id, inst);
CREATE TABLE IF NOT EXISTS unit_skill (inst TEXT NOT NULL, unit TEXT NOT NULL, qualification TEXT NOT NULL, skill TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unit_skill_skill ON unit_skill (skill, inst, unit);
CREATE INDEX IF NOT EXISTS unit_skill_unit ON unit_skill (inst, unit);
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY) WITHOUT ROWID;
-- Each vocabulary word's trigrams, as pg_trgm pads them: the words like a mistyped one share enough of them.
CREATE TABLE IF NOT EXISTS vocabulary_trigram (trigram TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (trigram, word))
  WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS unit_text USING fts5 (words, ${UNIT_TEXT_INDEX});
-- The ECVET points values some unit holds: a points range in a text search is matched as those values' facet words.
CREATE TABLE IF NOT EXISTS unit_points (points REAL PRIMARY KEY) WITHOUT ROWID;
-- Each unit's place in TITLE order under its rowid, narrow: a text search's page in that order is a top-N over the
-- text index's matches joined to this table alone, not to the units' wide rows (at 1,000,000 units, 187,500 of them
-- sort before the first unit about welding safety; the page reads 85 ms here, 149 ms from FTS5 kept columns).
CREATE TABLE IF NOT EXISTS unit_place (rowid INTEGER PRIMARY KEY, inst TEXT NOT NULL, id TEXT NOT NULL, sort_key TEXT NOT NULL);
-- The places in TITLE order: a search whose words many units hold walks them and keeps its matches (PLACE_WALK_ROWS).
CREATE INDEX IF NOT EXISTS unit_place_order ON unit_place (sort_key, id, inst);
-- Each unit's title words under its rowid: RELEVANCE's first tier, the units whose title holds every word (see
-- firstTier in search-sql.ts), is read from it instead of scoring every unit holding the words.
CREATE VIRTUAL TABLE IF NOT EXISTS unit_title USING fts5 (words, ${TEXT_INDEX});
-- Each unit's words in each language under its rowid, as <lang>_<word> (see langWordsOf): RELEVANCE with a language
-- reads the units whose texts in it hold a word as one set, not each scored unit's texts with LIKE.
CREATE VIRTUAL TABLE IF NOT EXISTS unit_lang_words USING fts5 (words, ${UNIT_TEXT_INDEX});
CREATE VIRTUAL TABLE IF NOT EXISTS qualification_text USING fts5 (words, ${TEXT_INDEX});
-- Each item's texts in each language apart: RELEVANCE ranks first what holds the words in the query's language.
CREATE TABLE IF NOT EXISTS unit_lang (
  inst TEXT NOT NULL, id TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (inst, id, lang)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS qualification_lang (
  inst TEXT NOT NULL, id TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (inst, id, lang)) WITHOUT ROWID;
-- Where each part stands in its shard's change feed (see PartPosition).
CREATE TABLE IF NOT EXISTS part_position (
  inst TEXT PRIMARY KEY, feed_id TEXT NOT NULL, seq INTEGER NOT NULL, read_at INTEGER NOT NULL, current_at INTEGER NOT NULL);
`;

const concat = (...parts: string[]) => parts.join(' || ');

/**
 * A unit's words in each language, each as one token of the words index (`_` is a token character there):
 * `en_welding`. A language is [a-z]{2,3} (TEXT_LANGUAGE), a word [a-z0-9], so no two stand for the same pair.
 */
export function langWordsOf(langTexts: Readonly<Record<string, string>>): string {
  return Object.entries(langTexts)
    .flatMap(([lang, text]) => wordsOf(text).map((word) => `${lang}_${word}`))
    .join(' ');
}

/**
 * The statement that writes the words by language (see langWordsOf) of the units `where` selects (a condition on `u`
 * with its `?`, or none), read from their texts by language: each text's words, each after its language and `_`.
 */
export function unitLangWordsFill(where: string): string {
  return `INSERT INTO unit_lang_words (rowid, words)
    SELECT u.rowid, group_concat(replace(' ' || l.text, ' ', ' ' || l.lang || '_'), '')
    FROM unit u JOIN unit_lang l ON l.inst = u.inst AND l.id = u.id${where === '' ? '' : ` WHERE ${where}`}
    GROUP BY u.rowid`;
}

/** The embedded engine: one SQLite file (or memory) in the gateway's process; nothing to set up. */
export function createSqliteEngine(path = ':memory:'): CatalogueEngine {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // A catalogue of the former layout (no places) gets its units' places, once.
  const has = (table: string) => db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(table) !== undefined;
  const placed = has('unit_place');
  const languages = has('unit_lang');
  const trigrams = has('vocabulary_trigram');
  const indexed = has('unit_text');
  const titled = has('unit_title');
  const languageWords = has('unit_lang_words');
  db.exec(SCHEMA);
  if (!placed) db.exec('INSERT INTO unit_place (rowid, inst, id, sort_key) SELECT rowid, inst, id, sort_key FROM unit');
  // A catalogue of the former layout gets its units' title words, once (9.2 s at 1,000,000 units).
  if (!titled) db.exec('INSERT INTO unit_title (rowid, words) SELECT rowid, title_text FROM unit');
  // A catalogue of the former layout gets its units' words by language, once (297 s at 1,000,000 units: each of their
  // 2,000,000 texts by language is read and indexed again).
  if (!languageWords) db.prepare(unitLangWordsFill('')).run();
  // A catalogue of the former layout has no texts by language: each part is read whole again at the next start.
  if (!languages) db.exec('DELETE FROM part_position');
  const insertTrigram = db.prepare('INSERT OR IGNORE INTO vocabulary_trigram (trigram, word) VALUES (?, ?)');
  const addTrigrams = (word: string) => {
    for (const trigram of trigramsOf(word)) insertTrigram.run(trigram, word);
  };
  // A catalogue of the former layout gets its vocabulary's trigrams, once.
  if (!trigrams)
    db.transaction(() => {
      for (const word of db.prepare<[], string>('SELECT word FROM vocabulary').pluck().all()) addTrigrams(word);
    })();
  const statements = {
    putInstitution: db.prepare('INSERT OR REPLACE INTO institution (code, country) VALUES (?, ?)'),
    countryOf: db.prepare<[string], string>('SELECT country FROM institution WHERE code = ?').pluck(),
    unitFacets: db.prepare<
      [number],
      {
        inst: string;
        id: string;
        search_text: string;
        country: string | null;
        eqf: number;
        points: number;
        status: string;
        isced: string;
        occupation: string | null;
      }
    >(
      `SELECT u.inst, u.id, u.search_text, i.country, u.eqf, u.points, u.status, u.isced, u.occupation
       FROM unit u LEFT JOIN institution i ON i.code = u.inst WHERE u.rowid = ?`,
    ),
    insertPoints: db.prepare('INSERT OR IGNORE INTO unit_points (points) VALUES (?)'),
    deletePoints: db.prepare('DELETE FROM unit_points WHERE points = ?'),
    // One more than may be named: more than MAX_POINTS_TERMS values are read from the rows instead.
    pointsBetween: db
      .prepare<[number, number, number], number>(
        'SELECT points FROM unit_points WHERE points >= ? AND points <= ? LIMIT ?',
      )
      .pluck(),
    skillsOfUnit: db
      .prepare<[string, string], string>('SELECT skill FROM unit_skill WHERE inst = ? AND unit = ?')
      .pluck(),
    unitsOfQualification: db
      .prepare<[string, string], number>('SELECT rowid FROM unit WHERE inst = ? AND qualification = ?')
      .pluck(),
    unitRow: db.prepare<[string, string], { rowid: number; search_text: string; points: number }>(
      'SELECT rowid, search_text, points FROM unit WHERE inst = ? AND id = ?',
    ),
    qualificationRow: db.prepare<[string, string], { rowid: number; search_text: string }>(
      'SELECT rowid, search_text FROM qualification WHERE inst = ? AND id = ?',
    ),
    deleteUnit: db.prepare('DELETE FROM unit WHERE rowid = ?'),
    deleteUnitText: db.prepare('DELETE FROM unit_text WHERE rowid = ?'),
    deleteUnitSkills: db.prepare('DELETE FROM unit_skill WHERE inst = ? AND unit = ?'),
    // The qualification's ISCED-F code and occupation ride on the unit, as its filters read them.
    insertUnit: db.prepare(
      `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(q.isced, ''), q.occupation
       FROM (SELECT 1) LEFT JOIN qualification q ON q.inst = ? AND q.id = ?`,
    ),
    // Only units whose copy differs: a qualification written again unchanged indexes none of its units again.
    qualificationOfUnits: db.prepare(
      `UPDATE unit SET isced = @isced, occupation = @occupation WHERE inst = @inst AND qualification = @qualification
       AND (isced <> @isced OR occupation IS NOT @occupation)`,
    ),
    insertWord: db.prepare('INSERT OR IGNORE INTO vocabulary (word) VALUES (?)'),
    deleteWord: db.prepare('DELETE FROM vocabulary WHERE word = ?'),
    deleteTrigram: db.prepare('DELETE FROM vocabulary_trigram WHERE trigram = ? AND word = ?'),
    insertUnitText: db.prepare('INSERT INTO unit_text (rowid, words) VALUES (?, ?)'),
    insertUnitPlace: db.prepare('INSERT INTO unit_place (rowid, inst, id, sort_key) VALUES (?, ?, ?, ?)'),
    deleteUnitPlace: db.prepare('DELETE FROM unit_place WHERE rowid = ?'),
    insertUnitTitle: db.prepare('INSERT INTO unit_title (rowid, words) VALUES (?, ?)'),
    deleteUnitTitle: db.prepare('DELETE FROM unit_title WHERE rowid = ?'),
    insertSkill: db.prepare('INSERT INTO unit_skill (inst, unit, qualification, skill) VALUES (?, ?, ?, ?)'),
    insertUnitLang: db.prepare('INSERT INTO unit_lang (inst, id, lang, text) VALUES (?, ?, ?, ?)'),
    insertUnitLangWords: db.prepare('INSERT INTO unit_lang_words (rowid, words) VALUES (?, ?)'),
    deleteUnitLangWords: db.prepare('DELETE FROM unit_lang_words WHERE rowid = ?'),
    unitLangWordsHeld: db
      .prepare<[string], number>('SELECT 1 FROM unit_lang_words WHERE unit_lang_words MATCH ? LIMIT 1')
      .pluck(),
    unitLangWordsUpTo: db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM unit_lang_words WHERE unit_lang_words MATCH ? LIMIT ?)',
      )
      .pluck(),
    // The rowid goes in as a BigInt: FTS5 ignores a rowid bound as a real (a JavaScript number) and answers every match.
    unitLangWordsAt: db
      .prepare<[string, bigint], number>('SELECT 1 FROM unit_lang_words WHERE unit_lang_words MATCH ? AND rowid = ?')
      .pluck(),
    deleteUnitLang: db.prepare('DELETE FROM unit_lang WHERE inst = ? AND id = ?'),
    insertQualificationLang: db.prepare('INSERT INTO qualification_lang (inst, id, lang, text) VALUES (?, ?, ?, ?)'),
    deleteQualificationLang: db.prepare('DELETE FROM qualification_lang WHERE inst = ? AND id = ?'),
    deleteQualification: db.prepare('DELETE FROM qualification WHERE rowid = ?'),
    deleteQualificationText: db.prepare('DELETE FROM qualification_text WHERE rowid = ?'),
    insertQualification: db.prepare(
      'INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertQualificationText: db.prepare('INSERT INTO qualification_text (rowid, words) VALUES (?, ?)'),
    wordsLike: db.prepare<[string, number], string>('SELECT word FROM vocabulary WHERE word LIKE ? LIMIT ?').pluck(),
    unitTextHolds: db.prepare<[string], number>('SELECT 1 FROM unit WHERE search_text LIKE ? LIMIT 1').pluck(),
    qualificationTextHolds: db
      .prepare<[string], number>('SELECT 1 FROM qualification WHERE search_text LIKE ? LIMIT 1')
      .pluck(),
    unitTextRows: db.prepare<[string], number>('SELECT count(*) FROM unit_text WHERE unit_text MATCH ?').pluck(),
    qualificationTextRows: db
      .prepare<[string], number>('SELECT count(*) FROM qualification_text WHERE qualification_text MATCH ?')
      .pluck(),
    // The rows counted up to a bound: a choice between two ways of reading a page needs no more (the index stops there).
    unitTitleRowsUpTo: db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM unit_title WHERE unit_title MATCH ? LIMIT ?)',
      )
      .pluck(),
    unitTextRowsUpTo: db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM unit_text WHERE unit_text MATCH ? LIMIT ?)',
      )
      .pluck(),
    qualificationTextRowsUpTo: db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM qualification_text WHERE qualification_text MATCH ? LIMIT ?)',
      )
      .pluck(),
    // An institution whose items match a text index query, other than one given: whose words a suggestion is.
    unitHolder: db
      .prepare<[string, string], string>(
        'SELECT p.inst FROM unit_text t JOIN unit_place p ON p.rowid = t.rowid WHERE unit_text MATCH ? AND p.inst <> ? LIMIT 1',
      )
      .pluck(),
    qualificationHolder: db
      .prepare<[string, string], string>(
        'SELECT q.inst FROM qualification_text t JOIN qualification q ON q.rowid = t.rowid WHERE qualification_text MATCH ? AND q.inst <> ? LIMIT 1',
      )
      .pluck(),
    federated: db.prepare<[], number>('SELECT count(*) FROM (SELECT 1 FROM institution LIMIT 2)').pluck(),
    // Whether some item matches a text index query (a word whole, or any of a word's alternatives).
    unitHolds: db.prepare<[string], number>('SELECT 1 FROM unit_text WHERE unit_text MATCH ? LIMIT 1').pluck(),
    qualificationHolds: db
      .prepare<[string], number>('SELECT 1 FROM qualification_text WHERE qualification_text MATCH ? LIMIT 1')
      .pluck(),
    unitsOf: db.prepare<[string], { rowid: number; search_text: string; points: number }>(
      'SELECT rowid, search_text, points FROM unit WHERE inst = ?',
    ),
    qualificationsOf: db.prepare<[string], { rowid: number; search_text: string }>(
      'SELECT rowid, search_text FROM qualification WHERE inst = ?',
    ),
    institutions: db.prepare<[], { code: string }>('SELECT code FROM institution ORDER BY code'),
    rows: db.prepare<[], { institution: string; units: number; qualifications: number }>(
      `SELECT i.code AS institution, (SELECT count(*) FROM unit u WHERE u.inst = i.code) AS units,
         (SELECT count(*) FROM qualification q WHERE q.inst = i.code) AS qualifications
       FROM institution i ORDER BY i.code`,
    ),
    positions: db.prepare<[], { inst: string; feed_id: string; seq: number; read_at: number; current_at: number }>(
      'SELECT inst, feed_id, seq, read_at, current_at FROM part_position',
    ),
    // SET reads the row as it was: within one feed each value only rises, another feed's replaces them.
    setPosition: db.prepare<[string, string, number, number, number]>(
      `INSERT INTO part_position (inst, feed_id, seq, read_at, current_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (inst) DO UPDATE SET feed_id = excluded.feed_id,
         seq = CASE WHEN feed_id = excluded.feed_id THEN max(seq, excluded.seq) ELSE excluded.seq END,
         read_at = CASE WHEN feed_id = excluded.feed_id THEN max(read_at, excluded.read_at) ELSE excluded.read_at END,
         current_at = CASE WHEN feed_id = excluded.feed_id THEN max(current_at, excluded.current_at) ELSE excluded.current_at END`,
    ),
    forgetPosition: db.prepare<[string]>('DELETE FROM part_position WHERE inst = ?'),
  };

  /** Enters the text's words in the vocabulary, each once per transaction. */
  const addWords = (text: string, words: WordChanges) => {
    for (const word of wordsOf(text))
      if (!words.added.has(word)) {
        words.added.add(word);
        if (statements.insertWord.run(word).changes > 0) addTrigrams(word);
      }
  };
  /**
   * In the transaction, after its writes: the removed words no unit or qualification holds leave the vocabulary, the
   * removed points values no unit holds leave unit_points.
   */
  const prune = (words: WordChanges) => {
    for (const word of words.removed) {
      if (words.added.has(word)) continue;
      const whole = `"${word}"`;
      if (statements.unitHolds.get(whole) !== undefined || statements.qualificationHolds.get(whole) !== undefined)
        continue;
      statements.deleteWord.run(word);
      for (const trigram of trigramsOf(word)) statements.deleteTrigram.run(trigram, word);
    }
    for (const points of words.points)
      if (statements.unitHolds.get(pointsTermOf(points)) === undefined) statements.deletePoints.run(points);
  };
  /** Indexes the unit's words and its facet words, as its row, skills and institution now stand. */
  const indexUnit = (rowid: number | bigint) => {
    const row = statements.unitFacets.get(Number(rowid));
    if (!row) return;
    const facets = facetWordsOf({
      institution: row.inst,
      country: row.country,
      eqfLevel: row.eqf,
      ecvetPoints: row.points,
      status: row.status,
      isced: row.isced,
      occupation: row.occupation,
      skills: statements.skillsOfUnit.all(row.inst, row.id),
    });
    statements.insertUnitText.run(rowid, `${row.search_text} ${facets}`);
  };
  /** The units' facet words follow a change of their qualification's or institution's fields. */
  const indexUnitsAgain = (rowids: readonly number[]) => {
    for (const rowid of rowids) {
      statements.deleteUnitText.run(rowid);
      indexUnit(rowid);
    }
  };
  const putInstitution = (code: string, country: string) => {
    const held = statements.countryOf.get(code);
    statements.putInstitution.run(code, country);
    if (held !== country) indexUnitsAgain(statements.unitsOf.all(code).map((row) => row.rowid));
  };
  const removeUnit = (institution: string, localId: string, words: WordChanges) => {
    const row = statements.unitRow.get(institution, localId);
    if (!row) return;
    noteRemoved(row.search_text, words);
    words.points.add(row.points);
    statements.deleteUnit.run(row.rowid);
    statements.deleteUnitText.run(row.rowid);
    statements.deleteUnitPlace.run(row.rowid);
    statements.deleteUnitTitle.run(row.rowid);
    statements.deleteUnitLangWords.run(row.rowid);
    statements.deleteUnitSkills.run(institution, localId);
    statements.deleteUnitLang.run(institution, localId);
  };
  const putUnit = (institution: string, unit: UnitDoc, words: WordChanges) => {
    removeUnit(institution, unit.localId, words);
    const { lastInsertRowid } = statements.insertUnit.run(
      institution,
      unit.localId,
      unit.qualification,
      unit.sortKey,
      unit.titleText,
      unit.searchText,
      unit.eqfLevel,
      unit.ecvetPoints,
      unit.status,
      institution,
      unit.qualification,
    );
    addWords(unit.searchText, words);
    statements.insertUnitPlace.run(lastInsertRowid, institution, unit.localId, unit.sortKey);
    statements.insertUnitTitle.run(lastInsertRowid, unit.titleText);
    statements.insertPoints.run(unit.ecvetPoints);
    for (const skill of unit.skills) statements.insertSkill.run(institution, unit.localId, unit.qualification, skill);
    indexUnit(lastInsertRowid);
    for (const [lang, text] of Object.entries(unit.langTexts))
      statements.insertUnitLang.run(institution, unit.localId, lang, text);
    statements.insertUnitLangWords.run(lastInsertRowid, langWordsOf(unit.langTexts));
  };
  const removeQualification = (institution: string, localId: string, words: WordChanges) => {
    const row = statements.qualificationRow.get(institution, localId);
    if (!row) return;
    noteRemoved(row.search_text, words);
    statements.deleteQualification.run(row.rowid);
    statements.deleteQualificationText.run(row.rowid);
    statements.deleteQualificationLang.run(institution, localId);
  };
  const putQualification = (institution: string, doc: QualificationDoc, words: WordChanges) => {
    removeQualification(institution, doc.localId, words);
    const { lastInsertRowid } = statements.insertQualification.run(
      institution,
      doc.localId,
      doc.sortKey,
      doc.titleText,
      doc.searchText,
      doc.eqfLevel,
      doc.ecvetPoints,
      doc.iscedCode,
      doc.escoOccupation,
      doc.status,
    );
    addWords(doc.searchText, words);
    statements.insertQualificationText.run(lastInsertRowid, doc.searchText);
    const copied = statements.qualificationOfUnits.run({
      isced: doc.iscedCode,
      occupation: doc.escoOccupation,
      inst: institution,
      qualification: doc.localId,
    });
    if (copied.changes > 0) indexUnitsAgain(statements.unitsOfQualification.all(institution, doc.localId));
    for (const [lang, text] of Object.entries(doc.langTexts))
      statements.insertQualificationLang.run(institution, doc.localId, lang, text);
  };

  // A catalogue of an earlier layout kept every word ever written: those no item holds any more leave it, once.
  if ((db.pragma('user_version', { simple: true }) as number) < PRUNED_LAYOUT)
    db.transaction(() => {
      const words = wordChanges();
      for (const word of db.prepare<[], string>('SELECT word FROM vocabulary').pluck().all()) words.removed.add(word);
      prune(words);
      db.pragma(`user_version = ${PRUNED_LAYOUT}`);
    })();
  // A catalogue of an earlier layout indexed its units' words alone: they are indexed again with their facet words.
  if ((db.pragma('user_version', { simple: true }) as number) < FACETED_LAYOUT)
    db.transaction(() => {
      if (indexed) {
        db.exec('DROP TABLE unit_text');
        db.exec(`CREATE VIRTUAL TABLE unit_text USING fts5 (words, ${UNIT_TEXT_INDEX})`);
        for (const rowid of db.prepare<[], number>('SELECT rowid FROM unit').pluck().all()) indexUnit(rowid);
        db.exec('INSERT OR IGNORE INTO unit_points (points) SELECT DISTINCT points FROM unit');
        // One segment instead of the many the rebuild wrote: a search reads each word's list once (at 1,000,000
        // units, 5 s here; the text search alone then took as long as before the facet words).
        db.exec("INSERT INTO unit_text (unit_text) VALUES ('optimize')");
      }
      db.pragma(`user_version = ${FACETED_LAYOUT}`);
    })();

  const replace = db.transaction((part: InstitutionPart) => {
    const code = part.institution.code;
    const words = wordChanges();
    for (const { rowid, search_text, points } of statements.unitsOf.all(code)) {
      noteRemoved(search_text, words);
      words.points.add(points);
      statements.deleteUnit.run(rowid);
      statements.deleteUnitText.run(rowid);
      statements.deleteUnitPlace.run(rowid);
      statements.deleteUnitTitle.run(rowid);
      statements.deleteUnitLangWords.run(rowid);
    }
    for (const table of ['unit_skill', 'unit_lang', 'qualification_lang'])
      db.prepare(`DELETE FROM ${table} WHERE inst = ?`).run(code);
    for (const { rowid, search_text } of statements.qualificationsOf.all(code)) {
      noteRemoved(search_text, words);
      statements.deleteQualification.run(rowid);
      statements.deleteQualificationText.run(rowid);
    }
    putInstitution(code, part.institution.country);
    for (const doc of part.qualifications) putQualification(code, doc, words);
    for (const unit of part.units) putUnit(code, unit, words);
    prune(words);
  });
  const apply = db.transaction((institution: string, changes: PartChanges) => {
    if (changes.institution) putInstitution(institution, changes.institution.country);
    const words = wordChanges();
    for (const { localId, doc } of changes.qualifications ?? []) {
      if (doc) putQualification(institution, doc, words);
      else removeQualification(institution, localId, words);
    }
    for (const { localId, doc } of changes.units ?? []) {
      if (doc) putUnit(institution, doc, words);
      else removeUnit(institution, localId, words);
    }
    prune(words);
  });
  /**
   * `LIKE '%word%'` of every word (see wordMatchOf): the text index's query for the words matched there (null when
   * every word is common), and the common words. Words are [a-z0-9], quoted as they are.
   */
  const textQuery = (
    words: readonly string[],
  ): { query: string | null; common: string[]; byWord: ReadonlyArray<string[] | null> } | null => {
    const match = wordMatchOf(
      words,
      words.map((word) => statements.wordsLike.all(`%${word}%`, MAX_WORD_ALTERNATIVES + 1)),
      MAX_WORD_ALTERNATIVES,
    );
    if (match === null) return null;
    const query = match.alternatives.map((found) => `(${found.map((word) => `"${word}"`).join(' OR ')})`).join(' AND ');
    return { query: query === '' ? null : query, common: match.common, byWord: match.byWord };
  };
  /** The query of the units whose texts in `lang` hold one of a word's alternatives (see langWordsOf). */
  const inLanguageQuery = (alternatives: readonly string[], lang: string) =>
    `(${alternatives.map((word) => `"${lang}_${word}"`).join(' OR ')})`;
  /**
   * The query of the units whose texts in `lang` hold each word that some unit's texts there hold (see
   * languageHoldsAll), '' when none holds any; null when a word is common (matched in the texts themselves).
   */
  const languageQuery = (byWord: ReadonlyArray<string[] | null>, lang: string): string | null => {
    if (!TEXT_LANGUAGE.test(lang)) return '';
    const held: string[] = [];
    for (const alternatives of byWord) {
      if (alternatives === null) return null;
      const query = inLanguageQuery(alternatives, lang);
      if (statements.unitLangWordsHeld.get(query) !== undefined) held.push(query);
    }
    return held.join(' AND ');
  };
  const languageCondition = (query: string): Statement =>
    query === ''
      ? { sql: '1 = 1', params: [] }
      : { sql: 'r.rowid IN (SELECT rowid FROM unit_lang_words WHERE unit_lang_words MATCH ?)', params: [query] };
  const pointsHeld: PointsHeld = (min, max) => {
    const held = statements.pointsBetween.all(min ?? -Infinity, max ?? Infinity, MAX_POINTS_TERMS + 1);
    return held.length > MAX_POINTS_TERMS ? null : held;
  };
  /** The rows of the list matching a text index query; with `upTo`, counted only that far. */
  const matchCount = (list: 'unit' | 'qualification', query: string, upTo?: number) =>
    (upTo === undefined
      ? (list === 'unit' ? statements.unitTextRows : statements.qualificationTextRows).get(query)
      : (list === 'unit' ? statements.unitTextRowsUpTo : statements.qualificationTextRowsUpTo).get(query, upTo)) ?? 0;
  const titleQuery = (words: readonly string[]) => words.map((word) => `"${word}"`).join(' AND ');
  /**
   * RELEVANCE's first tier (see firstTier) of a units search with no filter but its words, from the narrow places
   * instead of the units' rows: walking them in TITLE order (`walk`) when many titles hold the words of `query` (at
   * 1,000,000 units, 62,500 hold "welding safety"), as a text search walks them, else each such title's place looked
   * up and sorted.
   */
  const placedTier = (
    query: string,
    walk: boolean,
    inLanguage: Statement,
    limit: number,
    offset: number,
  ): Statement => ({
    sql:
      (walk
        ? 'SELECT r.rowid, r.inst, r.id, r.sort_key FROM unit_place r WHERE +r.rowid IN (SELECT rowid FROM unit_title WHERE unit_title MATCH ?)'
        : 'SELECT r.rowid, r.inst, r.id, r.sort_key FROM unit_title t JOIN unit_place r ON r.rowid = t.rowid WHERE t.unit_title MATCH ?') +
      ` AND ${inLanguage.sql} ORDER BY r.sort_key, r.id, r.inst LIMIT ? OFFSET ?`,
    params: [query, ...inLanguage.params, limit, offset],
  });
  /**
   * That tier's rows, with the language query of its words (languageQuery; '' for none). When many units hold the
   * words in the language, its titled units are looked up there one by one, in TITLE order, as long as no more than
   * LANGUAGE_LOOKUPS of them miss; otherwise the units holding them there are read as one set (see LANGUAGE_SET_ROWS).
   */
  const placedTierRows = (request: SearchRequest, words: readonly string[], language: string): PlacedRow[] => {
    const query = titleQuery(words);
    const walk = (statements.unitTitleRowsUpTo.get(query, PLACE_WALK_ROWS + 1) ?? 0) > PLACE_WALK_ROWS;
    const readPlaced = (inLanguage: Statement, limit: number, offset: number) => {
      const statement = placedTier(query, walk, inLanguage, limit, offset);
      return db.prepare<unknown[], PlacedRow>(statement.sql).all(...statement.params);
    };
    const wanted = request.offset + request.first + 1;
    if (
      language === '' ||
      wanted > LANGUAGE_LOOKUPS ||
      (statements.unitLangWordsUpTo.get(language, LANGUAGE_SET_ROWS + 1) ?? 0) <= LANGUAGE_SET_ROWS
    )
      return readPlaced(languageCondition(language), request.first + 1, request.offset);
    // As many titled units as can fill the page with no more misses than that: fewer means there are no more.
    const titled = readPlaced(languageCondition(''), wanted + LANGUAGE_LOOKUPS, 0);
    const held: PlacedRow[] = [];
    let missed = 0;
    for (const row of titled) {
      if (statements.unitLangWordsAt.get(language, BigInt(row.rowid)) === undefined) missed += 1;
      else held.push(row);
      if (held.length === wanted || missed > LANGUAGE_LOOKUPS) break;
    }
    if (held.length === wanted || titled.length < wanted + LANGUAGE_LOOKUPS) return held.slice(request.offset);
    return readPlaced(languageCondition(language), request.first + 1, request.offset);
  };
  const search = (request: SearchRequest): SearchPage => {
    const list = request.list === 'units' ? 'unit' : 'qualification';
    const words = request.filter.words;
    // Undefined: no words; null: a word no item holds.
    const text = words && words.length > 0 ? textQuery(words) : undefined;
    const wordsQuery = text?.query ?? null;
    const common = text?.common ?? [];
    // A unit's filters that its facet words answer are matched with its words, in the text index. So are those of a
    // search by ESCO occupation and more without words, in TITLE order (see isOccupationAndMore; with EQF level 4 at
    // 200,000 units, 33 ms against 0.75 s through the units' indexes).
    const byOccupation = request.order === 'TITLE' && isOccupationAndMore(request);
    // So are those of a search without words by ESCO skills, or by status with its total, when the facet words answer
    // every filter: no index of the units reads by either. At 1,000,000 units a common skill took 638 ms, a rarer one
    // with EQF level 4 1.0 s (the units at that level read in TITLE order until 21 held it), every active unit
    // counted 1.2 s; through the facet words, 60, 50 and 185 ms.
    const { escoSkills, status } = request.filter;
    const bySkillsOrStatus =
      list === 'unit' &&
      request.order === 'TITLE' &&
      words === null &&
      ((escoSkills?.length ?? 0) > 0 || (status !== undefined && request.count))
        ? facetTermsOf(request.filter, pointsHeld)
        : null;
    const byFacets = bySkillsOrStatus !== null && hasNoFilterButWords({ ...request, filter: bySkillsOrStatus.rest });
    const faceted =
      list === 'unit' && (wordsQuery !== null || byOccupation || byFacets)
        ? (bySkillsOrStatus ?? facetTermsOf(request.filter, pointsHeld))
        : null;
    const query = faceted ? [...(wordsQuery === null ? [] : [wordsQuery]), ...faceted.terms].join(' AND ') : wordsQuery;
    // The text index's matches are the search's: the rows need not be read to count them.
    const textOnly =
      common.length === 0 &&
      (faceted ? hasNoFilterButWords({ ...request, filter: faceted.rest }) : isTextOnly(request));
    if (query !== null && list === 'unit' && request.order === 'TITLE' && textOnly) {
      // The count chooses how to read the page: without a total asked, only as far as that choice (at 1,000,000
      // units, "welding safety", held by 187,500, then pages in 0.86 times the time of counting them all).
      const textRows = matchCount('unit', query, request.count ? undefined : PLACE_WALK_ROWS + 1);
      // `+` keeps the planner from looking up each match's place (it then walks the places' index in TITLE order).
      const page =
        textRows > PLACE_WALK_ROWS
          ? titlePage(request, 'unit_place', {
              sql: '+r.rowid IN (SELECT rowid FROM unit_text WHERE unit_text MATCH ?)',
              params: [query],
            })
          : titlePage(request, 'unit_text t JOIN unit_place', {
              sql: 't.unit_text MATCH ? AND r.rowid = t.rowid',
              params: [query],
            });
      const rows =
        textRows === 0
          ? []
          : db.prepare<unknown[], { inst: string; id: string; sort_key: string }>(page.sql).all(...page.params);
      return {
        items: rows
          .slice(0, request.first)
          .map((row) => ({ institution: row.inst, localId: row.id, sortKey: row.sort_key })),
        hasNextPage: rows.length > request.first,
        totalCount: request.count ? textRows : null,
      };
    }
    // The whole count is the total of a text-only search; otherwise the rows are counted as far as the choice of
    // reading in TITLE order needs, or not at all.
    const textRows =
      query === null || words === null
        ? 0
        : request.count && textOnly
          ? matchCount(list, query)
          : request.order === 'TITLE'
            ? matchCount(list, query, ORDERED_SCAN_ROWS + 1)
            : 0;
    // `+` keeps the planner from reading the rows through the match (it then reads an index in the list's order).
    const ordered = request.order === 'TITLE' && textRows > ORDERED_SCAN_ROWS;
    const textMatch: TextMatch = (table) => {
      if (text === null) return { sql: '1 = 0', params: [] };
      const parts: Statement[] = common.map((word) => ({ sql: 'r.search_text LIKE ?', params: [`%${word}%`] }));
      if (query !== null)
        parts.unshift({
          sql: `${ordered ? '+' : ''}r.rowid IN (SELECT rowid FROM ${table}_text WHERE ${table}_text MATCH ?)`,
          params: [query],
        });
      return { sql: parts.map((part) => part.sql).join(' AND '), params: parts.flatMap((part) => part.params) };
    };
    // RELEVANCE's first tier with a language needs the units holding its words there (see languageHoldsAll).
    const tierLanguage =
      list === 'unit' && request.order === 'RELEVANCE' && text && request.filter.lang !== undefined
        ? languageQuery(text.byWord, request.filter.lang)
        : null;
    const { page, count, tier } = searchStatements(request, textMatch, {
      concat,
      // The rows holding the word whole are its token's in the text index, read once as a set: not each ranked
      // row's whole text matched with LIKE again.
      wholeWord: (table, word) => ({
        sql: `r.rowid IN (SELECT rowid FROM ${table}_text WHERE ${table}_text MATCH ?)`,
        params: [`"${word}"`],
      }),
      // A unit's texts in the language hold the word when the words by language hold one of its alternatives: one set
      // from that index, not each ranked unit's texts matched with LIKE (a common word is, as the texts hold it).
      inLanguage: (table, word, lang) => {
        const alternatives = text?.byWord[words?.indexOf(word) ?? -1];
        if (table !== 'unit' || !alternatives) return null;
        if (!TEXT_LANGUAGE.test(lang)) return { sql: '1 = 0', params: [] };
        return {
          sql: 'r.rowid IN (SELECT rowid FROM unit_lang_words WHERE unit_lang_words MATCH ?)',
          params: [inLanguageQuery(alternatives, lang)],
        };
      },
      languageHoldsAll: (table) => (table === 'unit' && tierLanguage !== null ? languageCondition(tierLanguage) : null),
      titleHoldsAll: (table, titleWords) =>
        table === 'unit'
          ? {
              sql: 'r.rowid IN (SELECT rowid FROM unit_title WHERE unit_title MATCH ?)',
              params: [titleQuery(titleWords)],
            }
          : null,
    });
    const read = (statement: Statement) =>
      db.prepare<unknown[], { inst: string; id: string; sort_key: string }>(statement.sql).all(...statement.params);
    const tierRows = !tier
      ? []
      : list === 'unit' && words && text && hasNoFilterButWords(request)
        ? placedTierRows(request, words, tierLanguage ?? '')
        : read(tier);
    const rows = tierRows.length > request.first ? tierRows : read(page);
    const counted = !count
      ? null
      : textOnly
        ? { n: textRows }
        : db.prepare<unknown[], { n: number }>(count.sql).get(...count.params);
    return {
      items: rows
        .slice(0, request.first)
        .map((row) => ({ institution: row.inst, localId: row.id, sortKey: row.sort_key })),
      hasNextPage: rows.length > request.first,
      totalCount: counted ? Number(counted.n) : null,
    };
  };

  const suggest = (list: 'units' | 'qualifications', words: readonly string[]) => {
    const holds = list === 'units' ? statements.unitHolds : statements.qualificationHolds;
    const held = (query: string) => holds.get(query) !== undefined;
    return suggestionsOf(words, {
      // Whether one row matches, not how many: a part of common words may be in most rows.
      found: async (word) => {
        const text = textQuery([word]);
        if (text === null) return false;
        if (text.query !== null) return held(text.query);
        // A common word: the first item whose text holds it is soon found.
        const holds = list === 'units' ? statements.unitTextHolds : statements.qualificationTextHolds;
        return holds.get(`%${word}%`) !== undefined;
      },
      // The words sharing enough of the word's trigrams; their similarity from how many they share.
      candidates: async (word) => {
        const own = [...trigramsOf(word)];
        return db
          .prepare<unknown[], { word: string; common: number }>(
            `SELECT word, count(*) AS common FROM vocabulary_trigram WHERE trigram IN (${own.map(() => '?').join(', ')})
             GROUP BY word HAVING count(*) >= ?`,
          )
          .all(...own, minCommonTrigrams(word))
          .map((candidate) => ({
            word: candidate.word,
            similarity: similarityOf(own.length, trigramsOf(candidate.word).size, candidate.common),
          }));
      },
      holders: async (word) => {
        const holder = list === 'units' ? statements.unitHolder : statements.qualificationHolder;
        const first = holder.get(`"${word}"`, '');
        if (first === undefined) return 0;
        return holder.get(`"${word}"`, first) === undefined ? 1 : 2;
      },
      federated: async () => statements.federated.get() === 2,
    });
  };

  return {
    name: 'sqlite',
    start: async () => undefined,
    replaceInstitution: async (part) => {
      replace(part);
    },
    apply: async (institution, changes) => {
      apply(institution, changes);
    },
    // The file is this process's alone (no replica shares it): one at a time here is one at a time everywhere.
    exclusive: oneAtATime(),
    search: async (request) => search(request),
    suggest,
    institutions: async () => statements.institutions.all().map((row) => row.code),
    rows: async () => statements.rows.all(),
    positions: async () =>
      new Map(
        statements.positions
          .all()
          .map((row) => [
            row.inst,
            { feedId: row.feed_id, seq: row.seq, readAt: row.read_at, currentAt: row.current_at },
          ]),
      ),
    setPosition: async (institution, { feedId, seq, readAt, currentAt }) => {
      statements.setPosition.run(institution, feedId, seq, readAt, currentAt);
    },
    forgetPosition: async (institution) => {
      statements.forgetPosition.run(institution);
    },
    close: async () => {
      db.close();
    },
  };
}
