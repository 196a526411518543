import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import type { Database } from '../../shared/database';
import { parseCsvObjects } from '../../shared/csv';
import { EscoBroaderRecord, EscoConceptRecord } from './esco.entity';
import { groups } from './groups';

/**
 * Loads ESCO labels, types and broader relations from the CSV files of the ESCO distribution into a
 * recognition shard's database. Files are recognised by their columns, not their names, so the full
 * distribution (`skills_en.csv`, `broaderRelationsSkillPillar_en.csv`) works as well as the collections:
 * - concepts: `conceptUri` and `preferredLabel` (skills, skill groups, occupations), with `skillType`,
 *   `reuseLevel`, `code` and `broaderConceptUri` (several URIs separated by " | ") where present;
 * - broader relations: `conceptUri` and `broaderUri`.
 * It is an upsert: a second run with the same files changes nothing, and a concept's broader relations are
 * replaced by those the files give for it (relations of concepts the files say nothing about stay).
 */

/** Concept types kept; others in the distribution (ISCO groups, concept schemes) play no part in comparisons. */
const KEPT_TYPES = new Set(['KnowledgeSkillCompetence', 'SkillGroup', 'Occupation']);
const ESCO_URI = /^http:\/\/data\.europa\.eu\/esco\/[A-Za-z0-9_./-]+$/;
/** Rows per INSERT: far below SQLite's and MySQL's placeholder limits. */
const CHUNK = 400;

export interface EscoFileReport {
  file: string;
  kind: 'concepts' | 'relations' | 'ignored';
  rows: number;
}

export interface EscoImportReport {
  files: EscoFileReport[];
  concepts: { read: number; added: number; changed: number; unchanged: number };
  relations: { read: number; added: number; removed: number; unchanged: number };
  /** Rows left out: other concept types, or not an ESCO URI. */
  skippedRows: number;
}

type ConceptRow = Pick<
  EscoConceptRecord,
  'uri' | 'conceptType' | 'preferredLabel' | 'skillType' | 'reuseLevel' | 'code'
>;

const orNull = (value: string | undefined): string | null => (value && value.trim() !== '' ? value.trim() : null);

class EscoReader {
  readonly concepts = new Map<string, ConceptRow>();
  /** Broader URIs per concept, for every concept some file states relations for (possibly none). */
  readonly broader = new Map<string, Set<string>>();
  skippedRows = 0;

  read(file: string, text: string): EscoFileReport {
    const { columns, rows } = parseCsvObjects(text);
    const has = (name: string) => columns.includes(name);
    if (has('conceptUri') && has('preferredLabel')) {
      for (const row of rows) this.concept(file, row, has('broaderConceptUri'));
      return { file, kind: 'concepts', rows: rows.length };
    }
    if (has('conceptUri') && has('broaderUri')) {
      for (const row of rows) {
        const uri = row.conceptUri?.trim() ?? '';
        const broader = row.broaderUri?.trim() ?? '';
        if (ESCO_URI.test(uri) && ESCO_URI.test(broader)) this.relationsOf(uri).add(broader);
        else this.skippedRows += 1;
      }
      return { file, kind: 'relations', rows: rows.length };
    }
    return { file, kind: 'ignored', rows: rows.length };
  }

  private relationsOf(uri: string): Set<string> {
    let set = this.broader.get(uri);
    if (!set) {
      set = new Set();
      this.broader.set(uri, set);
    }
    return set;
  }

  private concept(file: string, row: Record<string, string>, statesBroader: boolean): void {
    const uri = row.conceptUri?.trim() ?? '';
    // Skill collections of older releases have no conceptType column: a skillType says what they are.
    const conceptType = orNull(row.conceptType) ?? (orNull(row.skillType) ? 'KnowledgeSkillCompetence' : null);
    const label = orNull(row.preferredLabel);
    if (!ESCO_URI.test(uri) || !conceptType || !KEPT_TYPES.has(conceptType) || !label) {
      this.skippedRows += 1;
      return;
    }
    if (uri.length > 200 || label.length > 512)
      throw new Error(`${file}: ${uri} is longer than the ESCO tables allow (URI 200, label 512 characters)`);
    const read: ConceptRow = {
      uri,
      conceptType,
      preferredLabel: label,
      skillType: orNull(row.skillType),
      reuseLevel: orNull(row.reuseLevel),
      code: orNull(row.code),
    };
    const earlier = this.concepts.get(uri);
    // A skill may sit in several collections; what one file leaves empty another may give.
    this.concepts.set(
      uri,
      earlier
        ? {
            ...earlier,
            skillType: earlier.skillType ?? read.skillType,
            reuseLevel: earlier.reuseLevel ?? read.reuseLevel,
            code: earlier.code ?? read.code,
          }
        : read,
    );
    if (statesBroader) {
      const relations = this.relationsOf(uri);
      for (const broader of (row.broaderConceptUri ?? '').split('|').map((b) => b.trim())) {
        if (ESCO_URI.test(broader)) relations.add(broader);
      }
    }
  }
}

