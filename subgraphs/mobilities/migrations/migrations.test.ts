import { openDatabase } from '../../shared/database';
import { testDatabases } from '../../../test/harness/databases';
import { mobilitiesEntities, mobilitiesMigrations } from '../entities';

/** The migrations build exactly the schema the entities describe, on SQLite and on MySQL/MariaDB. */
test('after the migrations, the entities need no schema change', async () => {
  const databases = testDatabases();
  const db = await openDatabase({ url: databases.url('mobility_migrations'), entities: mobilitiesEntities, migrations: mobilitiesMigrations });
  try {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  } finally {
    await db.close();
    await databases.dispose();
  }
});
