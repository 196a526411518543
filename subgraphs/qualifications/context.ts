import type { Database } from '../shared/database';
import type { KindContext, ShardRequestContext } from '../shared/context';
import { createLoaders, type QualificationsLoaders } from './loaders';

export type QualificationsContext = KindContext<QualificationsLoaders>;

export function createQualificationsContext(db: Database, request: ShardRequestContext): QualificationsContext {
  return { ...request, db, loaders: createLoaders(db) };
}
