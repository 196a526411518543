import { startKindShard, type KindDefinition, type KindShard, type ShardOptions } from '../shared/kind';
import { createRecognitionContext, type RecognitionContext } from './context';
import { recognitionEntities, recognitionMigrations } from './entities';
import { buildRecognitionSchema, RECOGNITION_KIND } from './schema';

/** Validations, recognition decisions, credits and certificates of the learners an institution sends. */
export const recognitionKind: KindDefinition<RecognitionContext> = {
  kind: RECOGNITION_KIND,
  entities: recognitionEntities,
  migrations: recognitionMigrations,
  buildSchema: buildRecognitionSchema,
  createContext: createRecognitionContext,
};

export type RecognitionShard = KindShard;

export function startRecognitionShard(options: ShardOptions): Promise<RecognitionShard> {
  return startKindShard(recognitionKind, options);
}

export { RECOGNITION_KIND } from './schema';
