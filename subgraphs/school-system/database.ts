import Sqlite from 'better-sqlite3';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';

export type Dialect = 'sqlite' | 'mysql';
export type Row = Record<string, unknown>;
/** A column's value as text: drivers give strings, numbers or bigints; anything else (null) is empty. */
export function textOf(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'bigint'
      ? String(value)
      : '';
}

export type Runner = (sql: string, params?: readonly unknown[]) => Promise<void>;

/**
 * The little SQL this shard needs, on SQLite (better-sqlite3) or MySQL/MariaDB (mysql2): the school's own
 * database is read with plain statements through the views of `mapping/views.ts`, never through an ORM.
 */
export interface SchoolDatabase {
  dialect: Dialect;
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Runs `work` in one transaction, its statements through `run` (the example data: a half-seeded school never shows). */
  transaction(work: (run: Runner) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

function openSqlite(file: string): SchoolDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const run: Runner = (sql, params = []) => {
    db.prepare(sql).run(...params);
    return Promise.resolve();
  };
  return {
    dialect: 'sqlite',
    all: (sql, params = []) => Promise.resolve(db.prepare(sql).all(...params) as Row[]),
    run,
    transaction: async (work) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        await work(run);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

async function openMysql(url: string): Promise<SchoolDatabase> {
  const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`DATABASE_URL names no usable database: "${database}"`);
  const server = new URL(parsed.toString());
  server.pathname = '/';
  const setup = await createConnection({ uri: server.toString() });
  try {
    await setup.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await setup.end();
  }
  // Dates as text and DECIMAL as numbers: the views already speak the contract's formats.
  const pool: Pool = createPool({ uri: parsed.toString(), connectionLimit: 8, dateStrings: true, timezone: 'Z' });
  return {
    dialect: 'mysql',
    all: async (sql, params = []) => {
      const [rows] = await pool.query(sql, params as unknown[]);
      return rows as Row[];
    },
    run: async (sql, params = []) => {
      await pool.query(sql, params as unknown[]);
    },
    transaction: async (work) => {
      // The example data is written by one process at start: one connection, one transaction.
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        await work(async (sql, params = []) => {
          await connection.query(sql, params as unknown[]);
        });
        await connection.commit();
      } catch (error) {
        await connection.rollback();
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

export async function openSchoolDatabase(url: string): Promise<SchoolDatabase> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (/^(mysql|mariadb):\/\//.test(url)) return openMysql(url);
  throw new Error('DATABASE_URL must be sqlite:<file> or mysql://user:password@host:3306/database');
}
