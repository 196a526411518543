import 'reflect-metadata';
import { resolve } from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../subgraphs/shared/database';
import { readEnvironment } from '../platform/config';
import { SHARD_VARIABLE_PURPOSES, shardEnvironment } from '../subgraphs/shared/config';
import { formatEscoReport, importEsco } from '../subgraphs/recognition/comparability/esco.import';
import { recognitionEntities, recognitionMigrations } from '../subgraphs/recognition/entities';

/**
 * `npm run esco:import -- <folder of ESCO CSV files>`: loads ESCO labels, types and broader relations into
 * the recognition shard database named by DATABASE_URL (migrating it first, as a shard does on start), so
 * that `compareUnits` and `Unit.equivalents` show labels and use the hierarchy. Running it again changes nothing.
 */
async function main(): Promise<void> {
  const env = readEnvironment(
    z.object({ DATABASE_URL: shardEnvironment.shape.DATABASE_URL }),
    process.env,
    SHARD_VARIABLE_PURPOSES,
  );
  const folder = process.argv[2];
  if (!folder) {
    console.error(
      'usage: npm run esco:import -- <folder of ESCO CSV files>   (DATABASE_URL names the recognition shard database)',
    );
    process.exit(2);
  }
  const db = await openDatabase({
    url: env.DATABASE_URL,
    entities: recognitionEntities,
    migrations: recognitionMigrations,
  });
  try {
    const path = resolve(folder);
    console.log(formatEscoReport(path, await importEsco(db, path)));
  } finally {
    await db.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
