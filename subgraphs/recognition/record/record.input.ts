import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A unit the learner achieved at home.' })
export class HomeCreditInput {
  @Field(() => ID, { description: "The learner (a learner ID of the caller's institution)." })
  learnerId!: string;

  @Field(() => ID, { description: "A unit of one of the caller's institution's qualifications." })
  unitId!: string;

  @Field({ description: 'When it was achieved (YYYY-MM-DD).' })
  achievedOn!: string;
}
