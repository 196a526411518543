import type { CorrespondenceCoverage, RecognitionTargetSource } from '../../../schema/mobility/correspondence';

/**
 * A line of a memorandum's correspondence table, kept in the memorandum's `correspondences` JSON column: it is
 * part of the signed text, read and written with the memorandum, never on its own.
 */
export interface StoredCorrespondence {
  hostUnitIds: string[];
  homeUnitIds: string[];
  homeOutcomeIds: string[];
  coverage: CorrespondenceCoverage;
  comparisonScore: number | null;
}

/** What an agreed unit will be recognised as, kept in the agreement version's content with the unit. */
export interface StoredRecognitionTarget {
  homeUnitIds: string[];
  homeOutcomeIds: string[];
  coverage: CorrespondenceCoverage;
  source: RecognitionTargetSource;
}
