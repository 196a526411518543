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

const MEASURE_ORDER = new Map<string, number>(MEASURES.map((measure, index) => [measure, index]));
const isMeasure = (value: string): value is Measure => MEASURE_ORDER.has(value);
const RATE = MEASURE_ORDER.get('RECOGNITION_RATE') ?? 0;
const DECISION_INDEXES = DECISIONS.map((measure) => MEASURE_ORDER.get(measure) ?? 0);
const RECOGNISED_INDEXES = new Set(RECOGNISED.map((measure) => MEASURE_ORDER.get(measure) ?? 0));

/**
 * A fan-out's base cells made ready for many merges: measures, institutions, partners, units and months interned as
 * numbers, each cell's publication under the threshold decided once. Made once per fan-out answer (prepareBaseCells)
 * and merged for every request that reuses it (mergePrepared), so a request costs a pass over numbers.
 */
export interface PreparedCells {
  readonly threshold: number;
  readonly size: number;
  /** Index into MEASURES. */
  readonly measure: Uint8Array;
  /** Index into `institutions`. */
  readonly institution: Int32Array;
  /** Index into `institutions` (partners are institutions too); -1: none. */
  readonly partner: Int32Array;
  /** Index into `units`; -1: none. */
  readonly unit: Int32Array;
  /** Index into `months`. */
  readonly month: Int32Array;
  readonly value: Float64Array;
  /** 1 when the cell is about learners. */
  readonly aboutLearners: Uint8Array;
  readonly learners: Float64Array;
  /** 1 when the cell counts in figures (about institutions, or of at least `threshold` learners). */
  readonly published: Uint8Array;
  readonly days: ReadonlyArray<readonly number[] | null>;
  readonly institutions: readonly string[];
  /** Each institution's country (registry), by the same index; null for a non-member. */
  readonly countries: ReadonlyArray<string | null>;
  readonly units: readonly string[];
  readonly months: readonly string[];
}

function interner(): { ids: string[]; of: (value: string) => number } {
  const ids: string[] = [];
  const index = new Map<string, number>();
  return {
    ids,
    of: (value) => {
      let id = index.get(value);
      if (id === undefined) {
        id = ids.length;
        ids.push(value);
        index.set(value, id);
      }
      return id;
    },
  };
}

/** Interns a fan-out's base cells and applies the threshold once; cells of unknown measures are dropped. */
export function prepareBaseCells(
  cells: readonly BaseCell[],
  countryOf: (institution: string) => string | null,
  threshold = SUPPRESSION_THRESHOLD,
): PreparedCells {
  const known = cells.filter((cell) => isMeasure(cell.measure));
  const size = known.length;
  const institutions = interner();
  const units = interner();
  const months = interner();
  const prepared = {
    threshold,
    size,
    measure: new Uint8Array(size),
    institution: new Int32Array(size),
    partner: new Int32Array(size),
    unit: new Int32Array(size),
    month: new Int32Array(size),
    value: new Float64Array(size),
    aboutLearners: new Uint8Array(size),
    learners: new Float64Array(size),
    published: new Uint8Array(size),
    days: new Array<readonly number[] | null>(size),
    institutions: institutions.ids,
    countries: [] as Array<string | null>,
    units: units.ids,
    months: months.ids,
  };
  known.forEach((cell, i) => {
    prepared.measure[i] = MEASURE_ORDER.get(cell.measure) ?? 0;
    prepared.institution[i] = institutions.of(cell.institution);
    prepared.partner[i] = cell.partnerInstitution === null ? -1 : institutions.of(cell.partnerInstitution);
    prepared.unit[i] = cell.unit ? units.of(cell.unit) : -1;
    prepared.month[i] = months.of(cell.month);
    prepared.value[i] = cell.value;
    prepared.aboutLearners[i] = cell.learners === null ? 0 : 1;
    prepared.learners[i] = cell.learners ?? 0;
    // The rule above: a small base cell adds nothing, anywhere.
    prepared.published[i] = cell.learners === null || cell.learners >= threshold ? 1 : 0;
    prepared.days[i] = cell.days ?? null;
  });
  prepared.countries = institutions.ids.map(countryOf);
  return prepared;
}

export interface PreparedMergeOptions {
  groupBy: readonly GroupDimension[];
  /** Institutions whose cells count; default: all. */
  institutions?: ReadonlySet<string>;
  /** A unit's field and level; null when it could not be read (its cells group under null). */
  unitOf?: (unit: string) => UnitClass | null;
}

