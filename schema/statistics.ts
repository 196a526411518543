import { Directive, Field, Int, ObjectType } from 'type-graphql';

/**
 * Statistics are built from base cells: one measure, one institution, one partner institution, one month. The hub
 * suppresses small base cells before it adds any up (see the hub's statistics part), so every shard reports at this
 * one grain and never anything finer.
 */
export const STATISTICS_MEASURES = {
  /** Memoranda proposed by the institution, by status; month of `validFrom`. About institutions, not learners. */
  memoranda: [
    'MEMORANDA_DRAFT',
    'MEMORANDA_PARTIALLY_SIGNED',
    'MEMORANDA_IN_EFFECT',
    'MEMORANDA_EXPIRED',
    'MEMORANDA_TERMINATED',
  ],
  /** Learning agreements sent by the institution, by status; partner: the host; month of the mobility's start. */
  agreements: ['AGREEMENTS_DRAFT', 'AGREEMENTS_SIGNED', 'AGREEMENTS_CANCELLED'],
  /** Units of learning agreements not cancelled, one cell per unit (the hub knows its field and level); partner: the host; month of the mobility's start. */
  agreedUnits: ['AGREED_UNITS'],
  /** Units assessed abroad, by result; partner: the host; month of the assessment. */
  units: ['UNITS_ACHIEVED', 'UNITS_NOT_ACHIEVED'],
  /** Current transcripts of records issued; partner: the host; month of issue. */
  transcripts: ['TRANSCRIPTS_ISSUED'],
  /**
   * Recognition decisions by outcome, one cell per unit decided on (the hub knows its field and level), and the days
   * from the mobility's end of those recognising it; the ECVET points they credited, per month; month of the decision.
   */
  recognition: [
    'DECISIONS_RECOGNISED',
    'DECISIONS_PARTIALLY_RECOGNISED',
    'DECISIONS_REFUSED',
    'ECVET_POINTS_RECOGNISED',
    'DAYS_TO_RECOGNITION',
  ],
} as const;

export type StatisticsMeasureName = (typeof STATISTICS_MEASURES)[keyof typeof STATISTICS_MEASURES][number];

/**
 * A shard's count of one measure for one institution, partner and month. Never sent to a client as it is; a shard
 * sends its cells to the hub in one StatisticsBaseBatch.
 */
export interface StatisticsBaseCell {
  /**
   * The measure: MEMORANDA_<status>, AGREEMENTS_<status>, AGREED_UNITS, UNITS_ACHIEVED, UNITS_NOT_ACHIEVED,
   * TRANSCRIPTS_ISSUED, DECISIONS_<decision>, ECVET_POINTS_RECOGNISED, DAYS_TO_RECOGNITION.
   */
  measure: string;
  /** The institution whose data it is (the shard's own). */
  institution: string;
  /** The hosting institution of the mobilities counted; null where the measure has none. */
  partnerInstitution: string | null;
  /** For AGREED_UNITS, DECISIONS_<decision> and DAYS_TO_RECOGNITION: the hub ID of the unit counted (public data). */
  unit: string | null;
  /** For DAYS_TO_RECOGNITION: each decision's days from the mobility's end, in order, so the hub merges medians exactly. */
  days: number[] | null;
  /** The month counted, YYYY-MM. */
  month: string;
  /** The count (or, for ECVET_POINTS_RECOGNISED, the sum of points). */
  value: number;
  /** Distinct learners behind the cell; null for measures about institutions (memoranda). */
  learners: number | null;
}

/** A shard's base cells in one piece: tens of thousands of cells cross the gateway as one value, not as objects. */
@Directive('@shareable')
@ObjectType({
  description:
    "A shard's base cells of the ECVET statistics, as it counts its own data: read by the hub only, which suppresses small cells before merging them. Only an agency's request through the hub gets these.",
})
export class StatisticsBaseBatch {
  @Field({ description: "The institution whose data it is (the shard's own)." })
  institution!: string;

  @Field(() => Int, { description: 'How many base cells `cells` holds.' })
  count!: number;

  @Field({
    description:
      "The base cells as a JSON object of columns { measure, partnerInstitution, unit, days, month, value, learners }, each an array of `count` values, the i-th of every column describing cell i: measure is MEMORANDA_<status>, AGREEMENTS_<status>, AGREED_UNITS, UNITS_ACHIEVED, UNITS_NOT_ACHIEVED, TRANSCRIPTS_ISSUED, DECISIONS_<decision>, ECVET_POINTS_RECOGNISED or DAYS_TO_RECOGNITION; partnerInstitution the host (null where none); unit the hub ID of the unit counted (AGREED_UNITS, DECISIONS_*, DAYS_TO_RECOGNITION; else null); days, for DAYS_TO_RECOGNITION, each decision's days from the mobility's end (else null); month YYYY-MM; value the count or sum of points; learners the distinct learners (null for memoranda). One string, so the gateway passes it on as one value instead of reshaping every cell field by field; columns, so the hub parses no field name per cell.",
  })
  cells!: string;
}
