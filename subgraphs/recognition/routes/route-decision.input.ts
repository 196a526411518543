import { Field, ID, InputType } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { RecognitionRoute } from '../../../schema/recognition/routes';

@InputType({
  description:
    "A decision crediting units of a learner's home qualification achieved by transfer or from prior learning.",
})
export class RecognizeHomeLearningInput {
  @Field(() => ID, { description: "The learner (a learner ID of the caller's institution)." })
  learnerId!: string;

  @Field({
    description:
      'Chosen by the client, unique per request: a retry with the same key and input changes nothing and gets the same answer.',
  })
  idempotencyKey!: string;

  @Field(() => RecognitionRoute, {
    description: 'Transfer (coordinators) or validation of prior learning (assessors).',
  })
  route!: RecognitionRoute;

  @Field(() => ID, { description: "A qualification of the caller's institution: the learner's home qualification." })
  qualificationId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'For a transfer: hub ID of the unit achieved in the other programme or institution, when it has one; its ' +
      'institution must be in the home country (learning from abroad comes through a mobility).',
  })
  sourceUnitId?: string | null;

  @Field({ description: 'Where it was learned: the programme or institution, the workplace, the activity.' })
  achievedAt!: string;

  @Field(() => String, { nullable: true, description: 'Evidence assessed; required for prior learning.' })
  evidence?: string | null;

  @Field(() => String, { nullable: true, description: 'How it was assessed; required for prior learning.' })
  method?: string | null;

  @Field(() => String, { nullable: true, description: 'Who assessed it; required for prior learning.' })
  assessorName?: string | null;

  @Field(() => RecognitionDecisionKind, { description: 'Recognised, partially, or refused.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], { description: 'Units of the qualification credited (at least one, also when refused).' })
  homeUnitIds!: string[];

  @Field(() => [ID], {
    defaultValue: [],
    description:
      'Learning outcomes of those units credited (a unit none of whose outcomes is named is credited whole); required for PARTIALLY_RECOGNISED.',
  })
  homeOutcomeIds!: string[];

  @Field(() => String, { nullable: true, description: 'Why; required when REFUSED.' })
  reason?: string | null;
}

const blank = (value: string | null | undefined) => !value?.trim();

/** The rules that need no other shard. */
export function validateHomeLearning(input: RecognizeHomeLearningInput): void {
  if (input.idempotencyKey.trim() === '' || input.idempotencyKey.length > 150)
    throw new BadUserInputError('input.idempotencyKey must be 1-150 characters', 'input.idempotencyKey');
  if (blank(input.achievedAt))
    throw new BadUserInputError('input.achievedAt must say where it was learned', 'input.achievedAt');
  if (input.route === RecognitionRoute.PRIOR_LEARNING) {
    for (const field of ['evidence', 'method', 'assessorName'] as const)
      if (blank(input[field]))
        throw new BadUserInputError(
          `input.${field} is required to validate prior learning (evidence, method and assessor)`,
          `input.${field}`,
        );
  }
  if (input.homeUnitIds.length === 0)
    throw new BadUserInputError('input.homeUnitIds must name at least one unit', 'input.homeUnitIds');
  if (input.decision === RecognitionDecisionKind.REFUSED && blank(input.reason))
    throw new BadUserInputError('input.reason is required when a unit is refused', 'input.reason');
  if (input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED && input.homeOutcomeIds.length === 0)
    throw new BadUserInputError(
      'input.homeOutcomeIds must name the learning outcomes a partial recognition credits',
      'input.homeOutcomeIds',
    );
}

@InputType({ description: 'A revised transfer or prior-learning decision; the earlier one stays in its history.' })
export class ReviseHomeRecognitionInput {
  @Field(() => RecognitionDecisionKind, { description: 'The new decision.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], { nullable: true, description: 'Units of the qualification credited; left out: as before.' })
  homeUnitIds?: string[] | null;

  @Field(() => [ID], {
    defaultValue: [],
    description: 'Learning outcomes of those units credited; required for PARTIALLY_RECOGNISED.',
  })
  homeOutcomeIds!: string[];

  @Field({ description: 'Why the decision is revised (required).' })
  reason!: string;
}
