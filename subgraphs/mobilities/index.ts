import { startKindShard, type KindDefinition, type KindShard, type ShardOptions } from '../shared/kind';
import { createMobilitiesContext, type MobilitiesContext } from './context';
import { mobilitiesEntities, mobilitiesMigrations } from './entities';
import { buildMobilitiesSchema, MOBILITIES_KIND } from './schema';

/** Memoranda an institution proposed, and the agreements, assessments and transcripts of learners it sends. */
export const mobilitiesKind: KindDefinition<MobilitiesContext> = {
  kind: MOBILITIES_KIND,
  entities: mobilitiesEntities,
  migrations: mobilitiesMigrations,
  buildSchema: buildMobilitiesSchema,
  createContext: createMobilitiesContext,
};

export type MobilitiesShard = KindShard;

export function startMobilitiesShard(options: ShardOptions): Promise<MobilitiesShard> {
  return startKindShard(mobilitiesKind, options);
}

export { MOBILITIES_KIND } from './schema';
