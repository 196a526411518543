import type { CountRow } from '../../shared/statistics';
import type { RecognitionContext } from '../context';

interface DecisionRow {
  decision: string;
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
 * The shard's recognition decisions at the base grain (outcome, month of the decision) with their distinct learners,
 * and the ECVET points credited per month with theirs (counted apart: a learner with a full and a partial decision
 * in one month is one learner, never two, or a small cell could pass the threshold).
 */
export async function recognitionCounts(context: RecognitionContext): Promise<CountRow[]> {
  const manager = context.db.dataSource.manager;
  const [decisions, points] = await Promise.all([
    manager.query<DecisionRow[]>(
      `SELECT d.decision AS decision, SUBSTR(d.decidedAt, 1, 7) AS month, COUNT(*) AS decisions,
              COUNT(DISTINCT d.learnerId) AS learners
         FROM recognition_decision d
        GROUP BY d.decision, SUBSTR(d.decidedAt, 1, 7)`,
    ),
    manager.query<PointsRow[]>(
      `SELECT SUBSTR(d.decidedAt, 1, 7) AS month, SUM(d.ecvetPoints) AS points, COUNT(DISTINCT d.learnerId) AS learners
         FROM recognition_decision d
        WHERE d.decision <> 'REFUSED'
        GROUP BY SUBSTR(d.decidedAt, 1, 7)`,
    ),
  ]);
  return [
    ...decisions.map((row) => ({
      measure: `DECISIONS_${row.decision}`,
      partner: null,
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
  ];
}
