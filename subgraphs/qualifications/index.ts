import { openDatabase, type Database } from '../shared/database';
import { startKindShard, type KindDefinition, type KindShard, type ShardOptions } from '../shared/kind';
import { ChangeCommits } from '../shared/changes/changes';
import { QualificationsReadTags } from './cache-tags';
import { createQualificationsContext, type QualificationsContext } from './context';
import { qualificationsEntities, qualificationsMigrations } from './entities';
import { buildQualificationsSchema, QUALIFICATIONS_KIND } from './schema';
import { seedQualifications, type QualificationsSeed } from './seed';

/** An institution's qualifications, units of learning outcomes and learning outcomes: public data. */
export const qualificationsKind: KindDefinition<QualificationsContext> = {
  kind: QUALIFICATIONS_KIND,
  entities: qualificationsEntities,
  migrations: qualificationsMigrations,
  subscribers: [QualificationsReadTags, ChangeCommits],
  publicCache: true,
  buildSchema: buildQualificationsSchema,
  createContext: (db, _hub, request) => createQualificationsContext(db, request),
};

/** The kind with the shard's own settings in its request context. */
const withSettings = (options: QualificationsShardOptions): KindDefinition<QualificationsContext> => ({
  ...qualificationsKind,
  createContext: (db, _hub, request) => createQualificationsContext(db, request, options.escoFolder ?? null),
});

export interface QualificationsShardOptions extends ShardOptions {
  /** Loaded into an empty shard before it starts answering. */
  seed?: QualificationsSeed | null;
  /** The ESCO CSV files learning outcome reviews read; default: the subset under third_party/esco/. */
  escoFolder?: string | null;
}

export type QualificationsShard = KindShard;

export async function openQualificationsDatabase(url: string): Promise<Database> {
  return openDatabase({
    url,
    entities: qualificationsEntities,
    migrations: qualificationsMigrations,
    subscribers: [QualificationsReadTags, ChangeCommits],
  });
}

export function startQualificationsShard(options: QualificationsShardOptions): Promise<QualificationsShard> {
  const seed = options.seed;
  return startKindShard(
    withSettings(options),
    options,
    seed ? (db) => seedQualifications(db, seed).then(() => undefined) : undefined,
  );
}

export { QUALIFICATIONS_KIND } from './schema';
export { readSeed, seedQualifications, type QualificationsSeed } from './seed';
