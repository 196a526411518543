import BetterSqlite3 from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/** Another program (an institution's own system, an administrator) writing a shard's database in plain SQL. */
export interface OtherProgram {
  run(sql: string, params: Array<string | number>): Promise<void>;
  close(): Promise<void>;
}

/** A connection of its own to the shard's database, as another program would open it. */
export async function openOtherProgram(databaseUrl: string): Promise<OtherProgram> {
  if (databaseUrl.startsWith('sqlite:')) {
    const connection = new BetterSqlite3(databaseUrl.slice('sqlite:'.length));
    connection.pragma('busy_timeout = 5000');
    return {
      run: async (sql, params) => {
        connection.prepare(sql).run(...params);
      },
      close: async () => {
        connection.close();
      },
    };
  }
  const connection = await createConnection({ uri: databaseUrl });
  return {
    run: async (sql, params) => {
      await connection.execute(sql, params);
    },
    close: () => connection.end(),
  };
}
