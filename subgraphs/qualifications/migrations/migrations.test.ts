import { testDatabases } from '../../../test/harness/databases';
import { openQualificationsDatabase } from '..';

/** The migrations build exactly the schema the entities describe, on SQLite and on MySQL/MariaDB. */
test('after the migrations, the entities need no schema change', async () => {
  const databases = testDatabases();
  const db = await openQualificationsDatabase(databases.url('migrations'));
  try {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    expect(await db.dataSource.showMigrations()).toBe(false);
  } finally {
    await db.close();
    await databases.dispose();
  }
});
