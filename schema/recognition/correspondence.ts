import { Field, Float, ID, ObjectType } from 'type-graphql';
import { CorrespondenceCoverage } from '../mobility/correspondence';
import { whenOwnerFails } from '../mobility/references';
import { UnitComparison } from './comparability';
import { RecognitionUnitRef } from './references';

@ObjectType({
  description:
    "A correspondence the hub suggests for a memorandum's table: a unit of the home qualification that compares well with " +
    'the host unit. A suggestion only: the partners decide what they put in the memorandum.',
})
export class CorrespondenceSuggestion {
  @Field(() => ID, { description: 'Hub ID of the host unit (achieved abroad).' })
  hostUnitId!: string;

  @Field(() => ID, { description: 'Hub ID of the suggested home unit.' })
  homeUnitId!: string;

  @Field(() => RecognitionUnitRef, {
    nullable: true,
    description: `The suggested home unit.${whenOwnerFails('homeUnitId')}`,
  })
  homeUnit!: RecognitionUnitRef;

  @Field(() => Float, { description: '`compareUnits` score of the host unit (A) and the home unit (B), in [0, 1].' })
  score!: number;

  @Field(() => CorrespondenceCoverage, {
    description:
      "FULL when the score is at least 0.75 and the host unit has at least the home unit's points; PARTIAL otherwise (name the outcomes covered).",
  })
  suggestedCoverage!: CorrespondenceCoverage;

  @Field(() => UnitComparison, { description: 'The whole comparison, as evidence.' })
  comparison!: UnitComparison;
}
