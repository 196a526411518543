import { randomBytes } from 'node:crypto';
import type { Dialect, SchoolDatabase } from '../database';
import { mappingViews } from './views';

/**
 * What a change to a row of one of the school's own tables names on the change feed (CONTRACT.md, change-tags):
 * fixed tags, and tags made of a prefix and an SQL expression over the row (`r.` stands for NEW or OLD).
 */
interface TriggerTable {
  table: string;
  fixed: readonly string[];
  columns: ReadonlyArray<{ prefix: string; expression: (dialect: Dialect, row: string) => string }>;
}

const column = (name: string) => (_dialect: Dialect, row: string) => `${row}.${name}`;
const outcome = (dialect: Dialect, row: string) =>
  dialect === 'mysql'
    ? `CONCAT(${row}.cod_modulo, '-LO', ${row}.progressivo)`
    : `${row}.cod_modulo || '-LO' || ${row}.progressivo`;
const LISTS = ['UnitList', 'QualificationList'];

const TABLES: readonly TriggerTable[] = [
  { table: 'scuola', fixed: ['Institution', ...LISTS], columns: [] },
  {
    table: 'percorsi',
    fixed: ['Institution', ...LISTS],
    columns: [{ prefix: 'Qualification:', expression: column('cod_percorso') }],
  },
  {
    table: 'moduli',
    fixed: LISTS,
    columns: [
      { prefix: 'Unit:', expression: column('cod_modulo') },
      { prefix: 'Qualification:', expression: column('cod_percorso') },
    ],
  },
  {
    table: 'risultati_apprendimento',
    fixed: LISTS,
    columns: [
      { prefix: 'Unit:', expression: column('cod_modulo') },
      { prefix: 'LearningOutcome:', expression: outcome },
    ],
  },
  {
    table: 'risultati_esco',
    fixed: LISTS,
    columns: [
      { prefix: 'Unit:', expression: column('cod_modulo') },
      { prefix: 'LearningOutcome:', expression: outcome },
    ],
  },
  { table: 'criteri_valutazione', fixed: LISTS, columns: [{ prefix: 'Unit:', expression: column('cod_modulo') }] },
];

type Event = 'INSERT' | 'UPDATE' | 'DELETE';

function tagsSql(dialect: Dialect, spec: TriggerTable, event: Event): string {
  const parts: string[] = [`'${spec.fixed.join(' ')}'`];
  const row = event === 'DELETE' ? 'OLD' : 'NEW';
  for (const { prefix, expression } of spec.columns) {
    parts.push(`' ${prefix}'`, expression(dialect, row));
    if (event !== 'UPDATE') continue;
    // A row moved to another ID or parent changes what the old one named too.
    const [oldValue, newValue] = [expression(dialect, 'OLD'), expression(dialect, 'NEW')];
    const same = dialect === 'mysql' ? `BINARY ${oldValue} = BINARY ${newValue}` : `${oldValue} = ${newValue}`;
    const old = dialect === 'mysql' ? `CONCAT(' ${prefix}', ${oldValue})` : `' ${prefix}' || ${oldValue}`;
    parts.push(`CASE WHEN ${same} THEN '' ELSE ${old} END`);
  }
  return dialect === 'mysql' ? `CONCAT(${parts.join(', ')})` : parts.join(' || ');
}

const triggerName = (table: string, event: Event) => `hub_change_${table}_${event.toLowerCase()}`;

/**
 * Installs the mapping in the school's database: the feed's two tables (kept), the views and the triggers
 * (replaced at every start, so a changed mapping takes effect). The triggers number each change from the
 * counter row, whose lock every writer takes until it commits: numbers follow commit order on MySQL/MariaDB.
 */
export async function installMapping(db: SchoolDatabase): Promise<void> {
  const dialect = db.dialect;
  const suffix = dialect === 'mysql' ? ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' : '';
  await db.run(
    `CREATE TABLE IF NOT EXISTS hub_change_counter (id INTEGER NOT NULL PRIMARY KEY, last_seq BIGINT NOT NULL, feed_id VARCHAR(40) NOT NULL)${suffix}`,
  );
  await db.run(
    `CREATE TABLE IF NOT EXISTS hub_change (seq BIGINT NOT NULL PRIMARY KEY, tags VARCHAR(2000) NOT NULL, occurred_at VARCHAR(30) NOT NULL)${suffix}`,
  );
  if ((await db.all('SELECT id FROM hub_change_counter WHERE id = 1')).length === 0)
    await db.run('INSERT INTO hub_change_counter (id, last_seq, feed_id) VALUES (1, 0, ?)', [
      randomBytes(12).toString('hex'),
    ]);
  for (const view of mappingViews(dialect)) {
    await db.run(`DROP VIEW IF EXISTS ${view.name}`);
    await db.run(`CREATE VIEW ${view.name} AS ${view.sql}`);
  }
  const now =
    dialect === 'mysql'
      ? "DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%fZ')"
      : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  for (const spec of TABLES) {
    for (const event of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      await db.run(`DROP TRIGGER IF EXISTS ${triggerName(spec.table, event)}`);
      await db.run(
        [
          `CREATE TRIGGER ${triggerName(spec.table, event)} AFTER ${event} ON ${spec.table} FOR EACH ROW BEGIN`,
          '  UPDATE hub_change_counter SET last_seq = last_seq + 1 WHERE id = 1;',
          `  INSERT INTO hub_change (seq, tags, occurred_at) SELECT last_seq, ${tagsSql(dialect, spec, event)}, ${now} FROM hub_change_counter WHERE id = 1;`,
          'END',
        ].join('\n'),
      );
    }
  }
}
