/**
 * The hub's half of `ecvetStatistics`: shards count their own data in base cells (one measure, institution,
 * partner institution and month); this merges them into the cells a client asked for, and suppresses.
 *
 * The suppression rule: a base cell about learners with fewer than `threshold` learners counts in no figure, in
 * any query. Every figure is a sum over whole base cells (filters and groups are unions of them: periods are whole
 * months, countries whole institutions), so a figure, and the difference of any two figures, is a sum of base cells
 * of at least `threshold` learners each, and no group of fewer learners can be derived from answers. A cell whose
 * base cells were all left out answers `null`, `suppressed: true`.
 */
export const SUPPRESSION_THRESHOLD = 5;

export const GROUP_DIMENSIONS = [
  'COUNTRY',
  'INSTITUTION',
  'PARTNER_COUNTRY',
  'PARTNER_INSTITUTION',
  'FIELD',
  'EQF_LEVEL',
  'MONTH',
] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** The measures in the order cells are listed; RECOGNITION_RATE is derived here from the decisions. */
export const MEASURES = [
  'MEMORANDA_DRAFT',
  'MEMORANDA_PARTIALLY_SIGNED',
  'MEMORANDA_IN_EFFECT',
  'MEMORANDA_EXPIRED',
  'MEMORANDA_TERMINATED',
  'AGREEMENTS_DRAFT',
  'AGREEMENTS_SIGNED',
  'AGREEMENTS_CANCELLED',
  'AGREED_UNITS',
  'UNITS_ACHIEVED',
  'UNITS_NOT_ACHIEVED',
  'TRANSCRIPTS_ISSUED',
  'DECISIONS_RECOGNISED',
  'DECISIONS_PARTIALLY_RECOGNISED',
  'DECISIONS_REFUSED',
  'ECVET_POINTS_RECOGNISED',
  'DAYS_TO_RECOGNITION',
  'RECOGNITION_RATE',
] as const;
export type Measure = (typeof MEASURES)[number];

const DECISIONS: readonly string[] = ['DECISIONS_RECOGNISED', 'DECISIONS_PARTIALLY_RECOGNISED', 'DECISIONS_REFUSED'];
const RECOGNISED: readonly string[] = ['DECISIONS_RECOGNISED', 'DECISIONS_PARTIALLY_RECOGNISED'];

export interface BaseCell {
  measure: string;
  institution: string;
  partnerInstitution: string | null;
  /** AGREED_UNITS, DECISIONS_*, DAYS_TO_RECOGNITION: the unit's hub ID; absent or null otherwise. */
  unit?: string | null;
  /** DAYS_TO_RECOGNITION: every decision's days from the mobility's end (value: how many). */
  days?: readonly number[] | null;
  month: string;
  value: number;
  learners: number | null;
}

/** What the hub knows of a unit from public data: its qualification's ISCED-F field and its EQF level. */
export interface UnitClass {
  field: string;
  eqfLevel: number;
}

export interface StatisticsCell {
  measure: Measure;
  country: string | null;
  institution: string | null;
  partnerCountry: string | null;
  partnerInstitution: string | null;
  /** ISCED-F detailed field of the units counted (AGREED_UNITS, decisions, their rate and days); null when not asked or not known. */
  field: string | null;
  /** EQF level of the units counted (AGREED_UNITS, decisions, their rate and days); null when not asked or not known. */
  eqfLevel: number | null;
  month: string | null;
  /** The count, sum or rate; null when suppressed. */
  value: number | null;
  /** Learners behind the figure (a learner counted in two base cells counts twice); null when suppressed or not about learners. */
  learners: number | null;
  suppressed: boolean;
}

export interface MergeOptions {
  cells: readonly BaseCell[];
  groupBy: readonly GroupDimension[];
  /** An institution's country from the registry; null when it is not a member. */
  countryOf: (institution: string) => string | null;
  /** A unit's field and level; null when it could not be read (its cells group under null). */
  unitOf?: (unit: string) => UnitClass | null;
  /** @default SUPPRESSION_THRESHOLD */
  threshold?: number;
}

interface Group {
  key: Omit<StatisticsCell, 'measure' | 'value' | 'learners' | 'suppressed'>;
  /** Per measure: the published sum, its learners (null: not about learners), and whether any base cell was left out. */
  measures: Map<string, { value: number; learners: number | null; published: number; hidden: number; days: number[] }>;
}

const MEASURE_ORDER = new Map<string, number>(MEASURES.map((measure, index) => [measure, index]));
const isMeasure = (value: string): value is Measure => MEASURE_ORDER.has(value);

