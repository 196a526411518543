import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase, type Database } from './database';
import { readInTurn } from './sqlite-transactions';

/**
 * A SQLite shard's transactions beside another program writing the same file (WAL mode): a write transaction holds
 * the write lock from its start, so what it read stays current until it writes; a read in turn leaves the lock free.
 */
let dir: string;
let db: Database;
let other: BetterSqlite3.Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-transactions-'));
  const file = join(dir, 'shard.sqlite');
  db = await openDatabase({ url: `sqlite:${file}`, entities: [], migrations: [] });
  await db.dataSource.query('CREATE TABLE unit (id TEXT PRIMARY KEY, title TEXT NOT NULL)');
  await db.dataSource.query("INSERT INTO unit (id, title) VALUES ('WELD-U1', 'Welding')");
  // No busy timeout: the other program fails at once where it would wait on the shard's lock.
  other = new BetterSqlite3(file, { timeout: 0 });
});
afterAll(async () => {
  other?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Renames the unit from the other program's connection: 'renamed', or the code of the error it failed with. */
function renameElsewhere(title: string): string {
  try {
    other.prepare("UPDATE unit SET title = ? WHERE id = 'WELD-U1'").run(title);
    return 'renamed';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}
const title = async () =>
  (await db.dataSource.query<Array<{ title: string }>>("SELECT title FROM unit WHERE id = 'WELD-U1'"))[0]?.title;

test('a transaction that reads, then writes, holds the write lock from its start: another program waits for it', async () => {
  await db.dataSource.transaction(async (manager) => {
    await manager.query("SELECT title FROM unit WHERE id = 'WELD-U1'");
    expect(renameElsewhere('Renamed elsewhere')).toBe('SQLITE_BUSY');
    await manager.query("UPDATE unit SET title = 'Welding, renamed by the shard' WHERE id = 'WELD-U1'");
  });
  expect(await title()).toBe('Welding, renamed by the shard');
});

test('a read in turn takes no write lock: another program writes meanwhile', async () => {
  const before = await title();
  const seen = await readInTurn(db.dataSource, async (manager) => {
    const [row] = await manager.query<Array<{ title: string }>>("SELECT title FROM unit WHERE id = 'WELD-U1'");
    expect(renameElsewhere('Renamed during a read')).toBe('renamed');
    return row?.title;
  });
  expect(seen).toBe(before);
  expect(await title()).toBe('Renamed during a read');
});
