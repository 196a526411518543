import type { Shard } from '../registry/registry';
import { scopeOf } from './feed';

/** Most change numbers remembered per shard between a write's answer and the feed bringing the change. */
export const APPLIED_MEMORY = 1_000;

/**
 * Changes this gateway dropped as their writes answered, by shard: when the feed brings them again later, they
 * need not be dropped twice.
 */
export function createAppliedWrites() {
  const byShard = new Map<string, Set<number>>();
  return {
    /** Notes the change numbers a write answered with, but only those past what the feed has delivered (`delivered`). */
    remember(shard: Shard, seqs: unknown, delivered: number | null): void {
      if (!Array.isArray(seqs)) return;
      const scope = scopeOf(shard);
      const applied = byShard.get(scope) ?? new Set<number>();
      // Changes the feed brought already (it often beats the write's own answer) will not come again.
      const after = delivered ?? Number.POSITIVE_INFINITY;
      for (const seq of seqs) if (typeof seq === 'number' && seq > after) applied.add(seq);
      // Oldest first out: a change the feed never brought back (the feed was lost meanwhile) must not pile up.
      for (const seq of applied) {
        if (applied.size <= APPLIED_MEMORY) break;
        applied.delete(seq);
      }
      byShard.set(scope, applied);
    },
    /** Whether the feed's change `seq` was applied by a write already (and forgets it). */
    take(shard: Shard, seq: number): boolean {
      return byShard.get(scopeOf(shard))?.delete(seq) ?? false;
    },
    /** Forgets a shard's writes: its entries were dropped wholesale (a restore may reuse numbers). */
    forget(shard: Shard): void {
      byShard.delete(scopeOf(shard));
    },
  };
}
