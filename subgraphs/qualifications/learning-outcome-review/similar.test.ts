import { testDatabases, type TestDatabases } from '../../../test/harness/databases';
import { openDatabase, type Database } from '../../shared/database';
import { qualificationsEntities, qualificationsMigrations } from '../entities';
import { similarOutcomeReads, similarOutcomes } from './similar';

/**
 * The similar-outcomes index is kept between requests and read again exactly when the change feed names a unit
 * or outcome change, whoever wrote it (SQLite, or MySQL/MariaDB with TEST_MYSQL_URL). The writes here are plain
 * SQL, as another program would make them.
 */
let databases: TestDatabases;
let db: Database;
beforeAll(async () => {
  databases = testDatabases();
  db = await openDatabase({
    url: databases.url('qualifications_similar'),
    entities: qualificationsEntities,
    migrations: qualificationsMigrations,
  });
  await sql(`INSERT INTO institution (code, names, country, city) VALUES ('sql.example', '[]', 'LV', 'Riga')`);
  await sql(
    `INSERT INTO qualification (id, titles, descriptions, eqfLevel, iscedCode, ecvetPoints, status, sortKey, searchText, createdAt, updatedAt)
     VALUES ('Q1', '[]', '[]', 4, '0715', 120, 'ACTIVE', 'q1', 'q1', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  await sql(
    `INSERT INTO unit (id, qualificationId, titles, eqfLevel, ecvetPoints, assessmentCriteria, validFrom, status, sortKey, searchText, version, createdAt, updatedAt)
     VALUES ('U1', 'Q1', '[]', 4, 10, '[]', '2026-01-01', 'ACTIVE', 'u1', 'u1', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  await addOutcome('U1-LO1', 'The learner is able to weld fillet joints on steel plates.');
  await addOutcome('U1-LO2', 'The learner is able to measure and record food temperatures.');
});
afterAll(async () => {
  await db?.close();
  await databases?.dispose();
});

const sql = (query: string, parameters: unknown[] = []) => db.dataSource.query(query, parameters);

function addOutcome(id: string, statement: string) {
  return sql('INSERT INTO learning_outcome (id, unitId, position, category, statements) VALUES (?, ?, ?, ?, ?)', [
    id,
    'U1',
    Number(id.slice(-1)),
    'SKILLS',
    JSON.stringify([{ lang: 'en', value: statement }]),
  ]);
}

const similar = async (statement: string) =>
  (await similarOutcomes(db, 'sql.example', statement, 'en', 5)).map((hit) => [hit.outcomeId, hit.statement]);

test('the index is kept while nothing changes, and other public changes do not drop it', async () => {
  expect(await similar('weld fillet joints')).toEqual([
    ['sql.example:U1-LO1', 'The learner is able to weld fillet joints on steel plates.'],
  ]);
  const reads = similarOutcomeReads(db);
  expect(await similar('record food temperatures')).toEqual([
    ['sql.example:U1-LO2', 'The learner is able to measure and record food temperatures.'],
  ]);
  expect(await similar('weld steel plates')).toHaveLength(1);
  // A grading scale is public (it is on the feed) but holds no outcome.
  await sql(`INSERT INTO grading_scale (id, titles, grades, passGrade) VALUES ('GS1', '[]', '[]', '1')`);
  expect(await similar('weld')).toHaveLength(1);
  expect(similarOutcomeReads(db)).toBe(reads);
});

test('an outcome inserted, changed or deleted in plain SQL is in the next answer', async () => {
  const reads = similarOutcomeReads(db);
  await addOutcome('U1-LO3', 'The learner is able to braze copper pipes.');
  expect(await similar('braze copper pipes')).toEqual([
    ['sql.example:U1-LO3', 'The learner is able to braze copper pipes.'],
  ]);
  expect(similarOutcomeReads(db)).toBe(reads + 1);

  await sql('UPDATE learning_outcome SET statements = ? WHERE id = ?', [
    JSON.stringify([{ lang: 'en', value: 'The learner is able to solder copper pipes.' }]),
    'U1-LO3',
  ]);
  expect(await similar('braze')).toEqual([]);
  expect(await similar('solder')).toEqual([['sql.example:U1-LO3', 'The learner is able to solder copper pipes.']]);

  await sql('DELETE FROM learning_outcome WHERE id = ?', ['U1-LO3']);
  expect(await similar('solder')).toEqual([]);
  expect(similarOutcomeReads(db)).toBe(reads + 3);
});

test("a unit deleted with its outcomes (a cascade, which fires no trigger on MySQL) drops the unit's outcomes", async () => {
  await sql('DELETE FROM unit WHERE id = ?', ['U1']);
  expect(await similar('weld fillet joints')).toEqual([]);
});

test('requests arriving together after a change read the outcomes once', async () => {
  await sql(
    `INSERT INTO unit (id, qualificationId, titles, eqfLevel, ecvetPoints, assessmentCriteria, validFrom, status, sortKey, searchText, version, createdAt, updatedAt)
     VALUES ('U1', 'Q1', '[]', 4, 10, '[]', '2026-01-01', 'ACTIVE', 'u1', 'u1', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')`,
  );
  await addOutcome('U1-LO1', 'The learner is able to weld fillet joints on steel plates.');
  const reads = similarOutcomeReads(db);
  const answers = await Promise.all(Array.from({ length: 5 }, () => similar('weld fillet joints')));
  expect(answers.every((answer) => answer.length === 1)).toBe(true);
  expect(similarOutcomeReads(db)).toBe(reads + 1);
});
