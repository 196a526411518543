import { testDatabases, type TestDatabases } from '../../../test/harness/databases';
import { openDatabase, type Database } from '../../shared/database';
import { qualificationsEntities, qualificationsMigrations } from '../entities';

/** A scale written in plain SQL, as another program would, names its institution and itself on the change feed. */
let databases: TestDatabases;
let db: Database;
beforeAll(async () => {
  databases = testDatabases();
  db = await openDatabase({
    url: databases.url('grading_scale_changes'),
    entities: qualificationsEntities,
    migrations: qualificationsMigrations,
  });
});
afterAll(async () => {
  await db?.close();
  await databases?.dispose();
});

test('inserting, updating and deleting a grading scale each record one change naming Institution and the scale', async () => {
  const sql = (query: string) => db.dataSource.query(query);
  await sql(
    `INSERT INTO grading_scale (id, titles, grades, passGrade) VALUES ('pf', '[{"lang":"en","value":"Pass/fail"}]', '[]', 'P')`,
  );
  await sql(`UPDATE grading_scale SET passGrade = 'S' WHERE id = 'pf'`);
  await sql(`DELETE FROM grading_scale WHERE id = 'pf'`);
  const rows = (await sql('SELECT tags FROM public_change ORDER BY seq')) as Array<{ tags: string }>;
  expect(rows.map((row) => row.tags.split(' ').sort())).toEqual([
    ['GradingScale:pf', 'Institution'],
    ['GradingScale:pf', 'Institution'],
    ['GradingScale:pf', 'Institution'],
  ]);
});
