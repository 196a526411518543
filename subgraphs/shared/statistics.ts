import { StatisticsBaseBatch, type StatisticsBaseCell } from '../../schema/statistics';
import { checkMonth } from '../../schema/statistics-period';

/** A row of a shard's GROUP BY: drivers return counts as numbers or strings (MySQL's DECIMAL sums), so both. */
export interface CountRow {
  measure: string;
  partner: string | null;
  /** The unit counted (AGREED_UNITS); absent for every other measure. */
  unit?: string | null;
  /** DAYS_TO_RECOGNITION: each decision's days from the mobility's end, so medians merge exactly at the hub. */
  days?: number[] | null;
  month: string;
  value: number | string;
  learners: number | string | null;
}

/** Base cells of one shard from its grouped rows, keeping the months within `from`–`to` (YYYY-MM, inclusive). */
export function baseCells(
  institution: string,
  rows: readonly CountRow[],
  period: { from?: string | null; to?: string | null },
): StatisticsBaseCell[] {
  const from = checkMonth(period.from, 'from');
  const to = checkMonth(period.to, 'to');
  return rows
    .filter((row) => (from === null || row.month >= from) && (to === null || row.month <= to))
    .map((row) => ({
      measure: row.measure,
      institution,
      partnerInstitution: row.partner,
      unit: row.unit ?? null,
      days: row.days ?? null,
      month: row.month,
      value: Number(row.value),
      learners: row.learners === null ? null : Number(row.learners),
    }));
}

/**
 * A shard's base cells as the one batch it answers the hub with: the institution once, the cells as JSON columns
 * (one array per field), which the hub parses and checks in about half the time of one object per cell.
 */
export function baseBatch(institution: string, cells: readonly StatisticsBaseCell[]): StatisticsBaseBatch {
  const columns = {
    measure: cells.map((cell) => cell.measure),
    partnerInstitution: cells.map((cell) => cell.partnerInstitution),
    unit: cells.map((cell) => cell.unit),
    days: cells.map((cell) => cell.days),
    month: cells.map((cell) => cell.month),
    value: cells.map((cell) => cell.value),
    learners: cells.map((cell) => cell.learners),
  };
  return Object.assign(new StatisticsBaseBatch(), { institution, count: cells.length, cells: JSON.stringify(columns) });
}