/** The units of the cells of these institutions (all when not given): the ones whose field and level a merge needs. */
export function unitsOf(prepared: PreparedCells, institutions?: ReadonlySet<string>): Set<string> {
  const counted = prepared.institutions.map((code) => !institutions || institutions.has(code));
  const wanted = new Set<string>();
  for (let i = 0; i < prepared.size; i += 1) {
    const unit = prepared.unit[i] ?? -1;
    if (unit >= 0 && counted[prepared.institution[i] ?? 0]) wanted.add(prepared.units[unit] ?? '');
  }
  return wanted;
}

/** Per group and measure: what a request's merge adds up. */
interface Sum {
  value: number;
  learners: number;
  aboutLearners: boolean;
  published: number;
  hidden: number;
  days: number[] | null;
}

/** Mixed-radix group numbers: one digit per dimension asked (0 for null, else index + 1). */
class GroupKeys {
  private readonly radices: number[] = [];
  /** Beyond 2^53 a number no longer names one group: the digits are joined as text instead. */
  private exact = true;

  add(size: number): void {
    this.radices.push(size + 1);
    if (this.radices.reduce((product, radix) => product * radix, 1) > Number.MAX_SAFE_INTEGER) this.exact = false;
  }

  key(digits: readonly number[]): number | string {
    if (!this.exact) return digits.join(',');
    let key = 0;
    digits.forEach((digit, d) => {
      key = key * (this.radices[d] ?? 1) + digit;
    });
    return key;
  }
}

