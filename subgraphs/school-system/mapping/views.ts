import type { Dialect } from '../database';

/**
 * The mapping: SQL views that show the school's own tables (school/tables.ts) in the contract's terms — IDs,
 * categories, statuses, one row per text and language. The shard reads only these views; a school with another
 * layout rewrites this file and nothing else. The school's own language is Italian.
 */
export function mappingViews(dialect: Dialect): Array<{ name: string; sql: string }> {
  const concat = (...parts: string[]) => (dialect === 'mysql' ? `CONCAT(${parts.join(', ')})` : parts.join(' || '));
  const outcomeId = (row = '') => concat(`${row}cod_modulo`, "'-LO'", `${row}progressivo`);
  const criterionId = concat('cod_modulo', "'-C'", 'progressivo');
  const text = (entity: string, id: string, field: string, table: string, it: string, en: string) =>
    [
      `SELECT '${entity}' AS entity, ${id} AS local_id, '${field}' AS field, 'it' AS lang, ${it} AS value FROM ${table} WHERE ${it} IS NOT NULL`,
      `SELECT '${entity}', ${id}, '${field}', 'en', ${en} FROM ${table} WHERE ${en} IS NOT NULL`,
    ].join('\nUNION ALL\n');
  const status = "CASE WHEN attivo = 1 THEN 'ACTIVE' ELSE 'RETIRED' END";
  return [
    {
      name: 'hub_institution',
      sql: 'SELECT comune AS city, paese AS country, sito_web AS website FROM scuola',
    },
    {
      name: 'hub_qualification',
      sql: `SELECT cod_percorso AS local_id, livello_eqf AS eqf_level, livello_nqf AS nqf_level, codice_isced AS isced_code,
              crediti AS ecvet_points, uri_esco_occupazione AS esco_occupation, ${status} AS status, aggiornato_il AS updated_at
            FROM percorsi`,
    },
    {
      name: 'hub_unit',
      sql: `SELECT cod_modulo AS local_id, cod_percorso AS qualification_local_id, livello_eqf AS eqf_level,
              crediti AS ecvet_points, valido_dal AS valid_from, valido_al AS valid_until, ${status} AS status,
              aggiornato_il AS updated_at
            FROM moduli`,
    },
    {
      name: 'hub_learning_outcome',
      sql: `SELECT ${outcomeId()} AS local_id, cod_modulo AS unit_local_id, progressivo AS position,
              CASE tipo WHEN 'conoscenza' THEN 'KNOWLEDGE' WHEN 'abilita' THEN 'SKILLS' ELSE 'COMPETENCE' END AS category
            FROM risultati_apprendimento`,
    },
    {
      name: 'hub_outcome_skill',
      sql: `SELECT ${outcomeId()} AS outcome_local_id, cod_modulo AS unit_local_id, uri_abilita AS skill FROM risultati_esco`,
    },
    {
      name: 'hub_criterion',
      sql: `SELECT ${criterionId} AS local_id, cod_modulo AS unit_local_id, progressivo AS position FROM criteri_valutazione`,
    },
    {
      name: 'hub_text',
      sql: [
        text('Institution', "''", 'name', 'scuola', 'denominazione', 'denominazione_en'),
        text('Qualification', 'cod_percorso', 'title', 'percorsi', 'titolo', 'titolo_en'),
        text('Qualification', 'cod_percorso', 'description', 'percorsi', 'descrizione', 'descrizione_en'),
        text('Unit', 'cod_modulo', 'title', 'moduli', 'titolo', 'titolo_en'),
        text('LearningOutcome', outcomeId(), 'statement', 'risultati_apprendimento', 'enunciato', 'enunciato_en'),
        text('Criterion', criterionId, 'text', 'criteri_valutazione', 'criterio', 'criterio_en'),
      ].join('\nUNION ALL\n'),
    },
  ];
}
