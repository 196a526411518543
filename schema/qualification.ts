import { Arg, Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { LifecycleStatus } from './enums';
import { LocalizedText, pickText } from './localized-text';
import {
  DateTimeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  IscedFieldCodeScalar,
  LanguageCodeScalar,
} from './scalars';

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A qualification described in units of learning outcomes, owned by the institution that awards it. ' +
    'Its units, institution and learning outcomes are resolved by the owning institution.',
})
export class Qualification {
  @Field(() => ID, { description: 'Hub ID: "<institution code>:<local id>", e.g. "rvt.lv:WELD".' })
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

  @Field(() => [LocalizedText], { description: 'Short descriptions of the qualification, one per language.' })
  descriptions!: LocalizedText[];

  @Field(() => String, {
    nullable: true,
    description: 'The description in `lang`, falling back to English, then to any.',
  })
  description(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.descriptions, lang);
  }

  @Field(() => EqfLevelScalar, { description: 'EQF level (1-8).' })
  eqfLevel!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Level in the national qualifications framework, where it has one.',
  })
  nqfLevel!: number | null;

  @Field(() => IscedFieldCodeScalar, { description: 'ISCED-F 2013 detailed field (4 digits), e.g. "0715".' })
  iscedCode!: string;

  @Field(() => EcvetPointsScalar, {
    description: 'ECVET points of the whole qualification (60 = one year of full-time VET).',
  })
  ecvetPoints!: number;

  @Field(() => EscoOccupationUriScalar, { nullable: true, description: 'The ESCO occupation it prepares for.' })
  escoOccupation!: string | null;

  @Field(() => LifecycleStatus, { description: 'Whether it is still offered.' })
  status!: LifecycleStatus;

  @Field(() => DateTimeScalar, { description: 'When the awarding institution last changed it.' })
  updatedAt!: string;
}
