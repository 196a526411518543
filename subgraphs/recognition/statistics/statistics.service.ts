import type { CountRow } from '../../shared/statistics';
import type { RecognitionContext } from '../context';

interface DecisionRow {
  decision: string;
  month: string;
  decisions: number | string;
  points: number | string | null;
  learners: number | string;
}

/**
 * The shard's recognition decisions at the base grain (outcome, month of the decision) with their distinct learners,
 * and the ECVET points credited per month: one GROUP BY.
 */
export async function recognitionCounts(context: RecognitionContext): Promise<CountRow[]> {
  const rows = await context.db.dataSource.manager.query<DecisionRow[]>(
    `SELECT d.decision AS decision, SUBSTR(d.decidedAt, 1, 7) AS month, COUNT(*) AS decisions,
            SUM(d.ecvetPoints) AS points, COUNT(DISTINCT d.learnerId) AS learners
       FROM recognition_decision d
      GROUP BY d.decision, SUBSTR(d.decidedAt, 1, 7)`,
  );
  const points = new Map<string, { value: number; learners: number }>();
  const cells: CountRow[] = rows.map((row) => {
    if (row.decision !== 'REFUSED') {
      // A learner with both full and partial decisions in one month is counted once per outcome: an upper bound.
      const sum = points.get(row.month) ?? { value: 0, learners: 0 };
      points.set(row.month, {
        value: sum.value + Number(row.points ?? 0),
        learners: sum.learners + Number(row.learners),
      });
    }
    return {
      measure: `DECISIONS_${row.decision}`,
      partner: null,
      month: row.month,
      value: row.decisions,
      learners: row.learners,
    };
  });
  for (const [month, sum] of points)
    cells.push({ measure: 'ECVET_POINTS_RECOGNISED', partner: null, month, value: sum.value, learners: sum.learners });
  return cells;
}
