import type { Database } from '../shared/database';
import type { KindContext, ShardRequestContext } from '../shared/context';
import { createLoaders, type QualificationsLoaders } from './loaders';

export interface QualificationsContext extends KindContext<QualificationsLoaders> {
  /** The folder of ESCO CSV files learning outcome reviews suggest concepts from (as `npm run esco:import` reads); null: the subset under third_party/esco/. */
  escoFolder: string | null;
}

export function createQualificationsContext(
  db: Database,
  request: ShardRequestContext,
  escoFolder: string | null = null,
): QualificationsContext {
  return { ...request, db, loaders: createLoaders(db), escoFolder };
}
