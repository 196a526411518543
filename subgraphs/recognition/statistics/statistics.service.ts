import type { CountRow } from '../../shared/statistics';
import type { RecognitionContext } from '../context';

/** What counting reads of a request's context: the shard's database and institution (the bench counts with these alone). */
type CountingContext = Pick<RecognitionContext, 'db' | 'institution'>;
interface DecisionRow {
  decision: string;
  unit: string;
  month: string;
  decisions: number | string;
  learners: number | string;
}

interface PointsRow {
  month: string;
  points: number | string | null;
  learners: number | string;
}

/**
 * The shard's recognition decisions at the base grain (outcome, unit decided on, month of the decision) with their
 * distinct learners, so the hub can group them by the unit's field and EQF level; and the ECVET points credited per
 * month with theirs (counted apart: a learner with a full and a partial decision in one month is one learner, never
 * two, or a small cell could pass the threshold). Decisions and their days are counted at one grain only, so no
 * difference of two figures about them isolates a smaller group.
 */
export async function recognitionCounts(context: CountingContext): Promise<CountRow[]> {
  const manager = context.db.dataSource.manager;
  const [decisions, points, days] = await Promise.all([
    manager.query<DecisionRow[]>(
      `SELECT d.decision AS decision, d.unitId AS unit, SUBSTR(d.decidedAt, 1, 7) AS month, COUNT(*) AS decisions,
              COUNT(DISTINCT d.learnerId) AS learners
         FROM recognition_decision d
        GROUP BY d.decision, d.unitId, SUBSTR(d.decidedAt, 1, 7)`,
    ),
    manager.query<PointsRow[]>(
      `SELECT SUBSTR(d.decidedAt, 1, 7) AS month, SUM(d.ecvetPoints) AS points, COUNT(DISTINCT d.learnerId) AS learners
         FROM recognition_decision d
        WHERE d.decision <> 'REFUSED'
        GROUP BY SUBSTR(d.decidedAt, 1, 7)`,
    ),
    daysToRecognition(context),
  ]);
  return [
    ...decisions.map((row) => ({
      measure: `DECISIONS_${row.decision}`,
      partner: null,
      unit: row.unit,
      month: row.month,
      value: row.decisions,
      learners: row.learners,
    })),
    ...points.map((row) => ({
      measure: 'ECVET_POINTS_RECOGNISED',
      partner: null,
      month: row.month,
      value: row.points ?? 0,
      learners: row.learners,
    })),
    ...days,
  ];
}

interface DayRow {
  learner: string;
  decision: string;
  unit: string;
  month: string;
  decidedOn: string;
  mobilityEnd: string;
}

const DAY_MS = 86_400_000;

/**
 * Days from the mobility's end (kept by the validation from the agreement it read) to each decision recognising a
 * unit in full or part, at the decisions' grain (outcome, unit, month of the decision): the whole list, so the hub
 * merges medians exactly (a median of medians is not one). Validations made before the end was kept count in no
 * median.
 */
async function daysToRecognition(context: CountingContext): Promise<CountRow[]> {
  const rows = await context.db.dataSource.manager.query<DayRow[]>(
    `SELECT d.learnerId AS learner, d.decision AS decision, d.unitId AS unit, SUBSTR(d.decidedAt, 1, 7) AS month, SUBSTR(d.decidedAt, 1, 10) AS decidedOn,
            e.mobilityEnd AS mobilityEnd
       FROM recognition_decision d
       JOIN (SELECT agreementId, MAX(mobilityEnd) AS mobilityEnd FROM transcript_validation
              WHERE mobilityEnd IS NOT NULL GROUP BY agreementId) e ON e.agreementId = d.agreementId
      WHERE d.decision <> 'REFUSED'`,
  );
  const cells = new Map<string, { unit: string; month: string; days: number[]; learners: Set<string> }>();
  for (const row of rows) {
    const key = `${row.decision} ${row.unit} ${row.month}`;
    const cell = cells.get(key) ?? { unit: row.unit, month: row.month, days: [], learners: new Set<string>() };
    cell.days.push(Math.round((Date.parse(row.decidedOn) - Date.parse(row.mobilityEnd)) / DAY_MS));
    cell.learners.add(row.learner);
    cells.set(key, cell);
  }
  return [...cells.values()].map(({ unit, month, days, learners }) => ({
    measure: 'DAYS_TO_RECOGNITION',
    partner: null,
    unit,
    month,
    value: days.length,
    learners: learners.size,
    days: days.sort((a, b) => a - b),
  }));
}
