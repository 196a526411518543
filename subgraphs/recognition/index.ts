import { openDatabase, type Database } from '../shared/database';
import { createHubClient } from '../shared/hub-client';
import { startShard, type RunningShard } from '../shared/shard';
import { createRecognitionContext } from './context';
import { recognitionEntities, recognitionMigrations } from './entities';
import { buildRecognitionSchema, RECOGNITION_KIND } from './schema';

export interface RecognitionShardOptions {
  institution: string;
  databaseUrl: string;
  hopSecret: string | null;
  /** The hub's GraphQL URL: the shard reads transcripts and qualifications there. */
  hubUrl: string | null;
  port?: number;
  host?: string;
}

export interface RecognitionShard extends RunningShard {
  db: Database;
}

export async function openRecognitionDatabase(url: string): Promise<Database> {
  return openDatabase({ url, entities: recognitionEntities, migrations: recognitionMigrations });
}

/** One institution's recognition shard: validations, recognition decisions, credits and certificates of its learners. */
export async function startRecognitionShard(options: RecognitionShardOptions): Promise<RecognitionShard> {
  const db = await openRecognitionDatabase(options.databaseUrl);
  const hub =
    options.hubUrl && options.hopSecret
      ? createHubClient({ url: options.hubUrl, institution: options.institution, kind: RECOGNITION_KIND, secret: options.hopSecret })
      : null;
  try {
    const shard = await startShard({
      kind: RECOGNITION_KIND,
      institution: options.institution,
      schema: await buildRecognitionSchema(),
      db,
      createContext: (request) => createRecognitionContext(db, hub, request),
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

export { RECOGNITION_KIND } from './schema';
