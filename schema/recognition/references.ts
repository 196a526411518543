import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The mobilities kind's Learning Agreement, as the recognition kind extends it. */
@Directive('@key(fields: "id")')
@ObjectType('LearningAgreement', { description: 'A Learning Agreement.' })
export class LearningAgreementRef {
  @Field(() => ID, { description: 'Hub ID of the learning agreement.' })
  id!: string;
}

/**
 * The unit as the recognition kind extends it. A class of its own, not the mobilities kind's: type-graphql
 * attaches field resolvers to classes, and each kind must carry only its own fields.
 */
@Directive('@key(fields: "id")')
@ObjectType('Unit', { description: 'A unit of learning outcomes.' })
export class RecognitionUnitRef {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  id!: string;
}
