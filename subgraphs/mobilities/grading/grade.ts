import { BadUserInputError } from '../../../schema/errors';
import { isPassing, type StoredGradingScale } from '../../../schema/grading-scale';
import { pickText } from '../../../schema/localized-text';
import { AssessmentResult } from '../../../schema/mobility/enums';

/** What an assessment says about the result, before the rules of the agreed scale are applied. */
export interface ResultInput {
  result?: AssessmentResult | null;
  grade?: string | null;
  outcomeResults: ReadonlyArray<{ learningOutcomeId: string; result: AssessmentResult }>;
}

/**
 * The result an assessment records, by the agreed unit's scale: a grade must be one of the scale's; per-outcome
 * results, when recorded, say it (all achieved, or the assessor's explicit result); else a grade on the scale says
 * it through the pass grade, and an explicit result that contradicts the grade is refused. Without a scale the
 * assessor states the result.
 */
export function decideResult(
  scale: StoredGradingScale | null | undefined,
  agreedOutcomes: readonly string[],
  input: ResultInput,
  field = 'input',
): AssessmentResult {
  const grade = input.grade ?? null;
  if (scale && grade !== null && !scale.grades.some((g) => g.value === grade)) {
    throw new BadUserInputError(
      `${field}.grade "${grade}" is not a grade of the agreed scale ${scale.id} (${pickText(scale.titles, 'en') ?? scale.id}): allowed grades are ${scale.grades.map((g) => g.value).join(', ')}`,
      `${field}.grade`,
    );
  }
  if (input.outcomeResults.length > 0) {
    if (input.result) return input.result;
    const achieved = new Set(
      input.outcomeResults.filter((o) => o.result === AssessmentResult.ACHIEVED).map((o) => o.learningOutcomeId),
    );
    return agreedOutcomes.every((id) => achieved.has(id)) ? AssessmentResult.ACHIEVED : AssessmentResult.NOT_ACHIEVED;
  }
  if (scale && grade !== null) {
    const derived = isPassing(scale, grade) ? AssessmentResult.ACHIEVED : AssessmentResult.NOT_ACHIEVED;
    if (input.result && input.result !== derived) {
      throw new BadUserInputError(
        `${field}.result ${input.result} contradicts grade ${grade}: on scale ${scale.id} the grades from the best down to the pass grade ${scale.passGrade} mean ACHIEVED, the others NOT_ACHIEVED (leave result out to derive it)`,
        `${field}.result`,
      );
    }
    return derived;
  }
  if (!input.result) {
    throw new BadUserInputError(
      `${field}.result is required: no grade on an agreed scale and no per-outcome results say whether the unit is achieved`,
      `${field}.result`,
    );
  }
  return input.result;
}

/** The outcomes an assessment counts as achieved: those recorded achieved, else every agreed one when the unit is. */
export function achievedOutcomes(
  result: AssessmentResult,
  outcomeResults: ReadonlyArray<{ learningOutcomeId: string; result: AssessmentResult }>,
  agreedOutcomes: readonly string[],
): string[] {
  if (outcomeResults.length > 0)
    return outcomeResults.filter((o) => o.result === AssessmentResult.ACHIEVED).map((o) => o.learningOutcomeId);
  return result === AssessmentResult.ACHIEVED ? [...agreedOutcomes] : [];
}
