import type { ShardRequestContext } from '../shared/context';
import type { Database } from '../shared/database';
import type { HubClient } from '../shared/hub-client';
import type { ShardServices } from '../shared/kind';
import type { OutboxSignal } from '../shared/outbox/outbox';

export interface RecognitionContext extends ShardRequestContext {
  db: Database;
  /** Reads transcripts, agreements and qualifications through the hub; null without HUB_URL. */
  hub: HubClient | null;
  /** Wakes event subscribers after a commit. */
  outbox: OutboxSignal;
}

export function createRecognitionContext(db: Database, services: ShardServices, request: ShardRequestContext): RecognitionContext {
  return { ...request, db, hub: services.hub, outbox: services.outbox };
}
