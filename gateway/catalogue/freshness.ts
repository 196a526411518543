import type { ApolloServerPlugin } from '@apollo/server';
import type { HubContext } from '../context';

/** An institution whose part of the catalogue may be behind its shard, as an answer names it. */
export interface StaleInstitution {
  institution: string;
  /** Since when its data may be behind (its feed was lost, or a read of it failed); null: never read yet. */
  since: string | null;
  /** How old its data may be, in seconds, at the time of the answer; null: never read. */
  ageSeconds: number | null;
}

/**
 * Collects, per request, the institutions whose stale data an answer used, and names them in the answer's
 * `extensions.catalogue.stale`: a client sees which part of a list may be behind and by how much. An answer a list
 * of which came from the catalogue says so in `X-Hub-Catalogue` (`current` or `stale`).
 */
export function createFreshnessNotes() {
  const notes = new WeakMap<HubContext, Map<string, StaleInstitution>>();
  const plugin: ApolloServerPlugin<HubContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const stale = notes.get(contextValue);
          if (!stale) return;
          response.http.headers.set('x-hub-catalogue', stale.size === 0 ? 'current' : 'stale');
          if (stale.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, catalogue: { stale: [...stale.values()] } };
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
