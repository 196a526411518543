import { Field, ID, InputType } from 'type-graphql';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';

@InputType({ description: 'The decision for one unit.' })
export class UnitDecisionInput {
  @Field(() => ID, { description: 'A unit of the validated transcript.' })
  unitId!: string;

  @Field(() => RecognitionDecisionKind, { description: 'Recognised, partially, or refused.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], {
    defaultValue: [],
    description: 'For PARTIALLY_RECOGNISED: the agreed learning outcomes recognised (at least one).',
  })
  learningOutcomeIds!: string[];

  @Field(() => String, { nullable: true, description: 'Why; required when REFUSED.' })
  reason?: string | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      "Home units of the learner's home qualification it credits; left out: those the agreement foresaw. Others need an overrideReason.",
  })
  homeUnitIds?: string[] | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      'Home learning outcomes it credits (a home unit none of whose outcomes is named is credited whole); required for a partial ' +
      'recognition of a unit other than the home unit itself. Left out: those the agreement foresaw.',
  })
  homeOutcomeIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why home units or outcomes other than those the agreement foresaw are credited (required then).',
  })
  overrideReason?: string | null;
}

@InputType({ description: 'Recognition decisions for units of a validated transcript.' })
export class RecognizeUnitsInput {
  @Field(() => ID, { description: 'The learning agreement whose transcript was validated.' })
  learningAgreementId!: string;

  @Field({
    description:
      'Chosen by the client, unique per request: a retry with the same key and input changes nothing and gets the same answer.',
  })
  idempotencyKey!: string;

  @Field(() => [UnitDecisionInput], { description: 'One decision per unit, at least one.' })
  decisions!: UnitDecisionInput[];
}

@InputType({ description: 'A revised decision; the earlier one stays in its history.' })
export class ReviseRecognitionInput {
  @Field(() => RecognitionDecisionKind, { description: 'The new decision.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], { defaultValue: [], description: 'For PARTIALLY_RECOGNISED: the learning outcomes recognised.' })
  learningOutcomeIds!: string[];

  @Field({ description: 'Why the decision is revised (required).' })
  reason!: string;

  @Field(() => [ID], {
    nullable: true,
    description:
      "Home units of the learner's home qualification it credits; left out: those the agreement foresaw. Others need an overrideReason.",
  })
  homeUnitIds?: string[] | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      'Home learning outcomes it credits (a home unit none of whose outcomes is named is credited whole); required for a partial ' +
      'recognition of a unit other than the home unit itself. Left out: those the agreement foresaw.',
  })
  homeOutcomeIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why home units or outcomes other than those the agreement foresaw are credited (required then).',
  })
  overrideReason?: string | null;
}
