import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { LearningOutcomeRef, whenOwnerFails, whenOwnersFail } from '../mobility/references';
import { DateTimeScalar, EcvetPointsScalar } from '../scalars';
import { DecisionRevision, RecognitionDecisionKind } from './recognition';
import { RecognitionUnitRef } from './references';

export enum RecognitionRoute {
  TRANSFER = 'TRANSFER',
  PRIOR_LEARNING = 'PRIOR_LEARNING',
}
registerEnumType(RecognitionRoute, {
  name: 'RecognitionRoute',
  description: 'How learning achieved outside a mobility reaches the home qualification.',
  valuesConfig: {
    TRANSFER: { description: 'A unit achieved in another programme or at another institution at home.' },
    PRIOR_LEARNING: {
      description: 'Outcomes learned at work or outside school, assessed by an assessor of the home institution.',
    },
  },
});

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "The home institution's decision crediting units of a learner's home qualification achieved by transfer or validated " +
    'from prior learning: the same decision model as recognition after a mobility (recognised, partially, refused; history). ' +
    'Visible to the home institution and the learner.',
})
export class HomeRecognitionDecision {
  @Field(() => ID, { description: 'Hub ID.' })
  id!: string;

  @Field(() => ID, { description: 'The learner.' })
  learnerId!: string;

  @Field(() => RecognitionRoute, { description: 'Transfer or validation of prior learning.' })
  route!: RecognitionRoute;

  @Field(() => ID, { description: 'Hub ID of the home qualification.' })
  qualificationId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'For a transfer: hub ID of the unit achieved in the other programme or institution, when it has one.',
  })
  sourceUnitId!: string | null;

  @Field(() => RecognitionUnitRef, {
    nullable: true,
    description: `The unit achieved in the other programme or institution.${whenOwnerFails('sourceUnitId')}`,
  })
  sourceUnit!: RecognitionUnitRef | null;

  @Field({ description: 'Where it was learned: the programme or institution, the workplace, the activity.' })
  achievedAt!: string;

  @Field(() => String, { nullable: true, description: 'Evidence assessed (portfolio, certificate, observation…).' })
  evidence!: string | null;

  @Field(() => String, { nullable: true, description: 'How it was assessed (prior learning: required).' })
  method!: string | null;

  @Field(() => String, { nullable: true, description: 'Who assessed it (prior learning: required).' })
  assessorName!: string | null;

  @Field(() => RecognitionDecisionKind, { description: 'Recognised, partially, or refused.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], { description: 'Hub IDs of the home units credited (empty when refused).' })
  homeUnitIds!: string[];

  @Field(() => [RecognitionUnitRef], {
    nullable: 'items',
    description: `The home units credited.${whenOwnersFail('homeUnitIds')}`,
  })
  homeUnits!: RecognitionUnitRef[];

  @Field(() => [ID], {
    description: 'Home learning outcomes credited; a home unit none of whose outcomes is listed is credited whole.',
  })
  homeOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `The home learning outcomes credited.${whenOwnersFail('homeOutcomeIds')}`,
  })
  homeOutcomes!: LearningOutcomeRef[];

  @Field(() => EcvetPointsScalar, { description: 'Points it credits, each home unit as if nothing else credited it.' })
  ecvetPoints!: number;

  @Field(() => String, { nullable: true, description: 'Why (required when refused, and for every revision).' })
  reason!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it was decided (last revision).' })
  decidedAt!: string;

  @Field(() => [DecisionRevision], { description: 'Earlier values, oldest first.' })
  history!: DecisionRevision[];
}
