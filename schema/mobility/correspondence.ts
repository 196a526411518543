import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { LearningOutcomeRef, UnitRef, whenOwnersFail } from './references';

export enum CorrespondenceCoverage {
  FULL = 'FULL',
  PARTIAL = 'PARTIAL',
}
registerEnumType(CorrespondenceCoverage, {
  name: 'CorrespondenceCoverage',
  description: 'How much of the home side a correspondence covers.',
  valuesConfig: {
    FULL: { description: 'The host unit(s) stand for the whole home unit(s).' },
    PARTIAL: { description: 'The host unit(s) stand for the named learning outcomes of the home unit(s) only.' },
  },
});

@ObjectType({
  description:
    'One line of a memorandum\'s correspondence table: unit(s) of one partner ("host", achieved abroad) and the unit(s) or ' +
    'learning outcomes of another partner\'s covered qualification ("home") they are recognised as.',
})
export class UnitCorrespondence {
  @Field(() => [ID], { description: 'Hub IDs of the units achieved at the host, all of one partner.' })
  hostUnitIds!: string[];

  @Field(() => [UnitRef], { nullable: 'items', description: `The host units.${whenOwnersFail('hostUnitIds')}` })
  hostUnits!: UnitRef[];

  @Field(() => [ID], {
    description: "Hub IDs of the home units they are recognised as, all of another partner's covered qualifications.",
  })
  homeUnitIds!: string[];

  @Field(() => [UnitRef], { nullable: 'items', description: `The home units.${whenOwnersFail('homeUnitIds')}` })
  homeUnits!: UnitRef[];

  @Field(() => [ID], {
    description: 'For PARTIAL coverage: hub IDs of the learning outcomes of the home units covered; empty for FULL.',
  })
  homeOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `The home learning outcomes covered.${whenOwnersFail('homeOutcomeIds')}`,
  })
  homeOutcomes!: LearningOutcomeRef[];

  @Field(() => CorrespondenceCoverage, { description: 'Whole home units or named outcomes of them.' })
  coverage!: CorrespondenceCoverage;

  @Field(() => Float, {
    nullable: true,
    description:
      '`compareUnits` score (0-1) of the host and home unit when the memorandum was proposed, as evidence; null unless the ' +
      'line pairs one unit with one unit, or when no recognition shard could compare them then.',
  })
  comparisonScore!: number | null;
}

export enum RecognitionTargetSource {
  AGREEMENT = 'AGREEMENT',
  MEMORANDUM = 'MEMORANDUM',
  SAME_UNIT = 'SAME_UNIT',
}
registerEnumType(RecognitionTargetSource, {
  name: 'RecognitionTargetSource',
  description: 'Where the home unit(s) an agreed unit will be recognised as come from.',
  valuesConfig: {
    AGREEMENT: { description: 'Stated in the agreement itself (`recognisedAs` of the agreed unit).' },
    MEMORANDUM: { description: "Taken from the memorandum's correspondence table." },
    SAME_UNIT: { description: 'The agreed unit is itself a unit of the home qualification.' },
  },
});

@ObjectType({
  description:
    "The home unit(s) or learning outcomes of the learner's home qualification an agreed unit will be recognised as.",
})
export class RecognitionTarget {
  @Field(() => [ID], { description: 'Hub IDs of the home units.' })
  homeUnitIds!: string[];

  @Field(() => [UnitRef], { nullable: 'items', description: `The home units.${whenOwnersFail('homeUnitIds')}` })
  homeUnits!: UnitRef[];

  @Field(() => [ID], { description: 'For PARTIAL coverage: the home learning outcomes credited; empty for FULL.' })
  homeOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `The home learning outcomes credited.${whenOwnersFail('homeOutcomeIds')}`,
  })
  homeOutcomes!: LearningOutcomeRef[];

  @Field(() => CorrespondenceCoverage, { description: 'Whole home units or named outcomes of them.' })
  coverage!: CorrespondenceCoverage;

  @Field(() => RecognitionTargetSource, { description: 'Where it comes from.' })
  source!: RecognitionTargetSource;
}
