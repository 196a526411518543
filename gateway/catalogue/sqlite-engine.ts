import Database from 'better-sqlite3';
import type {
  CatalogueEngine,
  InstitutionPart,
  PartChanges,
  QualificationDoc,
  SearchPage,
  SearchRequest,
  UnitDoc,
} from './engine';
import { searchStatements, wordsOf, type TextMatch } from './search-sql';

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
CREATE TABLE IF NOT EXISTS unit_skill (inst TEXT NOT NULL, unit TEXT NOT NULL, qualification TEXT NOT NULL, skill TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unit_skill_skill ON unit_skill (skill, inst, unit);
CREATE INDEX IF NOT EXISTS unit_skill_unit ON unit_skill (inst, unit);
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unit_word (word TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (word, row)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS unit_word_row ON unit_word (row);
CREATE TABLE IF NOT EXISTS qualification_word (word TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (word, row)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS qualification_word_row ON qualification_word (row);
`;

/**
 * `LIKE '%word%'` on the search text, answered by the vocabulary: the words that hold the query word, then the rows
 * that hold one of them (see wordsOf). A word no row holds any more may stay in the vocabulary; it finds nothing.
 */
const textMatch: TextMatch = (list, words) => ({
  sql: words
    .map(
      () =>
        `r.rowid IN (SELECT w.row FROM ${list}_word w WHERE w.word IN (SELECT v.word FROM vocabulary v WHERE v.word LIKE ?))`,
    )
    .join(' AND '),
  params: words.map((word) => `%${word}%`),
});

const concat = (...parts: string[]) => parts.join(' || ');

/** The embedded engine: one SQLite file (or memory) in the gateway's process; nothing to set up. */
export function createSqliteEngine(path = ':memory:'): CatalogueEngine {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(SCHEMA);
  const statements = {
    putInstitution: db.prepare('INSERT OR REPLACE INTO institution (code, country) VALUES (?, ?)'),
    unitRow: db.prepare<[string, string], { rowid: number }>('SELECT rowid FROM unit WHERE inst = ? AND id = ?'),
    qualificationRow: db.prepare<[string, string], { rowid: number }>(
      'SELECT rowid FROM qualification WHERE inst = ? AND id = ?',
    ),
    deleteUnit: db.prepare('DELETE FROM unit WHERE rowid = ?'),
    deleteUnitText: db.prepare('DELETE FROM unit_word WHERE row = ?'),
    deleteUnitSkills: db.prepare('DELETE FROM unit_skill WHERE inst = ? AND unit = ?'),
    // The qualification's ISCED-F code and occupation ride on the unit, as its filters read them.
    insertUnit: db.prepare(
      `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(q.isced, ''), q.occupation
       FROM (SELECT 1) LEFT JOIN qualification q ON q.inst = ? AND q.id = ?`,
    ),
    qualificationOfUnits: db.prepare('UPDATE unit SET isced = ?, occupation = ? WHERE inst = ? AND qualification = ?'),
    insertWord: db.prepare('INSERT OR IGNORE INTO vocabulary (word) VALUES (?)'),
    insertUnitText: db.prepare('INSERT INTO unit_word (word, row) VALUES (?, ?)'),
    insertSkill: db.prepare('INSERT INTO unit_skill (inst, unit, qualification, skill) VALUES (?, ?, ?, ?)'),
    deleteQualification: db.prepare('DELETE FROM qualification WHERE rowid = ?'),
    deleteQualificationText: db.prepare('DELETE FROM qualification_word WHERE row = ?'),
    insertQualification: db.prepare(
      'INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertQualificationText: db.prepare('INSERT INTO qualification_word (word, row) VALUES (?, ?)'),
    unitsOf: db.prepare<[string], { rowid: number }>('SELECT rowid FROM unit WHERE inst = ?'),
    qualificationsOf: db.prepare<[string], { rowid: number }>('SELECT rowid FROM qualification WHERE inst = ?'),
    institutions: db.prepare<[], { code: string }>('SELECT code FROM institution ORDER BY code'),
    rows: db.prepare<[], { institution: string; units: number; qualifications: number }>(
      `SELECT i.code AS institution, (SELECT count(*) FROM unit u WHERE u.inst = i.code) AS units,
         (SELECT count(*) FROM qualification q WHERE q.inst = i.code) AS qualifications
       FROM institution i ORDER BY i.code`,
    ),
  };

  const removeUnit = (institution: string, localId: string) => {
    const row = statements.unitRow.get(institution, localId);
    if (!row) return;
    statements.deleteUnit.run(row.rowid);
    statements.deleteUnitText.run(row.rowid);
    statements.deleteUnitSkills.run(institution, localId);
  };
  const putUnit = (institution: string, unit: UnitDoc) => {
    removeUnit(institution, unit.localId);
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
    for (const word of wordsOf(unit.searchText)) {
      statements.insertWord.run(word);
      statements.insertUnitText.run(word, lastInsertRowid);
    }
    for (const skill of unit.skills) statements.insertSkill.run(institution, unit.localId, unit.qualification, skill);
  };
  const removeQualification = (institution: string, localId: string) => {
    const row = statements.qualificationRow.get(institution, localId);
    if (!row) return;
    statements.deleteQualification.run(row.rowid);
    statements.deleteQualificationText.run(row.rowid);
  };
  const putQualification = (institution: string, doc: QualificationDoc) => {
    removeQualification(institution, doc.localId);
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
    for (const word of wordsOf(doc.searchText)) {
      statements.insertWord.run(word);
      statements.insertQualificationText.run(word, lastInsertRowid);
    }
    statements.qualificationOfUnits.run(doc.iscedCode, doc.escoOccupation, institution, doc.localId);
  };

  const replace = db.transaction((part: InstitutionPart) => {
    const code = part.institution.code;
    for (const { rowid } of statements.unitsOf.all(code)) {
      statements.deleteUnit.run(rowid);
      statements.deleteUnitText.run(rowid);
    }
    db.prepare('DELETE FROM unit_skill WHERE inst = ?').run(code);
    for (const { rowid } of statements.qualificationsOf.all(code)) {
      statements.deleteQualification.run(rowid);
      statements.deleteQualificationText.run(rowid);
    }
    statements.putInstitution.run(code, part.institution.country);
    for (const doc of part.qualifications) putQualification(code, doc);
    for (const unit of part.units) putUnit(code, unit);
  });
  const apply = db.transaction((institution: string, changes: PartChanges) => {
    if (changes.institution) statements.putInstitution.run(institution, changes.institution.country);
    for (const { localId, doc } of changes.qualifications ?? []) {
      if (doc) putQualification(institution, doc);
      else removeQualification(institution, localId);
    }
    for (const { localId, doc } of changes.units ?? []) {
      if (doc) putUnit(institution, doc);
      else removeUnit(institution, localId);
    }
  });
  const search = (request: SearchRequest): SearchPage => {
    const { page, count } = searchStatements(request, textMatch, concat);
    const rows = db.prepare<unknown[], { inst: string; id: string; sort_key: string }>(page.sql).all(...page.params);
    const counted = count ? db.prepare<unknown[], { n: number }>(count.sql).get(...count.params) : null;
    return {
      items: rows
        .slice(0, request.first)
        .map((row) => ({ institution: row.inst, localId: row.id, sortKey: row.sort_key })),
      hasNextPage: rows.length > request.first,
      totalCount: counted ? Number(counted.n) : null,
    };
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
    search: async (request) => search(request),
    institutions: async () => statements.institutions.all().map((row) => row.code),
    rows: async () => statements.rows.all(),
    close: async () => {
      db.close();
    },
  };
}
