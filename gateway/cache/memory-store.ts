import { LRUCache } from 'lru-cache';
import type { CacheStore, CachedEntry } from './store';

interface Stored extends CachedEntry {
  institution: string;
  tags: readonly string[];
}

export interface MemoryStoreOptions {
  /** Byte budget per type (the JSON text's length counts); a type without one is not stored. */
  budgets: ReadonlyMap<string, number>;
  /** Told when the LRU pushes an entry out to make room. */
  onEvict?: (typeName: string) => void;
}

/**
 * One LRU per type, each with its byte budget, and indexes from (institution, tag) and from institution to
 * keys so that invalidation touches only what it drops.
 */
export function createMemoryStore(options: MemoryStoreOptions): CacheStore {
  const byTag = new Map<string, Set<string>>();
  const byInstitution = new Map<string, Set<string>>();
  const epochs = new Map<string, number>();
  const tagKey = (institution: string, tag: string) => `${institution}\u0000${tag}`;
  const entryKey = (institution: string, key: string) => `${institution}\u0000${key}`;

  const unindex = (key: string, stored: Stored) => {
    for (const tag of stored.tags) {
      const keys = byTag.get(tagKey(stored.institution, tag));
      keys?.delete(key);
      if (keys?.size === 0) byTag.delete(tagKey(stored.institution, tag));
    }
    byInstitution.get(stored.institution)?.delete(key);
  };

  const lrus = new Map<string, LRUCache<string, Stored>>();
  for (const [typeName, maxSize] of options.budgets) {
    lrus.set(
      typeName,
      new LRUCache<string, Stored>({
        maxSize,
        sizeCalculation: (stored) => Math.max(stored.value.length, 1),
        dispose: (stored, key, reason) => {
          unindex(key, stored);
          if (reason === 'evict') options.onEvict?.(typeName);
        },
      }),
    );
  }
  const drop = (keys: Iterable<string>): number => {
    let dropped = 0;
    for (const key of [...keys]) {
      for (const lru of lrus.values()) if (lru.delete(key)) dropped += 1;
    }
    return dropped;
  };

  return {
    read: async (institution, key) => {
      const epoch = epochs.get(institution) ?? 0;
      for (const lru of lrus.values()) {
        const stored = lru.get(entryKey(institution, key));
        if (stored) return { epoch, entry: { value: stored.value, typeName: stored.typeName } };
      }
      return { epoch, entry: undefined };
    },
    fill: async (institution, epoch, key, entry, tags) => {
      const lru = lrus.get(entry.typeName);
      if (!lru || (epochs.get(institution) ?? 0) !== epoch || entry.value.length > lru.maxSize) return false;
      const full = entryKey(institution, key);
      lru.set(full, { ...entry, institution, tags });
      for (const tag of tags) {
        const keys = byTag.get(tagKey(institution, tag)) ?? new Set<string>();
        keys.add(full);
        byTag.set(tagKey(institution, tag), keys);
      }
      const keys = byInstitution.get(institution) ?? new Set<string>();
      keys.add(full);
      byInstitution.set(institution, keys);
      return true;
    },
    invalidate: async (institution, tags) => {
      epochs.set(institution, (epochs.get(institution) ?? 0) + 1);
      const keys = new Set<string>();
      for (const tag of tags) for (const key of byTag.get(tagKey(institution, tag)) ?? []) keys.add(key);
      return drop(keys);
    },
    flush: async (institution) => {
      epochs.set(institution, (epochs.get(institution) ?? 0) + 1);
      return drop(byInstitution.get(institution) ?? []);
    },
    // One replica: nobody to share a cursor with.
    sharedCursor: async () => null,
    setSharedCursor: async () => undefined,
    close: async () => {
      for (const lru of lrus.values()) lru.clear();
    },
  };
}
