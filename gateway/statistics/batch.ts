import type { BaseCell } from './merge';

/** One shard's answer to the fan-out: its base cells as JSON (StatisticsBaseBatch in the shards' schema). */
export interface BaseBatch {
  institution: string;
  count: number;
  cells: string;
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextOrNull = (value: unknown) => value === null || value === undefined || typeof value === 'string';
const isCount = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/**
 * A shard's batch read back into base cells: a shard is run by its institution, so a batch that is not what the
 * schema describes costs that institution's cells (named missing), never the answer.
 */
export function readBatch(batch: BaseBatch): BaseCell[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(batch.cells);
  } catch {
    throw new Error(`${batch.institution}: its statistics base cells are not JSON`);
  }
  if (!Array.isArray(parsed) || parsed.length !== batch.count)
    throw new Error(`${batch.institution}: its statistics base cells are not a list of ${batch.count}`);
  return parsed.map((entry: unknown, index) => {
    const cell = (entry ?? {}) as Record<string, unknown>;
    const days = cell.days;
    if (
      !isText(cell.measure) ||
      !isText(cell.month) ||
      !isCount(cell.value) ||
      !(cell.learners === null || isCount(cell.learners)) ||
      !isTextOrNull(cell.partnerInstitution) ||
      !isTextOrNull(cell.unit) ||
      !(days === null || days === undefined || (Array.isArray(days) && days.every(isCount)))
    )
      throw new Error(`${batch.institution}: statistics base cell ${index} is not a base cell`);
    return {
      measure: cell.measure,
      institution: batch.institution,
      partnerInstitution: cell.partnerInstitution ?? null,
      unit: cell.unit ?? null,
      days: (days as number[] | null | undefined) ?? null,
      month: cell.month,
      value: cell.value as number,
      learners: cell.learners as number | null,
    };
  });
}
