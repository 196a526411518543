import type { ShardRequestContext } from '../shared/context';
import type { Database } from '../shared/database';
import type { HubClient } from '../shared/hub-client';

export interface RecognitionContext extends ShardRequestContext {
  db: Database;
  /** Reads transcripts, agreements and qualifications through the hub; null without HUB_URL. */
  hub: HubClient | null;
}

export function createRecognitionContext(db: Database, hub: HubClient | null, request: ShardRequestContext): RecognitionContext {
  return { ...request, db, hub };
}
