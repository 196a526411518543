import { Field, ID, InputType } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import { parseEntityId } from '../../../schema/ids';
import { LocalizedTextInput } from '../../../schema/localized-text';
import { checkTexts } from '../../shared/validation';

@InputType({ description: 'One assessment criterion: observable performance and the standard it must meet.' })
export class CriterionInput {
  @Field(() => [LocalizedTextInput], {
    description: 'The criterion, one text per language of the agreement (every criterion in the same languages).',
  })
  texts!: LocalizedTextInput[];
}

@InputType({ description: 'The assessment criteria for one learning outcome of an agreed unit.' })
export class OutcomeCriteriaInput {
  @Field(() => ID, { description: 'Hub ID of the learning outcome: one agreed for the unit.' })
  learningOutcomeId!: string;

  @Field(() => [CriterionInput], { description: 'At least one criterion.' })
  criteria!: CriterionInput[];
}

/** What an agreed unit says about grading; the fields `AgreedUnitInput` adds for it. */
export interface AgreedGradingInput {
  gradingScaleId?: string | null;
  assessmentCriteria: OutcomeCriteriaInput[];
}

/**
 * Checks what can be checked without the hub: well-formed IDs, no outcome twice, readable criteria, and every
 * criterion of the agreement in the same languages, so no party finds one missing in its language.
 */
export function validateAgreedGrading(units: readonly AgreedGradingInput[], field: string): void {
  let languages: string | null = null;
  units.forEach((unit, index) => {
    const at = `${field}.units[${index}]`;
    if (unit.gradingScaleId != null && !parseEntityId(unit.gradingScaleId))
      throw new BadUserInputError(
        `${at}.gradingScaleId "${unit.gradingScaleId}" is not a hub ID`,
        `${at}.gradingScaleId`,
      );
    const seen = new Set<string>();
    unit.assessmentCriteria.forEach((outcome, o) => {
      const path = `${at}.assessmentCriteria[${o}]`;
      if (seen.has(outcome.learningOutcomeId))
        throw new BadUserInputError(
          `${path}.learningOutcomeId ${outcome.learningOutcomeId} is listed twice`,
          `${path}.learningOutcomeId`,
        );
      seen.add(outcome.learningOutcomeId);
      if (outcome.criteria.length === 0)
        throw new BadUserInputError(`${path}.criteria must hold at least one criterion`, `${path}.criteria`);
      outcome.criteria.forEach((criterion, c) => {
        checkTexts(`${path}.criteria[${c}].texts`, criterion.texts);
        const these = criterion.texts
          .map((t) => t.lang)
          .sort()
          .join(', ');
        languages ??= these;
        if (these !== languages)
          throw new BadUserInputError(
            `${path}.criteria[${c}].texts are in ${these}: every criterion of the agreement must be in the same languages (${languages})`,
            `${path}.criteria[${c}].texts`,
          );
      });
    });
  });
}
