import { BadUserInputError } from '../../../schema/errors';
import { toGrades, type StoredGradingScale } from '../../../schema/grading-scale';
import type { LocalizedText } from '../../../schema/localized-text';
import { AgreedGradingScale, OutcomeAssessmentCriteria } from '../../../schema/mobility/grading';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { AssessmentCriterion } from '../../../schema/unit';
import type { AgreedGradingInput } from './grading.input';

export interface StoredOutcomeCriteria {
  learningOutcomeId: string;
  /** One entry per criterion, each a list of translations. */
  criteria: LocalizedText[][];
}

/** What a version keeps about grading for one unit; absent in versions written before scales existed. */
export interface StoredAgreedGrading {
  gradingScale?: StoredGradingScale | null;
  assessmentCriteria?: StoredOutcomeCriteria[];
}

/** The grading part of an agreed unit as the version keeps it: the scale copied whole, criteria on agreed outcomes. */
export function agreedGrading(
  unit: AgreedGradingInput,
  learningOutcomeIds: readonly string[],
  scales: ReadonlyMap<string, StoredGradingScale>,
  at: string,
): Required<StoredAgreedGrading> {
  unit.assessmentCriteria.forEach((outcome, index) => {
    if (!learningOutcomeIds.includes(outcome.learningOutcomeId))
      throw new BadUserInputError(
        `${at}.assessmentCriteria[${index}].learningOutcomeId ${outcome.learningOutcomeId} is not a learning outcome agreed for the unit`,
        `${at}.assessmentCriteria[${index}].learningOutcomeId`,
      );
  });
  return {
    gradingScale: unit.gradingScaleId ? (scales.get(unit.gradingScaleId) ?? null) : null,
    assessmentCriteria: unit.assessmentCriteria.map((outcome) => ({
      learningOutcomeId: outcome.learningOutcomeId,
      criteria: outcome.criteria.map((c) => c.texts.map((t) => ({ lang: t.lang, value: t.value }))),
    })),
  };
}

export function toAgreedGradingScale(scale: StoredGradingScale | null | undefined): AgreedGradingScale | null {
  if (!scale) return null;
  return Object.assign(new AgreedGradingScale(), {
    id: scale.id,
    titles: scale.titles,
    grades: toGrades(scale),
    passGrade: scale.passGrade,
  });
}

export function toOutcomeCriteria(stored: readonly StoredOutcomeCriteria[] | undefined): OutcomeAssessmentCriteria[] {
  return (stored ?? []).map((outcome) =>
    Object.assign(new OutcomeAssessmentCriteria(), {
      learningOutcomeId: outcome.learningOutcomeId,
      learningOutcome: ref(LearningOutcomeRef, outcome.learningOutcomeId),
      criteria: outcome.criteria.map((texts) => Object.assign(new AssessmentCriterion(), { texts })),
    }),
  );
}
