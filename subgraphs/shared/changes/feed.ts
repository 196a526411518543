import type { JWTVerifyGetKey } from 'jose';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Database } from '../database';
import type { Route } from '../../../platform/http';
import { moduleLogger } from '../../../platform/logger';
import { createOutboxSignal, OUTBOX_POLL_MS } from '../outbox/outbox';
import { cacheHintsPlugin, changeFeedRoute, pruneChanges } from './changes';

/** How long a shard keeps its change feed (CHANGE_RETENTION_HOURS; a week by default). */
export const CHANGE_RETENTION_MS = Number(process.env.CHANGE_RETENTION_HOURS ?? 168) * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface ChangeFeed {
  route: Route;
  plugin: ApolloServerPlugin<BaseContext>;
  close(): Promise<void>;
}

/**
 * A public-data shard's change feed: the `/changes` route, the plugin that hints the hub's cache, commit
 * wake-ups (through Redis, so every replica of the shard wakes its readers), and the hourly pruning.
 */
export function createChangeFeed(options: {
  kind: string;
  institution: string;
  db: Database;
  redisUrl: string | null;
  hopKeys: JWTVerifyGetKey | null;
}): ChangeFeed {
  const log = moduleLogger('changes', { kind: options.kind, institution: options.institution });
  const signal = createOutboxSignal({
    channel: `hub:changes:${options.kind}:${options.institution}`,
    redisUrl: options.redisUrl,
  });
  const prune = setInterval(() => {
    pruneChanges(options.db, CHANGE_RETENTION_MS).catch((error: unknown) =>
      log.warn({ error: (error as Error).message }, 'pruning the change feed failed'),
    );
  }, PRUNE_EVERY_MS);
  prune.unref();
  return {
    route: changeFeedRoute({ ...options, signal, pollMs: OUTBOX_POLL_MS }),
    plugin: cacheHintsPlugin(() => signal.notify()),
    close: async () => {
      clearInterval(prune);
      await signal.close();
    },
  };
}
