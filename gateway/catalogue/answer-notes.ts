import type { ApolloServerPlugin } from '@apollo/server';
import type { HubContext } from '../context';
import type { WordSuggestion } from './similar-words';

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

/** A search that found nothing because some of its words are in no item, and the words most like them. */
export interface TextSuggestion {
  /** The list field's place in the answer (its alias when it has one). */
  path: string[];
  /** Each word of the text that no item of the list holds, with the list's words most like it, best first. */
  words: WordSuggestion[];
  /** The text again with each such word replaced by the one most like it, when every such word has one. */
  text?: string;
}

/**
 * What a catalogue answer says beside its data, in `extensions.catalogue`:
 * - `stale`: the institutions whose stale data it used, and how far behind they may be. `X-Hub-Catalogue` says the
 *   same of the whole answer: `current`, `bounded` (only institutions without a change feed are named: behind by at
 *   most their refresh) or `stale`.
 * - `suggestions`: for a text search that found nothing because a word is in no item (a typo, most often), the
 *   words most like it. The search itself matches exactly, as the shards do: what it finds never depends on them.
 */
export function createAnswerNotes() {
  const notes = new WeakMap<HubContext, { stale: Map<string, StaleInstitution>; suggestions: TextSuggestion[] }>();
  const notesOf = (context: HubContext) => {
    let found = notes.get(context);
    if (!found) notes.set(context, (found = { stale: new Map(), suggestions: [] }));
    return found;
  };
  const plugin: ApolloServerPlugin<HubContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const found = notes.get(contextValue);
          if (!found) return;
          const stale = [...found.stale.values()];
          const state =
            stale.length === 0 ? 'current' : stale.every((entry) => entry.reason === 'NO_FEED') ? 'bounded' : 'stale';
          response.http.headers.set('x-hub-catalogue', state);
          if (response.body.kind !== 'single') return;
          const catalogue = {
            ...(stale.length > 0 ? { stale } : {}),
            ...(found.suggestions.length > 0 ? { suggestions: found.suggestions } : {}),
          };
          if (Object.keys(catalogue).length === 0) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, catalogue };
        },
      };
    },
  };
  return {
    plugin,
    /** Notes for the answer of `context`, which it carries only once committed. */
    staged(context: HubContext): CatalogueNotes {
      const stale: StaleInstitution[] = [];
      const suggestions: TextSuggestion[] = [];
      return {
        stale: (entries) => stale.push(...entries),
        suggest: (suggestion) => suggestions.push(suggestion),
        commit: () => {
          const found = notesOf(context);
          for (const entry of stale) found.stale.set(entry.institution, entry);
          found.suggestions.push(...suggestions);
        },
      };
    },
  };
}

/**
 * What one catalogue answer will say, gathered list by list. It is committed to the answer only once every list of it
 * was found: an answer the catalogue gives up halfway (its engine failed a later list) is the shards', and says
 * nothing of the catalogue.
 */
export interface CatalogueNotes {
  /** The answer used these institutions' parts (named when stale). */
  stale(entries: readonly StaleInstitution[]): void;
  suggest(suggestion: TextSuggestion): void;
  commit(): void;
}
