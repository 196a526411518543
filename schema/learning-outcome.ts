import { Arg, Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { LearningOutcomeCategory } from './enums';
import { LocalizedText, pickText } from './localized-text';
import { EscoSkillUriScalar, LanguageCodeScalar } from './scalars';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'What a learner knows, understands and is able to do on completing a unit.' })
export class LearningOutcome {
  @Field(() => ID, { description: 'Hub ID: "<institution code>:<local id>".' })
  id!: string;

  @Field(() => Int, { description: 'Position within its unit, from 1.' })
  position!: number;

  @Field(() => LearningOutcomeCategory, { description: 'Knowledge, skills or competence.' })
  category!: LearningOutcomeCategory;

  @Field(() => [LocalizedText], { description: 'The outcome statement, one per language.' })
  statements!: LocalizedText[];

  @Field(() => String, {
    nullable: true,
    description: 'The statement in `lang`, falling back to English, then to any.',
  })
  statement(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.statements, lang);
  }

  @Field(() => [EscoSkillUriScalar], { description: 'ESCO skills and competences this outcome evidences.' })
  escoSkills!: string[];
}
