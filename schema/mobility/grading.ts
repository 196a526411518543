import { Arg, Field, ID, ObjectType } from 'type-graphql';
import { Grade } from '../grading-scale';
import { LocalizedText, pickText } from '../localized-text';
import { LanguageCodeScalar } from '../scalars';
import { AssessmentCriterion } from '../unit';
import { LearningOutcomeRef, whenOwnerFails } from './references';

@ObjectType({
  description:
    'The grading scale an agreed unit is graded on, as it stood when the version was proposed: a later change to the ' +
    'published scale does not change what the parties signed. Grades are checked against it, and achievement follows from its pass grade.',
})
export class AgreedGradingScale {
  @Field(() => ID, { description: 'Hub ID of the published scale (GradingScale) it was copied from.' })
  id!: string;

  @Field(() => [LocalizedText], { description: 'Name of the scale, one per language.' })
  titles!: LocalizedText[];

  @Field(() => String, { nullable: true, description: 'The name in `lang`, falling back to English, then to any.' })
  title(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.titles, lang);
  }

  @Field(() => [Grade], { description: 'Every grade, best first.' })
  grades!: Grade[];

  @Field({ description: 'The lowest grade that passes.' })
  passGrade!: string;
}

@ObjectType({ description: 'The assessment criteria the parties agreed for one learning outcome.' })
export class OutcomeAssessmentCriteria {
  @Field(() => ID, { description: 'Hub ID of the learning outcome (one agreed for the unit).' })
  learningOutcomeId!: string;

  @Field(() => LearningOutcomeRef, {
    nullable: true,
    description: `The learning outcome.${whenOwnerFails('learningOutcomeId')}`,
  })
  learningOutcome!: LearningOutcomeRef;

  @Field(() => [AssessmentCriterion], {
    description: 'Observable performance and the standard it must meet, in the languages of the agreement.',
  })
  criteria!: AssessmentCriterion[];
}
