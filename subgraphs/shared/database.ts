import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { FEED_STATEMENT_COMMENT } from './changes/changes';
import {
  beginSqliteTransactionsImmediately,
  serializeSqliteTransactions,
  SQLITE_BUSY_TIMEOUT_MS,
} from './sqlite-transactions';
import { DataSource, type DataSourceOptions, type Logger } from 'typeorm';

/**
 * A shard's own database: SQLite files for the embedded demo and newcomers, MySQL 8 / MariaDB in production.
 * The schema comes only from migrations; `synchronize` is never used.
 */
export interface DatabaseOptions {
  /** `sqlite:<file>` (or `sqlite::memory:`) or `mysql://user:password@host:port/database`. */
  url: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  /** TypeORM subscribers: hooks on loads and commits (entity-cache tags, idempotency claims). */
  subscribers?: DataSourceOptions['subscribers'];
}

/**
 * Counts the SQL statements a data source issues for requests; tests and the benchmark read it to prove
 * batching. Background statements marked with a comment (the change feed's polls) are not counted.
 */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(query: string): void {
    if (!query.startsWith(`/* ${FEED_STATEMENT_COMMENT} */`)) this.count += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface Database {
  dataSource: DataSource;
  statements: StatementCounter;
  driver: 'sqlite' | 'mysql';
  close(): Promise<void>;
}

function sqlitePath(url: string): string {
  return url.slice('sqlite:'.length);
}

/**
 * MySQL needs the shard's database to exist before TypeORM connects; create it on first start. Returns
 * whether the server is MariaDB, whose catalogue TypeORM reads differently.
 */
async function ensureMysqlDatabase(url: string): Promise<boolean> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`DATABASE_URL names database "${name}": use letters, digits and underscores only`);
  }
  parsed.pathname = '/';
  const connection = await createConnection({ uri: parsed.toString() });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    const [rows] = await connection.query('SELECT VERSION() AS version');
    return /mariadb/i.test(String((rows as Array<{ version: string }>)[0]?.version));
  } finally {
    await connection.end();
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const statements = new StatementCounter();
  const common = {
    entities: options.entities,
    migrations: options.migrations,
    subscribers: options.subscribers ?? [],
    logger: statements,
    logging: ['query' as const],
  };
  let dataSource: DataSource;
  let driver: Database['driver'];
  if (options.url.startsWith('sqlite:')) {
    const file = sqlitePath(options.url);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: file,
      enableWAL: file !== ':memory:',
      timeout: SQLITE_BUSY_TIMEOUT_MS,
      ...common,
    });
    driver = 'sqlite';
  } else if (options.url.startsWith('mysql://') || options.url.startsWith('mariadb://')) {
    const url = options.url.replace(/^mariadb:/, 'mysql:');
    const mariadb = await ensureMysqlDatabase(url);
    dataSource = new DataSource({
      type: mariadb ? 'mariadb' : 'mysql',
      url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: 10,
      ...common,
    });
    driver = 'mysql';
  } else {
    throw new Error(`DATABASE_URL "${options.url}" is neither sqlite:<file> nor mysql://…`);
  }
  await dataSource.initialize();
  if (driver === 'sqlite') {
    // Writes (and idempotency claims) are atomic only if transactions do not interleave on SQLite's one connection,
    // and succeed beside another program writing the file only if they take the write lock as they begin.
    serializeSqliteTransactions(dataSource);
    beginSqliteTransactionsImmediately(dataSource);
  }
  const migrate = () => dataSource.runMigrations({ transaction: 'each' });
  await (driver === 'mysql' ? oneMigratorAtATime(dataSource, migrate) : migrate());
  return {
    dataSource,
    statements,
    driver,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

/**
 * Replicas of a shard starting together would run the same migration twice, and MySQL's DDL (tables, triggers) is
 * not transactional: a named lock per database lets one process migrate while the others wait, then find nothing
 * left to run. (SQLite's one writer already serialises them.)
 */
async function oneMigratorAtATime<T>(dataSource: DataSource, migrate: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    const rows = (await runner.query(
      "SELECT GET_LOCK(CONCAT('hub-migrations:', DATABASE()), 120) AS locked",
    )) as Array<{
      locked: number | string | null;
    }>;
    if (Number(rows[0]?.locked) !== 1) throw new Error('another process has been migrating this database for 120 s');
    return await migrate();
  } finally {
    await runner.query("SELECT RELEASE_LOCK(CONCAT('hub-migrations:', DATABASE()))").catch(() => undefined);
    await runner.release();
  }
}
