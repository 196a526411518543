import { openDatabase, type Database } from '../shared/database';
import { createHubClient } from '../shared/hub-client';
import { startShard, type RunningShard } from '../shared/shard';
import { createMobilitiesContext } from './context';
import { mobilitiesEntities, mobilitiesMigrations } from './entities';
import { buildMobilitiesSchema, MOBILITIES_KIND } from './schema';

export interface MobilitiesShardOptions {
  institution: string;
  databaseUrl: string;
  hopSecret: string | null;
  /** The hub's GraphQL URL: the shard checks agreements against memoranda and units there. */
  hubUrl: string | null;
  port?: number;
  host?: string;
}

export interface MobilitiesShard extends RunningShard {
  db: Database;
}

export async function openMobilitiesDatabase(url: string): Promise<Database> {
  return openDatabase({ url, entities: mobilitiesEntities, migrations: mobilitiesMigrations });
}

/** One institution's mobilities shard: memoranda it proposed, agreements it sends learners under. */
export async function startMobilitiesShard(options: MobilitiesShardOptions): Promise<MobilitiesShard> {
  const db = await openMobilitiesDatabase(options.databaseUrl);
  const hub =
    options.hubUrl && options.hopSecret
      ? createHubClient({ url: options.hubUrl, institution: options.institution, kind: MOBILITIES_KIND, secret: options.hopSecret })
      : null;
  try {
    const shard = await startShard({
      kind: MOBILITIES_KIND,
      institution: options.institution,
      schema: await buildMobilitiesSchema(),
      db,
      createContext: (request) => createMobilitiesContext(db, hub, request),
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

export { MOBILITIES_KIND } from './schema';
