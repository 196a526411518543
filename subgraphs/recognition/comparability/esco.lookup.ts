import { In } from 'typeorm';
import type { Database } from '../../shared/database';
import { EscoBroaderRecord, EscoConceptRecord } from './esco.entity';
import { groups } from './groups';
import type { BroaderOf } from './score';

/** What the shard's ESCO tables say about the skills of a comparison: labels, types, one step up the hierarchy. */
export interface EscoIndex {
  /** False until `npm run esco:import` loaded ESCO into this shard's database. */
  imported: boolean;
  concept(uri: string): EscoConceptRecord | undefined;
  broaderOf: BroaderOf;
}

/** URIs per `IN (…)` list: well below SQLite's and MySQL's placeholder limits. */
const PER_QUERY = 400;

async function conceptsOf(db: Database, uris: readonly string[]): Promise<EscoConceptRecord[]> {
  const found = await Promise.all(
    groups(uris, PER_QUERY).map((group) => db.dataSource.manager.findBy(EscoConceptRecord, { uri: In(group) })),
  );
  return found.flat();
}

export async function loadEscoIndex(db: Database, skillUris: Iterable<string>): Promise<EscoIndex> {
  const uris = [...new Set(skillUris)];
  const manager = db.dataSource.manager;
  const [concepts, relations] = await Promise.all([
    conceptsOf(db, uris),
    Promise.all(
      groups(uris, PER_QUERY).map((group) => manager.findBy(EscoBroaderRecord, { conceptUri: In(group) })),
    ).then((rows) => rows.flat()),
  ]);
  const broader = new Map<string, string[]>();
  for (const relation of relations)
    broader.set(relation.conceptUri, [...(broader.get(relation.conceptUri) ?? []), relation.broaderUri]);
  const byUri = new Map(concepts.map((c) => [c.uri, c]));
  // Labels of the broader concepts too, for the `via` of sibling skills.
  const parents = [...new Set(relations.map((r) => r.broaderUri))].filter((uri) => !byUri.has(uri));
  for (const concept of await conceptsOf(db, parents)) byUri.set(concept.uri, concept);
  const imported = byUri.size > 0 || (await manager.exists(EscoConceptRecord, { take: 1 }));
  return {
    imported,
    concept: (uri) => byUri.get(uri),
    broaderOf: (uri) => broader.get(uri) ?? [],
  };
}
