import type { Dialect, Runner } from '../database';

/**
 * The example school's own database, as its student information system ("Registro percorsi") keeps it: Italian
 * names, two title columns per record, outcome types as Italian words, a 0/1 flag for what is still offered.
 * Nothing here knows the hub; `mapping/views.ts` maps it to the contract. A real school has these tables
 * already: only the example creates them.
 */
export function schoolTables(dialect: Dialect): string[] {
  const now =
    dialect === 'mysql'
      ? 'DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'
      : "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))";
  const table = (name: string, body: string) =>
    `CREATE TABLE IF NOT EXISTS ${name} (${body})${dialect === 'mysql' ? ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' : ''}`;
  return [
    table(
      'scuola',
      `codice_meccanografico VARCHAR(16) NOT NULL PRIMARY KEY, denominazione VARCHAR(300) NOT NULL,
       denominazione_en VARCHAR(300), comune VARCHAR(120) NOT NULL, paese CHAR(2) NOT NULL, sito_web VARCHAR(300)`,
    ),
    table(
      'percorsi',
      `cod_percorso VARCHAR(64) NOT NULL PRIMARY KEY, titolo VARCHAR(400) NOT NULL, titolo_en VARCHAR(400),
       descrizione VARCHAR(4000), descrizione_en VARCHAR(4000), livello_eqf INTEGER NOT NULL, livello_nqf INTEGER,
       codice_isced CHAR(4) NOT NULL, crediti DECIMAL(5,2) NOT NULL, uri_esco_occupazione VARCHAR(200),
       attivo INTEGER NOT NULL DEFAULT 1, aggiornato_il ${now}`,
    ),
    table(
      'moduli',
      `cod_modulo VARCHAR(64) NOT NULL PRIMARY KEY, cod_percorso VARCHAR(64) NOT NULL, titolo VARCHAR(400) NOT NULL,
       titolo_en VARCHAR(400), livello_eqf INTEGER NOT NULL, crediti DECIMAL(5,2) NOT NULL, valido_dal DATE NOT NULL,
       valido_al DATE, attivo INTEGER NOT NULL DEFAULT 1, aggiornato_il ${now},
       FOREIGN KEY (cod_percorso) REFERENCES percorsi (cod_percorso)`,
    ),
    table(
      'risultati_apprendimento',
      `cod_modulo VARCHAR(64) NOT NULL, progressivo INTEGER NOT NULL, tipo VARCHAR(16) NOT NULL,
       enunciato VARCHAR(4000) NOT NULL, enunciato_en VARCHAR(4000), PRIMARY KEY (cod_modulo, progressivo),
       FOREIGN KEY (cod_modulo) REFERENCES moduli (cod_modulo)`,
    ),
    table(
      'risultati_esco',
      `cod_modulo VARCHAR(64) NOT NULL, progressivo INTEGER NOT NULL, uri_abilita VARCHAR(200) NOT NULL,
       PRIMARY KEY (cod_modulo, progressivo, uri_abilita)`,
    ),
    table(
      'criteri_valutazione',
      `cod_modulo VARCHAR(64) NOT NULL, progressivo INTEGER NOT NULL, criterio VARCHAR(4000) NOT NULL,
       criterio_en VARCHAR(4000), PRIMARY KEY (cod_modulo, progressivo)`,
    ),
  ];
}

/** SQLite has no ON UPDATE for a column: the school's system stamps its records by trigger instead. */
function stampTriggers(dialect: Dialect): string[] {
  if (dialect === 'mysql') return [];
  return [
    ['percorsi', 'cod_percorso'],
    ['moduli', 'cod_modulo'],
  ].map(
    ([table, key]) =>
      `CREATE TRIGGER IF NOT EXISTS ${table}_aggiornato AFTER UPDATE ON ${table} FOR EACH ROW WHEN NEW.aggiornato_il = OLD.aggiornato_il BEGIN
         UPDATE ${table} SET aggiornato_il = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE ${key} = NEW.${key};
       END`,
  );
}

/** Creates the example school's tables where they are missing. */
export async function createSchoolTables(dialect: Dialect, run: Runner): Promise<void> {
  for (const sql of [...schoolTables(dialect), ...stampTriggers(dialect)]) await run(sql);
}
