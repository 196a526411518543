import type { QueryRunner } from 'typeorm';

/**
 * What a change to one row of a public table names on the change feed: fixed tags ("UnitList"), and tags made
 * of a prefix and one of the row's columns ("Unit:" and `id`). The columns must not be null.
 */
export interface ChangeTriggerTable {
  table: string;
  fixed: readonly string[];
  columns: ReadonlyArray<{ prefix: string; column: string }>;
}

type Dialect = 'sqlite' | 'mysql';
type Event = 'INSERT' | 'UPDATE' | 'DELETE';
const EVENTS: readonly Event[] = ['INSERT', 'UPDATE', 'DELETE'];

function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.options.type;
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(`change-feed triggers are written for SQLite (better-sqlite3) and MySQL/MariaDB, not ${type}`);
}

const triggerName = (table: string, event: Event) => `public_change_${table}_${event.toLowerCase()}`;

function quote(dialect: Dialect, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The SQL text of the space-separated tags a row change names. */
function tagsExpression(dialect: Dialect, spec: ChangeTriggerTable, event: Event): string {
  const column = (row: 'NEW' | 'OLD', name: string) => `${row}.${quote(dialect, name)}`;
  const parts: string[] = [literal(spec.fixed.join(' '))];
  const row = event === 'DELETE' ? 'OLD' : 'NEW';
  for (const { prefix, column: name } of spec.columns) {
    parts.push(literal(` ${prefix}`), column(row, name));
    if (event !== 'UPDATE') continue;
    // A row moved to another ID or owner changes what the old one named too; compared byte for byte, as
    // MySQL's collations would take 'a' and 'A' for one ID.
    const same =
      dialect === 'mysql'
        ? `BINARY ${column('OLD', name)} = BINARY ${column('NEW', name)}`
        : `${column('OLD', name)} = ${column('NEW', name)}`;
    const old =
      dialect === 'mysql'
        ? `CONCAT(${literal(` ${prefix}`)}, ${column('OLD', name)})`
        : `${literal(` ${prefix}`)} || ${column('OLD', name)}`;
    parts.push(`CASE WHEN ${same} THEN '' ELSE ${old} END`);
  }
  return dialect === 'mysql' ? `CONCAT(${parts.join(', ')})` : parts.join(' || ');
}

/**
 * One row trigger: takes the feed's next number from `public_change_sequence` (its row lock, held to commit,
 * keeps numbers in commit order on MySQL; SQLite has one writer) and adds the change row, in the writer's
 * own transaction, whoever the writer is.
 */
function createTriggerSql(dialect: Dialect, spec: ChangeTriggerTable, event: Event): string {
  const now = dialect === 'mysql' ? 'UTC_TIMESTAMP(3)' : "strftime('%Y-%m-%d %H:%M:%f', 'now')";
  const sequence = quote(dialect, 'public_change_sequence');
  return [
    `CREATE TRIGGER ${quote(dialect, triggerName(spec.table, event))} AFTER ${event} ON ${quote(dialect, spec.table)} FOR EACH ROW BEGIN`,
    `  UPDATE ${sequence} SET ${quote(dialect, 'last')} = ${quote(dialect, 'last')} + 1 WHERE id = 1;`,
    `  INSERT INTO ${quote(dialect, 'public_change')} (seq, tags, ${quote(dialect, 'occurredAt')})`,
    `    SELECT ${quote(dialect, 'last')}, ${tagsExpression(dialect, spec, event)}, ${now} FROM ${sequence} WHERE id = 1;`,
    'END',
  ].join('\n');
}

/** Installs the triggers that record every insert, update and delete of these tables on the change feed. */
export async function createChangeTriggers(
  queryRunner: QueryRunner,
  tables: readonly ChangeTriggerTable[],
): Promise<void> {
  const dialect = dialectOf(queryRunner);
  for (const spec of tables) {
    for (const event of EVENTS) await queryRunner.query(createTriggerSql(dialect, spec, event));
  }
}

export async function dropChangeTriggers(
  queryRunner: QueryRunner,
  tables: readonly ChangeTriggerTable[],
): Promise<void> {
  const dialect = dialectOf(queryRunner);
  for (const spec of tables) {
    for (const event of EVENTS)
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${quote(dialect, triggerName(spec.table, event))}`);
  }
}
