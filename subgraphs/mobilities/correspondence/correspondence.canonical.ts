import type { StoredCorrespondence } from './correspondence.entity';

/**
 * The correspondence table as it is hashed for signing: every line with its IDs sorted, in the order proposed. The
 * comparison score is evidence the proposer's shard computed, not something the partners write, so it is left out.
 */
export function canonicalCorrespondences(lines: readonly StoredCorrespondence[]): unknown[] {
  return lines.map((line) => [
    [...line.hostUnitIds].sort(),
    [...line.homeUnitIds].sort(),
    [...line.homeOutcomeIds].sort(),
    line.coverage,
  ]);
}
