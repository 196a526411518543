import type { ApolloServerPlugin } from '@apollo/server';
import type { HubContext } from '../context';

/**
 * Why an institution's part may be behind: never read yet; its feed was lost or a read of it failed (it is read
 * again once its shard answers); or its shard serves no change feed, so its part is read again every
 * `refreshSeconds`.
 */
export type StaleReason = 'NOT_READ' | 'BEHIND' | 'NO_FEED';

/** An institution whose part of the catalogue may be behind its shard, as an answer names it. */
export interface StaleInstitution {
  institution: string;
  reason: StaleReason;
  /** Since when its data may be behind (its feed was lost, a read failed, or its last read); null: never read. */
  since: string | null;
  /** How old its data may be, in seconds, at the time of the answer; null: never read. */
  ageSeconds: number | null;
  /** NO_FEED: how often its part is read again, in seconds (its data is at most that old, plus one read). */
  refreshSeconds?: number;
}

/**
 * Collects, per request, the institutions whose stale data an answer used, and names them in the answer's
 * `extensions.catalogue.stale`: a client sees which part of a list may be behind and by how much. An answer a list
 * of which came from the catalogue says so in `X-Hub-Catalogue`: `current`, `bounded` (only institutions without a
 * change feed are named: behind by at most their refresh) or `stale`.
 */
export function createFreshnessNotes() {
  const notes = new WeakMap<HubContext, Map<string, StaleInstitution>>();
  const plugin: ApolloServerPlugin<HubContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const stale = notes.get(contextValue);
          if (!stale) return;
          const entries = [...stale.values()];
          const state =
            entries.length === 0
              ? 'current'
              : entries.every((entry) => entry.reason === 'NO_FEED')
                ? 'bounded'
                : 'stale';
          response.http.headers.set('x-hub-catalogue', state);
          if (stale.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, catalogue: { stale: entries } };
        },
      };
    },
  };
  return {
    plugin,
    note(context: HubContext, stale: readonly StaleInstitution[]): void {
      const map = notes.get(context) ?? new Map<string, StaleInstitution>();
      for (const entry of stale) map.set(entry.institution, entry);
      notes.set(context, map);
    },
  };
}