export function mergeStatistics(options: MergeOptions): StatisticsCell[] {
  const threshold = options.threshold ?? SUPPRESSION_THRESHOLD;
  const grouped = new Set(options.groupBy);
  const byCountry = grouped.has('COUNTRY');
  const byInstitution = grouped.has('INSTITUTION');
  const byPartnerCountry = grouped.has('PARTNER_COUNTRY');
  const byPartner = grouped.has('PARTNER_INSTITUTION');
  const byField = grouped.has('FIELD');
  const byLevel = grouped.has('EQF_LEVEL');
  const byMonth = grouped.has('MONTH');
  const groups = new Map<string, Group>();
  for (const cell of options.cells) {
    if (!isMeasure(cell.measure)) continue;
    const country = byCountry ? options.countryOf(cell.institution) : null;
    const institution = byInstitution ? cell.institution : null;
    const partnerCountry =
      byPartnerCountry && cell.partnerInstitution !== null ? options.countryOf(cell.partnerInstitution) : null;
    const partnerInstitution = byPartner ? cell.partnerInstitution : null;
    const unit = (byField || byLevel) && cell.unit ? (options.unitOf?.(cell.unit) ?? null) : null;
    const field = byField ? (unit?.field ?? null) : null;
    const eqfLevel = byLevel ? (unit?.eqfLevel ?? null) : null;
    const month = byMonth ? cell.month : null;
    // Tens of thousands of base cells per request: a plain string key, no JSON.
    const id = `${country}\u0000${institution}\u0000${partnerCountry}\u0000${partnerInstitution}\u0000${field}\u0000${eqfLevel}\u0000${month}`;
    let group = groups.get(id);
    if (!group) {
      group = {
        key: { country, institution, partnerCountry, partnerInstitution, field, eqfLevel, month },
        measures: new Map(),
      };
      groups.set(id, group);
    }
    const sum = group.measures.get(cell.measure) ?? {
      value: 0,
      learners: cell.learners === null ? null : 0,
      published: 0,
      hidden: 0,
      days: [],
    };
    group.measures.set(cell.measure, sum);
    // The rule above: a small base cell adds nothing, anywhere.
    if (cell.learners !== null && cell.learners < threshold) {
      sum.hidden += 1;
      continue;
    }
    sum.published += 1;
    sum.value += cell.value;
    if (cell.learners !== null) sum.learners = (sum.learners ?? 0) + cell.learners;
    if (cell.days) sum.days.push(...cell.days);
  }

  const result: StatisticsCell[] = [];
  for (const group of groups.values()) {
    for (const [measure, sum] of group.measures) {
      if (!isMeasure(measure)) continue;
      const suppressed = sum.published === 0 && sum.hidden > 0;
      result.push({
        measure,
        ...group.key,
        value: suppressed ? null : measure === 'DAYS_TO_RECOGNITION' ? median(sum.days) : sum.value,
        learners: suppressed ? null : sum.learners,
        suppressed,
      });
    }
    const decisions = DECISIONS.flatMap((measure) => {
      const sum = group.measures.get(measure);
      return sum ? [{ measure, ...sum }] : [];
    });
    if (decisions.length > 0) {
      // The rate is of published decisions only, so it is no finer than the cells it comes from.
      const published = decisions.filter((sum) => sum.published > 0);
      const all = published.reduce((total, sum) => total + sum.value, 0);
      const recognised = published
        .filter((sum) => RECOGNISED.includes(sum.measure))
        .reduce((total, sum) => total + sum.value, 0);
      const suppressed = all === 0;
      result.push({
        measure: 'RECOGNITION_RATE',
        ...group.key,
        value: suppressed ? null : recognised / all,
        learners: suppressed ? null : published.reduce((total, sum) => total + (sum.learners ?? 0), 0),
        suppressed,
      });
    }
  }
  return result.sort(compareCells);
}

/** The middle of the published cells' days (the mean of the two middle ones for an even count). */
export function median(days: readonly number[]): number | null {
  if (days.length === 0) return null;
  const sorted = [...days].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** Codes and months are ASCII: compared by code unit, nulls first. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function compareCells(a: StatisticsCell, b: StatisticsCell): number {
  return (
    (MEASURE_ORDER.get(a.measure) ?? 0) - (MEASURE_ORDER.get(b.measure) ?? 0) ||
    compareText(a.country, b.country) ||
    compareText(a.institution, b.institution) ||
    compareText(a.partnerCountry, b.partnerCountry) ||
    compareText(a.partnerInstitution, b.partnerInstitution) ||
    compareText(a.field, b.field) ||
    (a.eqfLevel ?? 0) - (b.eqfLevel ?? 0) ||
    compareText(a.month, b.month)
  );
}
