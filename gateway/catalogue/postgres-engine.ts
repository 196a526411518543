import { Pool, type PoolClient } from 'pg';
import type { CatalogueEngine, InstitutionPart, PartChanges, QualificationDoc, SearchRequest, UnitDoc } from './engine';
import { searchStatements, wordsOf, type Statement, type TextMatch } from './search-sql';

// "C" collation: rows order byte by byte, as the shards' keys and the hub's merge compare them.
const SCHEMA = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS institution (code TEXT COLLATE "C" PRIMARY KEY, country TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS qualification (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, sort_key TEXT COLLATE "C" NOT NULL,
  title_text TEXT NOT NULL, search_text TEXT NOT NULL, eqf INTEGER NOT NULL, points DOUBLE PRECISION NOT NULL,
  isced TEXT COLLATE "C" NOT NULL, occupation TEXT, status TEXT NOT NULL, PRIMARY KEY (inst, id));
CREATE INDEX IF NOT EXISTS qualification_order ON qualification (sort_key, id, inst);
CREATE INDEX IF NOT EXISTS qualification_text ON qualification USING gin (search_text gin_trgm_ops);
CREATE TABLE IF NOT EXISTS unit (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, qualification TEXT COLLATE "C" NOT NULL,
  sort_key TEXT COLLATE "C" NOT NULL, title_text TEXT NOT NULL, search_text TEXT NOT NULL, eqf INTEGER NOT NULL,
  points DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, isced TEXT COLLATE "C" NOT NULL DEFAULT '', occupation TEXT,
  PRIMARY KEY (inst, id));
CREATE INDEX IF NOT EXISTS unit_order ON unit (sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_eqf_isced ON unit (eqf, isced text_pattern_ops);
CREATE INDEX IF NOT EXISTS unit_eqf_order ON unit (eqf, sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_qualification ON unit (inst, qualification);
CREATE INDEX IF NOT EXISTS unit_text ON unit USING gin (search_text gin_trgm_ops);
CREATE TABLE IF NOT EXISTS unit_skill (
  inst TEXT COLLATE "C" NOT NULL, unit TEXT COLLATE "C" NOT NULL, qualification TEXT COLLATE "C" NOT NULL, skill TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unit_skill_skill ON unit_skill (skill, inst, unit);
CREATE INDEX IF NOT EXISTS unit_skill_unit ON unit_skill (inst, unit);
-- The default collation, as the word arrays have: an array of "C" words would not be compared through their index.
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS vocabulary_text ON vocabulary USING gin (word gin_trgm_ops);
ALTER TABLE unit ADD COLUMN IF NOT EXISTS words TEXT[] GENERATED ALWAYS AS (string_to_array(search_text, ' ')) STORED;
CREATE INDEX IF NOT EXISTS unit_words ON unit USING gin (words);
ALTER TABLE qualification ADD COLUMN IF NOT EXISTS words TEXT[]
  GENERATED ALWAYS AS (string_to_array(search_text, ' ')) STORED;
CREATE INDEX IF NOT EXISTS qualification_words ON qualification USING gin (words);
DROP INDEX IF EXISTS unit_text;
DROP INDEX IF EXISTS qualification_text;
`;

/**
 * `LIKE '%word%'` on the folded text, answered by the word index as on SQLite (see wordsOf): the vocabulary's
 * trigram index finds the words that hold the query word, each row's GIN-indexed word array the rows that hold one
 * of them; no row's text is read again (a trigram index on the texts themselves made every candidate's text be
 * checked again: 28 ms against 4 ms for "welding safety" at 20,000 units).
 */
const textMatch: TextMatch = (_list, words) => ({
  sql: words.map(() => 'r.words && ARRAY(SELECT v.word FROM vocabulary v WHERE v.word LIKE ?)').join(' AND '),
  params: words.map((word) => `%${word}%`),
});

/**
 * The words of these texts enter the vocabulary, before the rows that hold them and in a statement of its own, in
 * one order: rebuilds running at once (replicas, institutions) never wait on each other's words. Words no row holds
 * any more may stay; they find nothing.
 */
async function addWords(pool: Pool, texts: readonly string[]): Promise<void> {
  const words = [...new Set(texts.flatMap(wordsOf))].sort();
  if (words.length > 0)
    await pool.query('INSERT INTO vocabulary (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [words]);
}

const concat = (...parts: string[]) => parts.join(' || ');

/** `?` placeholders as PostgreSQL numbers them. */
function numbered(statement: Statement): { text: string; values: Array<string | number> } {
  let n = 0;
  return { text: statement.sql.replace(/\?/g, () => `$${++n}`), values: statement.params };
}

async function putUnit(client: PoolClient, institution: string, unit: UnitDoc): Promise<void> {
  await client.query('DELETE FROM unit_skill WHERE inst = $1 AND unit = $2', [institution, unit.localId]);
  await client.query(
    `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE(q.isced, ''), q.occupation
     FROM (SELECT 1) AS one LEFT JOIN qualification q ON q.inst = $1 AND q.id = $3
     ON CONFLICT (inst, id) DO UPDATE SET qualification = EXCLUDED.qualification, sort_key = EXCLUDED.sort_key,
       title_text = EXCLUDED.title_text, search_text = EXCLUDED.search_text, eqf = EXCLUDED.eqf,
       points = EXCLUDED.points, status = EXCLUDED.status, isced = EXCLUDED.isced, occupation = EXCLUDED.occupation`,
    [
      institution,
      unit.localId,
      unit.qualification,
      unit.sortKey,
      unit.titleText,
      unit.searchText,
      unit.eqfLevel,
      unit.ecvetPoints,
      unit.status,
    ],
  );
  if (unit.skills.length > 0)
    await client.query(
      'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT $1, $2, $3, unnest($4::text[])',
      [institution, unit.localId, unit.qualification, unit.skills],
    );
}

async function putQualification(client: PoolClient, institution: string, doc: QualificationDoc): Promise<void> {
  await client.query(
    `INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (inst, id) DO UPDATE SET sort_key = EXCLUDED.sort_key, title_text = EXCLUDED.title_text,
       search_text = EXCLUDED.search_text, eqf = EXCLUDED.eqf, points = EXCLUDED.points, isced = EXCLUDED.isced,
       occupation = EXCLUDED.occupation, status = EXCLUDED.status`,
    [
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
    ],
  );
  await client.query('UPDATE unit SET isced = $1, occupation = $2 WHERE inst = $3 AND qualification = $4', [
    doc.iscedCode,
    doc.escoOccupation,
    institution,
    doc.localId,
  ]);
}

/** The shared engine (`CATALOG_URL`): one PostgreSQL every gateway replica reads and writes. */
export function createPostgresEngine(url: string): CatalogueEngine {
  const pool = new Pool({ connectionString: url, max: 8 });
  const inTransaction = async (work: (client: PoolClient) => Promise<void>) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    name: 'postgres',
    start: async () => {
      // Replicas starting together would race to create the tables: one at a time.
      await inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(20020)');
        await client.query(SCHEMA);
      });
    },
    replaceInstitution: async (part: InstitutionPart) => {
      await addWords(
        pool,
        [...part.qualifications, ...part.units].map((doc) => doc.searchText),
      );
      await inTransaction(async (client) => {
        const code = part.institution.code;
        for (const table of ['unit_skill', 'unit', 'qualification'])
          await client.query(`DELETE FROM ${table} WHERE inst = $1`, [code]);
        await client.query(
          'INSERT INTO institution (code, country) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET country = EXCLUDED.country',
          [code, part.institution.country],
        );
        // One statement per table, whatever the size: a rebuild of 2,000 units is three round trips, not thousands.
        const q = part.qualifications;
        await client.query(
          `INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::float8[], $8::text[], $9::text[], $10::text[])`,
          [
            code,
            q.map((d) => d.localId),
            q.map((d) => d.sortKey),
            q.map((d) => d.titleText),
            q.map((d) => d.searchText),
            q.map((d) => d.eqfLevel),
            q.map((d) => d.ecvetPoints),
            q.map((d) => d.iscedCode),
            q.map((d) => d.escoOccupation),
            q.map((d) => d.status),
          ],
        );
        const u = part.units;
        await client.query(
          `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
           SELECT $1, u.*, COALESCE(q.isced, ''), q.occupation
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::float8[], $9::text[])
             AS u (id, qualification, sort_key, title_text, search_text, eqf, points, status)
           LEFT JOIN qualification q ON q.inst = $1 AND q.id = u.qualification`,
          [
            code,
            u.map((d) => d.localId),
            u.map((d) => d.qualification),
            u.map((d) => d.sortKey),
            u.map((d) => d.titleText),
            u.map((d) => d.searchText),
            u.map((d) => d.eqfLevel),
            u.map((d) => d.ecvetPoints),
            u.map((d) => d.status),
          ],
        );
        const skills = u.flatMap((d) => d.skills.map((skill) => [d.localId, d.qualification, skill] as const));
        await client.query(
          'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])',
          [code, skills.map((r) => r[0]), skills.map((r) => r[1]), skills.map((r) => r[2])],
        );
      });
    },
    apply: async (institution: string, changes: PartChanges) => {
      await addWords(
        pool,
        [...(changes.qualifications ?? []), ...(changes.units ?? [])].flatMap(({ doc }) =>
          doc ? [doc.searchText] : [],
        ),
      );
      await inTransaction(async (client) => {
        if (changes.institution)
          await client.query(
            'INSERT INTO institution (code, country) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET country = EXCLUDED.country',
            [institution, changes.institution.country],
          );
        for (const { localId, doc } of changes.qualifications ?? []) {
          if (doc) await putQualification(client, institution, doc);
          else await client.query('DELETE FROM qualification WHERE inst = $1 AND id = $2', [institution, localId]);
        }
        for (const { localId, doc } of changes.units ?? []) {
          if (doc) await putUnit(client, institution, doc);
          else {
            await client.query('DELETE FROM unit_skill WHERE inst = $1 AND unit = $2', [institution, localId]);
            await client.query('DELETE FROM unit WHERE inst = $1 AND id = $2', [institution, localId]);
          }
        }
      });
    },
    search: async (request: SearchRequest) => {
      const { page, count } = searchStatements(request, textMatch, concat);
      const [rows, counted] = await Promise.all([
        pool.query<{ inst: string; id: string; sort_key: string }>(numbered(page)),
        count ? pool.query<{ n: string }>(numbered(count)) : null,
      ]);
      return {
        items: rows.rows
          .slice(0, request.first)
          .map((row) => ({ institution: row.inst, localId: row.id, sortKey: row.sort_key })),
        hasNextPage: rows.rows.length > request.first,
        totalCount: counted ? Number(counted.rows[0]?.n ?? 0) : null,
      };
    },
    institutions: async () =>
      (await pool.query<{ code: string }>('SELECT code FROM institution ORDER BY code')).rows.map((row) => row.code),
    rows: async () =>
      (
        await pool.query<{ institution: string; units: string; qualifications: string }>(
          `SELECT i.code AS institution, (SELECT count(*) FROM unit u WHERE u.inst = i.code) AS units,
             (SELECT count(*) FROM qualification q WHERE q.inst = i.code) AS qualifications
           FROM institution i ORDER BY i.code`,
        )
      ).rows.map((row) => ({
        institution: row.institution,
        units: Number(row.units),
        qualifications: Number(row.qualifications),
      })),
    close: () => pool.end(),
  };
}
