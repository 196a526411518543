import type { Database } from '../shared/database';
import type { ShardRequestContext } from '../shared/context';
import { createLoaders, type QualificationsLoaders } from './loaders';

export interface QualificationsContext extends ShardRequestContext {
  db: Database;
  loaders: QualificationsLoaders;
}

export function createQualificationsContext(db: Database, request: ShardRequestContext): QualificationsContext {
  return { ...request, db, loaders: createLoaders(db) };
}
