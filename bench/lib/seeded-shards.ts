import { openQualificationsDatabase } from '../../subgraphs/qualifications';
import type { BenchContext } from './context';
import {
  benchInstitution,
  benchRegistryInstitution,
  bulkSeed,
  loadTemplates,
  scaledData,
  type ScaledData,
} from './data';
import { startShards, writeRegistry, type Service } from './processes';

export interface SeededShards {
  /** What each shard was seeded with, in the order of the database URLs. */
  seeded: ScaledData[];
  shards: Service[];
  /** The hub's registry of them. */
  registryPath: string;
}

/**
 * Bench institutions 1, 2, … on the given databases (SQLite or MariaDB URLs, one per institution), each seeded with
 * `units` units of the demo's kind, their qualifications shards started, and a registry of them written as `name`.
 */
export async function startSeededShards(
  context: BenchContext,
  name: string,
  databaseUrls: readonly string[],
  units: number,
): Promise<SeededShards> {
  const templates = loadTemplates();
  const seeded: ScaledData[] = [];
  for (const [i, url] of databaseUrls.entries()) {
    const data = scaledData(templates, i + 1, units);
    const db = await openQualificationsDatabase(url);
    try {
      await bulkSeed(db, data);
    } finally {
      await db.close();
    }
    seeded.push(data);
  }
  const shards = await startShards(
    context.cleanup,
    databaseUrls.map((databaseUrl, i) => ({ institution: benchInstitution(templates, i + 1).code, databaseUrl })),
    context.hopKeys.publicKeys,
  );
  const registryPath = writeRegistry(
    context.tmp,
    name,
    shards.map((shard, i) => benchRegistryInstitution(templates, i + 1, shard.url)),
  );
  return { seeded, shards, registryPath };
}
