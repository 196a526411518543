import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { facetWordsOf, unitLangWordsFill } from '../../gateway/catalogue';

/**
 * Copies of written institutions inside a catalogue engine's own tables, for a catalogue larger than the bench can
 * write through the engine in reasonable time. A copy is the source institution's rows under another code, with
 * every table a search reads (units, qualifications, skills, text indexes, places, texts by language) filled as the
 * engine's write path fills it, so that searches cannot tell it from a written institution. The vocabulary needs nothing: a copy holds
 * the source's words. Bench-only: the engines' product code has no such path.
 */
export interface InstitutionCopier {
  /** Makes institution `code` (in `country`) a copy of the written institution `source`, in one transaction. */
  copy(source: string, code: string, country: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded engine's file, through a connection of its own (WAL: the engine's connection sees the copies once
 * each transaction commits). The FTS5 text indexes are contentless, so their rows are inserted from the source's
 * search texts under the copies' rowids, a unit's with its facet words as the copy's, and its title's words; the
 * places share the units' rowids. The ECVET points values held (unit_points) are the source's already.
 */
export function sqliteCopier(path: string): InstitutionCopier {
  const db = new Database(path);
  const maxRowid = (table: string) =>
    db.prepare<[], number>(`SELECT COALESCE(MAX(rowid), 0) FROM ${table}`).pluck().get() ?? 0;
  const minRowid = (table: string, source: string) =>
    db.prepare<[string], number>(`SELECT MIN(rowid) FROM ${table} WHERE inst = ?`).pluck().get(source) ?? 0;
  const statements = {
    institution: db.prepare('INSERT INTO institution (code, country) VALUES (?, ?)'),
    qualifications: db.prepare(
      `INSERT INTO qualification (rowid, inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
       SELECT rowid + ?, ?, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status
       FROM qualification WHERE inst = ? ORDER BY rowid`,
    ),
    qualificationText: db.prepare(
      'INSERT INTO qualification_text (rowid, words) SELECT rowid + ?, search_text FROM qualification WHERE inst = ? ORDER BY rowid',
    ),
    units: db.prepare(
      `INSERT INTO unit (rowid, inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
       SELECT rowid + ?, ?, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation
       FROM unit WHERE inst = ? ORDER BY rowid`,
    ),
    copiedUnits: db.prepare<
      [number, string],
      {
        rowid: number;
        id: string;
        search_text: string;
        eqf: number;
        points: number;
        status: string;
        isced: string;
        occupation: string | null;
      }
    >(
      'SELECT rowid + ? AS rowid, id, search_text, eqf, points, status, isced, occupation FROM unit WHERE inst = ? ORDER BY rowid',
    ),
    skillsOf: db.prepare<[string], { unit: string; skill: string }>(
      'SELECT unit, skill FROM unit_skill WHERE inst = ?',
    ),
    unitText: db.prepare('INSERT INTO unit_text (rowid, words) VALUES (?, ?)'),
    unitTitles: db.prepare(
      'INSERT INTO unit_title (rowid, words) SELECT rowid + ?, title_text FROM unit WHERE inst = ? ORDER BY rowid',
    ),
    unitPlaces: db.prepare(
      'INSERT INTO unit_place (rowid, inst, id, sort_key) SELECT rowid + ?, ?, id, sort_key FROM unit WHERE inst = ? ORDER BY rowid',
    ),
    skills: db.prepare(
      'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT ?, unit, qualification, skill FROM unit_skill WHERE inst = ?',
    ),
    unitLangs: db.prepare(
      'INSERT INTO unit_lang (inst, id, lang, text) SELECT ?, id, lang, text FROM unit_lang WHERE inst = ?',
    ),
    qualificationLangs: db.prepare(
      'INSERT INTO qualification_lang (inst, id, lang, text) SELECT ?, id, lang, text FROM qualification_lang WHERE inst = ?',
    ),
    // From the copy's own units and texts by language, once both are written.
    unitLangWords: db.prepare(unitLangWordsFill('u.inst = ?')),
  };
  const copy = db.transaction((source: string, code: string, country: string) => {
    statements.institution.run(code, country);
    // The copies' rowids follow every row there is, in the source's order.
    const qualificationShift = maxRowid('qualification') + 1 - minRowid('qualification', source);
    statements.qualifications.run(qualificationShift, code, source);
    statements.qualificationText.run(qualificationShift, source);
    const unitShift = maxRowid('unit') + 1 - minRowid('unit', source);
    statements.units.run(unitShift, code, source);
    statements.unitPlaces.run(unitShift, code, source);
    statements.unitTitles.run(unitShift, source);
    statements.skills.run(code, source);
    const skills = new Map<string, string[]>();
    for (const { unit, skill } of statements.skillsOf.all(source))
      skills.set(unit, [...(skills.get(unit) ?? []), skill]);
    for (const unit of statements.copiedUnits.all(unitShift, source)) {
      const facets = facetWordsOf({
        institution: code,
        country,
        eqfLevel: unit.eqf,
        ecvetPoints: unit.points,
        status: unit.status,
        isced: unit.isced,
        occupation: unit.occupation,
        skills: skills.get(unit.id) ?? [],
      });
      statements.unitText.run(unit.rowid, `${unit.search_text} ${facets}`);
    }
    statements.unitLangs.run(code, source);
    statements.unitLangWords.run(code);
    statements.qualificationLangs.run(code, source);
  });
  return {
    copy: async (source, code, country) => {
      copy(source, code, country);
    },
    close: async () => {
      db.close();
    },
  };
}

/** The PostgreSQL engine's database; the qualifications' word arrays are generated from their search texts. */
export function postgresCopier(url: string): InstitutionCopier {
  const pool = new Pool({ connectionString: url, max: 1 });
  return {
    copy: async (source, code, country) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO institution (code, country) VALUES ($1, $2)', [code, country]);
        await client.query(
          `INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
           SELECT $1, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status
           FROM qualification WHERE inst = $2`,
          [code, source],
        );
        await client.query(
          `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
           SELECT $1, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation
           FROM unit WHERE inst = $2`,
          [code, source],
        );
        await client.query(
          `INSERT INTO unit_text (inst, id, sort_key, words, eqf, isced, status, points)
           SELECT $1, id, sort_key, words, eqf, isced, status, points FROM unit_text WHERE inst = $2`,
          [code, source],
        );
        await client.query(
          'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT $1, unit, qualification, skill FROM unit_skill WHERE inst = $2',
          [code, source],
        );
        for (const list of ['unit', 'qualification'])
          await client.query(
            `INSERT INTO ${list}_lang (inst, id, lang, words) SELECT $1, id, lang, words FROM ${list}_lang WHERE inst = $2`,
            [code, source],
          );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
