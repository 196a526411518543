import { Arg, Directive, Field, ID, ObjectType } from 'type-graphql';
import { LocalizedText, pickText } from './localized-text';
import { CountryCodeScalar, LanguageCodeScalar } from './scalars';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A VET school or other competent institution taking part in the federation.' })
export class Institution {
  @Field(() => ID, {
    description: 'The institution code, which is also the owner part of every ID it issues, e.g. "rvt.lv".',
  })
  id!: string;

  @Field(() => [LocalizedText], { description: 'Official names, one per language.' })
  names!: LocalizedText[];

  @Field(() => String, { nullable: true, description: 'The name in `lang`, falling back to English, then to any.' })
  name(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.names, lang);
  }

  @Field(() => CountryCodeScalar, { description: 'Country of the institution, ISO 3166-1 alpha-2.' })
  country!: string;

  @Field({ description: 'City or town of the main site.' })
  city!: string;

  @Field(() => String, { nullable: true, description: 'Public website.' })
  website!: string | null;
}