function csvFilesOf(folder: string): string[] {
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`ESCO folder ${folder} does not exist or is not a folder`);
  return readdirSync(folder)
    .filter((name) => name.toLowerCase().endsWith('.csv'))
    .sort();
}

const sameConcept = (a: ConceptRow, b: ConceptRow) =>
  a.conceptType === b.conceptType &&
  a.preferredLabel === b.preferredLabel &&
  a.skillType === b.skillType &&
  a.reuseLevel === b.reuseLevel &&
  a.code === b.code;

async function storeConcepts(
  manager: EntityManager,
  concepts: Map<string, ConceptRow>,
): Promise<EscoImportReport['concepts']> {
  const stored = new Map((await manager.find(EscoConceptRecord)).map((c) => [c.uri, c]));
  const added: ConceptRow[] = [];
  let changed = 0;
  for (const concept of concepts.values()) {
    const before = stored.get(concept.uri);
    if (!before) added.push(concept);
    else if (!sameConcept(before, concept)) {
      const { uri, ...fields } = concept;
      await manager.update(EscoConceptRecord, { uri }, fields);
      changed += 1;
    }
  }
  for (const chunk of groups(added, CHUNK)) await manager.insert(EscoConceptRecord, chunk);
  return { read: concepts.size, added: added.length, changed, unchanged: concepts.size - added.length - changed };
}

async function storeRelations(
  manager: EntityManager,
  broader: Map<string, Set<string>>,
): Promise<EscoImportReport['relations']> {
  const stored = new Map<string, Set<string>>();
  for (const row of await manager.find(EscoBroaderRecord)) {
    const set = stored.get(row.conceptUri) ?? new Set<string>();
    set.add(row.broaderUri);
    stored.set(row.conceptUri, set);
  }
  const added: EscoBroaderRecord[] = [];
  let removed = 0;
  let read = 0;
  for (const [conceptUri, uris] of broader) {
    read += uris.size;
    const before = stored.get(conceptUri) ?? new Set<string>();
    for (const broaderUri of uris) if (!before.has(broaderUri)) added.push({ conceptUri, broaderUri });
    for (const broaderUri of before) {
      if (uris.has(broaderUri)) continue;
      await manager.delete(EscoBroaderRecord, { conceptUri, broaderUri });
      removed += 1;
    }
  }
  for (const chunk of groups(added, CHUNK)) await manager.insert(EscoBroaderRecord, chunk);
  return { read, added: added.length, removed, unchanged: read - added.length };
}

/** Imports every ESCO CSV file of `folder` in one transaction: all of it, or nothing on error. */
export async function importEsco(db: Database, folder: string): Promise<EscoImportReport> {
  const reader = new EscoReader();
  const files = csvFilesOf(folder).map((name) => reader.read(name, readFileSync(join(folder, name), 'utf8')));
  if (!files.some((f) => f.kind === 'concepts')) {
    throw new Error(
      `${folder} holds no ESCO concept CSV file (skills, skillGroups_en.csv, occupations_en.csv with conceptUri and preferredLabel columns)`,
    );
  }
  return db.dataSource.transaction(async (manager) => ({
    files,
    concepts: await storeConcepts(manager, reader.concepts),
    relations: await storeRelations(manager, reader.broader),
    skippedRows: reader.skippedRows,
  }));
}

/** The report as the command prints it. */
export function formatEscoReport(folder: string, report: EscoImportReport): string {
  const width = Math.max(...report.files.map((f) => f.file.length));
  return [
    `ESCO import from ${folder}`,
    ...report.files.map(
      (f) =>
        `  ${f.file.padEnd(width)}  ${String(f.rows).padStart(6)} rows  ${f.kind === 'ignored' ? '(ignored: not a concept or broader-relation table)' : f.kind}`,
    ),
    `concepts:          ${report.concepts.read} read, ${report.concepts.added} added, ${report.concepts.changed} changed, ${report.concepts.unchanged} unchanged`,
    `broader relations: ${report.relations.read} read, ${report.relations.added} added, ${report.relations.removed} removed, ${report.relations.unchanged} unchanged`,
    ...(report.skippedRows > 0 ? [`rows skipped (other concept types or not ESCO URIs): ${report.skippedRows}`] : []),
  ].join('\n');
}
