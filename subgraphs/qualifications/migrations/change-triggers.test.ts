import { testDatabases, type TestDatabases } from '../../../test/harness/databases';
import { openDatabase, type Database } from '../../shared/database';
import { qualificationsEntities, qualificationsMigrations } from '../entities';

/** Writes in plain SQL, as another program would, record their change-feed rows (SQLite, or MySQL/MariaDB with TEST_MYSQL_URL). */
let databases: TestDatabases;
let db: Database;
beforeAll(async () => {
  databases = testDatabases();
  db = await openDatabase({
    url: databases.url('qualifications_triggers'),
    entities: qualificationsEntities,
    migrations: qualificationsMigrations,
  });
});
afterAll(async () => {
  await db?.close();
  await databases?.dispose();
});

const sql = (query: string) => db.dataSource.query(query);

/** What the feed holds after `seq`, its tags sorted. */
async function changesAfter(seq: number): Promise<Array<{ seq: number; tags: string[] }>> {
  const rows = (await sql(`SELECT seq, tags FROM public_change WHERE seq > ${seq} ORDER BY seq`)) as Array<{
    seq: number;
    tags: string;
  }>;
  return rows.map((row) => ({ seq: Number(row.seq), tags: row.tags.split(' ').sort() }));
}

async function last(): Promise<number> {
  const [row] = (await sql('SELECT last FROM public_change_sequence WHERE id = 1')) as Array<{ last: number }>;
  return Number(row?.last);
}

const lists = ['QualificationList', 'UnitList'];

test('each inserted, updated and deleted row of a public table adds one numbered change naming its tags', async () => {
  const start = await last();
  await sql(`INSERT INTO institution (code, names, country, city) VALUES ('sql.example', '[]', 'LV', 'Riga')`);
  await sql(
    `INSERT INTO qualification (id, titles, descriptions, eqfLevel, iscedCode, ecvetPoints, status, sortKey, searchText, createdAt, updatedAt)
     VALUES ('Q1', '[]', '[]', 4, '0715', 120, 'ACTIVE', 'q1', 'q1', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  await sql(
    `INSERT INTO unit (id, qualificationId, titles, eqfLevel, ecvetPoints, assessmentCriteria, validFrom, status, sortKey, searchText, version, createdAt, updatedAt)
     VALUES ('U1', 'Q1', '[]', 4, 10, '[]', '2026-01-01', 'ACTIVE', 'u1', 'u1', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  await sql(
    `INSERT INTO learning_outcome (id, unitId, position, category, statements) VALUES ('U1-LO1', 'U1', 1, 'SKILLS', '[]')`,
  );
  await sql(
    `INSERT INTO learning_outcome_skill (outcomeId, skillUri, unitId, position) VALUES ('U1-LO1', 'esco:s1', 'U1', 0)`,
  );
  await sql(`UPDATE unit SET titles = '[{"lang":"en","value":"Renamed"}]' WHERE id = 'U1'`);
  await sql(`DELETE FROM learning_outcome_skill WHERE outcomeId = 'U1-LO1'`);
  await sql(`DELETE FROM learning_outcome WHERE id = 'U1-LO1'`);
  expect(await changesAfter(start)).toEqual(
    [
      ['Institution', ...lists],
      ['Institution', 'Qualification:Q1', ...lists],
      ['Qualification:Q1', 'Unit:U1', ...lists],
      ['LearningOutcome:U1-LO1', 'Unit:U1', ...lists],
      ['LearningOutcome:U1-LO1', 'Unit:U1', ...lists],
      ['Qualification:Q1', 'Unit:U1', ...lists],
      ['LearningOutcome:U1-LO1', 'Unit:U1', ...lists],
      ['LearningOutcome:U1-LO1', 'Unit:U1', ...lists],
    ].map((tags, index) => ({ seq: start + index + 1, tags: tags.sort() })),
  );
  expect(await last()).toBe(start + 8);
});

test('a row moved to another ID or qualification names the old and the new, even when only the letter case differs', async () => {
  await sql(
    `INSERT INTO qualification (id, titles, descriptions, eqfLevel, iscedCode, ecvetPoints, status, sortKey, searchText, createdAt, updatedAt)
     VALUES ('Q2', '[]', '[]', 4, '0715', 120, 'ACTIVE', 'q2', 'q2', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  const start = await last();
  await sql(`UPDATE unit SET qualificationId = 'Q2' WHERE id = 'U1'`);
  await sql(`UPDATE unit SET id = 'u1' WHERE id = 'U1'`);
  expect((await changesAfter(start)).map((change) => change.tags)).toEqual([
    ['Qualification:Q1', 'Qualification:Q2', 'Unit:U1', ...lists].sort(),
    ['Qualification:Q2', 'Unit:U1', 'Unit:u1', ...lists].sort(),
  ]);
});

test('a write that rolls back leaves no change behind', async () => {
  const start = await last();
  await db.dataSource
    .transaction(async (manager) => {
      await manager.query(`UPDATE unit SET titles = '[]' WHERE id = 'u1'`);
      throw new Error('abandoned');
    })
    .catch(() => undefined);
  expect(await changesAfter(start)).toEqual([]);
  expect(await last()).toBe(start);
});
