import { Arg, Directive, Field, ID, ObjectType } from 'type-graphql';
import { LifecycleStatus } from './enums';
import { LocalizedText, pickText } from './localized-text';
import { DateTimeScalar, EcvetPointsScalar, EqfLevelScalar, LanguageCodeScalar, LocalDateScalar } from './scalars';

// Shareable: a learning agreement's assessment criteria per learning outcome (mobilities kind) use the same type.
@Directive('@shareable')
@ObjectType({ description: 'A criterion an assessor applies to decide whether the unit is achieved.' })
export class AssessmentCriterion {
  @Field(() => [LocalizedText], { description: 'The criterion, one per language.' })
  texts!: LocalizedText[];

  @Field(() => String, {
    nullable: true,
    description: 'The criterion in `lang`, falling back to English, then to any.',
  })
  text(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.texts, lang);
  }
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A unit of learning outcomes: the part of a qualification that can be assessed, validated and recognised on its own, ' +
    'and so achieved abroad. Owned by the institution that awards the qualification.',
})
export class Unit {
  @Field(() => ID, { description: 'Hub ID: "<institution code>:<local id>", e.g. "rvt.lv:WELD-U3".' })
  id!: string;

  @Field({ description: 'The identifier the awarding institution uses for it.' })
  localId!: string;

  @Field(() => [LocalizedText], { description: 'Titles, one per language.' })
  titles!: LocalizedText[];

  @Field(() => String, { nullable: true, description: 'The title in `lang`, falling back to English, then to any.' })
  title(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.titles, lang);
  }

  @Field(() => EqfLevelScalar, { description: 'EQF level of the unit (1-8).' })
  eqfLevel!: number;

  @Field(() => EcvetPointsScalar, { description: 'ECVET points allocated to the unit.' })
  ecvetPoints!: number;

  @Field(() => [AssessmentCriterion], { description: 'How achievement of the unit is assessed.' })
  assessmentCriteria!: AssessmentCriterion[];

  @Field(() => LocalDateScalar, { description: 'First day the unit is offered.' })
  validFrom!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day the unit is offered; null when open-ended.' })
  validUntil!: string | null;

  @Field(() => LifecycleStatus, { description: 'Whether it is still offered.' })
  status!: LifecycleStatus;

  @Field(() => DateTimeScalar, { description: 'When the awarding institution last changed it.' })
  updatedAt!: string;
}
