import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { openDatabase, type DatabaseOptions } from '../../subgraphs/shared/database';

/**
 * Where test shards keep their data: a fresh MySQL/MariaDB database each when TEST_MYSQL_URL is set
 * (as in CI), otherwise a fresh SQLite file. Never a mock.
 */
export const MYSQL_BASE_URL = process.env.TEST_MYSQL_URL?.replace(/\/$/, '') ?? null;

export interface TestDatabases {
  url(name: string): string;
  dispose(): Promise<void>;
}

export function testDatabases(): TestDatabases {
  const run = randomBytes(4).toString('hex');
  const created: string[] = [];
  const dir = MYSQL_BASE_URL ? null : mkdtempSync(join(tmpdir(), 'hub-test-'));
  return {
    url: (name) => {
      const safe = name.replace(/[^a-z0-9]/gi, '_');
      if (!MYSQL_BASE_URL) return `sqlite:${join(dir as string, `${safe}.sqlite`)}`;
      const database = `hubtest_${run}_${safe}`.slice(0, 64);
      created.push(database);
      return `${MYSQL_BASE_URL}/${database}`;
    },
    dispose: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (!MYSQL_BASE_URL || created.length === 0) return;
      const connection = await createConnection({ uri: `${MYSQL_BASE_URL}/` });
      try {
        for (const database of created) {
          try {
            await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
          } catch (error) {
            // MariaDB cannot remove a folder holding a file it does not know (a trigger file's backup it left
            // behind): the tests' results stand; say what is left for whoever cleans the server.
            if ((error as { errno?: number }).errno !== 1010) throw error;
            console.warn(`test database ${database} left behind: ${(error as Error).message}`);
          }
        }
      } finally {
        await connection.end();
      }
    },
  };
}

/** The SQL TypeORM would still run after a kind's migrations: empty when migrations and entities agree. */
export async function pendingSchemaChanges(name: string, options: Omit<DatabaseOptions, 'url'>): Promise<string[]> {
  const databases = testDatabases();
  const db = await openDatabase({ url: databases.url(name), ...options });
  try {
    return (await db.dataSource.driver.createSchemaBuilder().log()).upQueries.map((query) => query.query);
  } finally {
    await db.close();
    await databases.dispose();
  }
}
