import { Field, Float, InputType } from 'type-graphql';
import { LocalizedTextInput } from '../../../schema/localized-text';

@InputType({ description: 'One grade of a scale being published.' })
export class GradeInput {
  @Field({ description: 'The grade as written on an assessment (1-40 characters), unique on the scale.' })
  value!: string;

  @Field(() => [LocalizedTextInput], { description: 'What the grade means, one per language.' })
  labels!: LocalizedTextInput[];

  @Field(() => Float, {
    nullable: true,
    description: 'Share of learners given this grade, in percent; give it for every grade (adding up to 100) or none.',
  })
  share?: number | null;
}

@InputType({ description: "A grading scale of the calling coordinator's institution, published whole." })
export class PublishGradingScaleInput {
  @Field({ description: 'Local ID of the scale; publishing an existing one replaces it.' })
  localId!: string;

  @Field(() => [LocalizedTextInput], { description: 'Name of the scale, one per language.' })
  titles!: LocalizedTextInput[];

  @Field(() => [GradeInput], { description: 'Every grade, best first; at least two.' })
  grades!: GradeInput[];

  @Field({ description: 'The lowest grade that passes: one of `grades`.' })
  passGrade!: string;
}
