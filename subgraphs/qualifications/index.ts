import { openDatabase, type Database } from '../shared/database';
import { startShard, type RunningShard } from '../shared/shard';
import { createQualificationsContext } from './context';
import { qualificationsEntities, qualificationsMigrations } from './entities';
import { buildQualificationsSchema, QUALIFICATIONS_KIND } from './schema';
import { seedQualifications, type QualificationsSeed } from './seed';

export interface QualificationsShardOptions {
  institution: string;
  /** `sqlite:<file>` or `mysql://…`; the schema is migrated on start. */
  databaseUrl: string;
  hopSecret: string | null;
  port?: number;
  host?: string;
  /** Loaded into an empty shard before it starts answering. */
  seed?: QualificationsSeed | null;
}

export interface QualificationsShard extends RunningShard {
  db: Database;
}

export async function openQualificationsDatabase(url: string): Promise<Database> {
  return openDatabase({ url, entities: qualificationsEntities, migrations: qualificationsMigrations });
}

/** One institution's qualifications shard: its database, migrated, behind its own GraphQL endpoint. */
export async function startQualificationsShard(options: QualificationsShardOptions): Promise<QualificationsShard> {
  const db = await openQualificationsDatabase(options.databaseUrl);
  try {
    if (options.seed) await seedQualifications(db, options.seed);
    const shard = await startShard({
      kind: QUALIFICATIONS_KIND,
      institution: options.institution,
      schema: await buildQualificationsSchema(),
      db,
      createContext: (request) => createQualificationsContext(db, request),
      hopSecret: options.hopSecret,
      port: options.port,
      host: options.host,
    });
    return {
      ...shard,
      db,
      close: async () => {
        await shard.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export { QUALIFICATIONS_KIND } from './schema';
export { readSeed, seedQualifications, type QualificationsSeed } from './seed';
