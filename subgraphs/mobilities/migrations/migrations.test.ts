import { pendingSchemaChanges } from '../../../test/harness/databases';
import { mobilitiesEntities, mobilitiesMigrations } from '../entities';

/** The migrations build exactly the schema the entities describe, on SQLite and on MySQL/MariaDB. */
test('after the migrations, the entities need no schema change', async () => {
  expect(
    await pendingSchemaChanges('mobilities_migrations', {
      entities: mobilitiesEntities,
      migrations: mobilitiesMigrations,
    }),
  ).toEqual([]);
});