/** Merges prepared base cells into the cells a request asked for, and suppresses (the rule above). */
export function mergePrepared(prepared: PreparedCells, options: PreparedMergeOptions): StatisticsCell[] {
  const grouped = new Set(options.groupBy);
  const byCountry = grouped.has('COUNTRY');
  const byInstitution = grouped.has('INSTITUTION');
  const byPartnerCountry = grouped.has('PARTNER_COUNTRY');
  const byPartner = grouped.has('PARTNER_INSTITUTION');
  const byField = grouped.has('FIELD');
  const byLevel = grouped.has('EQF_LEVEL');
  const byMonth = grouped.has('MONTH');
  const countries = interner();
  const countryIndex = prepared.countries.map((country) => (country === null ? -1 : countries.of(country)));
  const counted = prepared.institutions.map((code) => !options.institutions || options.institutions.has(code));
  const fields = interner();
  const unitField = new Int32Array(prepared.units.length).fill(-1);
  const unitLevel = new Int32Array(prepared.units.length).fill(-1);
  if ((byField || byLevel) && options.unitOf) {
    prepared.units.forEach((unit, u) => {
      const known = options.unitOf?.(unit) ?? null;
      if (known) {
        unitField[u] = fields.of(known.field);
        unitLevel[u] = known.eqfLevel;
      }
    });
  }
  const keys = new GroupKeys();
  const dimensions: Array<(i: number) => number> = [];
  const institutionCount = prepared.institutions.length;
  // Each dimension's digit of cell i: 0 for null, else its index + 1.
  if (byCountry) {
    keys.add(institutionCount);
    dimensions.push((i) => (countryIndex[prepared.institution[i] ?? 0] ?? -1) + 1);
  }
  if (byInstitution) {
    keys.add(institutionCount);
    dimensions.push((i) => (prepared.institution[i] ?? -1) + 1);
  }
  if (byPartnerCountry) {
    keys.add(institutionCount);
    dimensions.push((i) => {
      const partner = prepared.partner[i] ?? -1;
      return partner < 0 ? 0 : (countryIndex[partner] ?? -1) + 1;
    });
  }
  if (byPartner) {
    keys.add(institutionCount);
    dimensions.push((i) => (prepared.partner[i] ?? -1) + 1);
  }
  if (byField) {
    keys.add(prepared.units.length);
    dimensions.push((i) => {
      const unit = prepared.unit[i] ?? -1;
      return unit < 0 ? 0 : (unitField[unit] ?? -1) + 1;
    });
  }
  if (byLevel) {
    keys.add(9);
    dimensions.push((i) => {
      const unit = prepared.unit[i] ?? -1;
      return unit < 0 ? 0 : (unitLevel[unit] ?? -1) + 1;
    });
  }
  if (byMonth) {
    keys.add(prepared.months.length);
    dimensions.push((i) => (prepared.month[i] ?? -1) + 1);
  }

  const groupOf = new Map<number | string, number>();
  /** Per group: the first cell that made it (its dimensions name the group), and its sums by measure index. */
  const firsts: number[] = [];
  const sums: Array<Array<Sum | undefined>> = [];
  const digits = new Array<number>(dimensions.length);
  for (let i = 0; i < prepared.size; i += 1) {
    if (!counted[prepared.institution[i] ?? 0]) continue;
    for (let d = 0; d < dimensions.length; d += 1) digits[d] = (dimensions[d] as (i: number) => number)(i);
    const key = keys.key(digits);
    let group = groupOf.get(key);
    if (group === undefined) {
      group = firsts.length;
      groupOf.set(key, group);
      firsts.push(i);
      sums.push([]);
    }
    const measures = sums[group] as Array<Sum | undefined>;
    const measure = prepared.measure[i] ?? 0;
    let sum = measures[measure];
    if (!sum) {
      sum = { value: 0, learners: 0, aboutLearners: false, published: 0, hidden: 0, days: null };
      measures[measure] = sum;
    }
    if (prepared.aboutLearners[i]) sum.aboutLearners = true;
    if (!prepared.published[i]) {
      sum.hidden += 1;
      continue;
    }
    sum.published += 1;
    sum.value += prepared.value[i] ?? 0;
    sum.learners += prepared.learners[i] ?? 0;
    const days = prepared.days[i];
    if (days) (sum.days ??= []).push(...days);
  }

  const result: StatisticsCell[] = [];
  firsts.forEach((first, group) => {
    const partner = prepared.partner[first] ?? -1;
    const unit = prepared.unit[first] ?? -1;
    const field = byField && unit >= 0 ? (unitField[unit] ?? -1) : -1;
    const level = byLevel && unit >= 0 ? (unitLevel[unit] ?? -1) : -1;
    const key = {
      country: byCountry ? (prepared.countries[prepared.institution[first] ?? 0] ?? null) : null,
      institution: byInstitution ? (prepared.institutions[prepared.institution[first] ?? 0] ?? null) : null,
      partnerCountry: byPartnerCountry && partner >= 0 ? (prepared.countries[partner] ?? null) : null,
      partnerInstitution: byPartner && partner >= 0 ? (prepared.institutions[partner] ?? null) : null,
      field: field >= 0 ? (fields.ids[field] ?? null) : null,
      eqfLevel: level >= 0 ? level : null,
      month: byMonth ? (prepared.months[prepared.month[first] ?? 0] ?? null) : null,
    };
    const measures = sums[group] as Array<Sum | undefined>;
    measures.forEach((sum, measure) => {
      if (!sum) return;
      const name = MEASURES[measure] as Measure;
      const suppressed = sum.published === 0 && sum.hidden > 0;
      result.push({
        measure: name,
        ...key,
        value: suppressed ? null : name === 'DAYS_TO_RECOGNITION' ? median(sum.days ?? []) : sum.value,
        learners: suppressed || !sum.aboutLearners ? null : sum.learners,
        suppressed,
      });
    });
    const decisions = DECISION_INDEXES.flatMap((measure) => {
      const sum = measures[measure];
      return sum ? [{ measure, sum }] : [];
    });
    if (decisions.length > 0) {
      // The rate is of published decisions only, so it is no finer than the cells it comes from.
      const published = decisions.filter(({ sum }) => sum.published > 0);
      const all = published.reduce((total, { sum }) => total + sum.value, 0);
      const recognised = published
        .filter(({ measure }) => RECOGNISED_INDEXES.has(measure))
        .reduce((total, { sum }) => total + sum.value, 0);
      const suppressed = all === 0;
      result.push({
        measure: MEASURES[RATE] as Measure,
        ...key,
        value: suppressed ? null : recognised / all,
        learners: suppressed ? null : published.reduce((total, { sum }) => total + sum.learners, 0),
        suppressed,
      });
    }
  });
  return result.sort(compareCells);
}

/** Base cells merged at once: prepareBaseCells and mergePrepared in one call, for a single merge. */
export function mergeStatistics(options: MergeOptions): StatisticsCell[] {
  return mergePrepared(prepareBaseCells(options.cells, options.countryOf, options.threshold), {
    groupBy: options.groupBy,
    unitOf: options.unitOf,
  });
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
