import { Directive, Field, InputType, ObjectType } from 'type-graphql';
import { LanguageCodeScalar } from './scalars';

/** One translation of a text. Lists of these carry every multilingual field of the hub. */
@Directive('@shareable')
@ObjectType({ description: 'A text in one language.' })
export class LocalizedText {
  @Field(() => LanguageCodeScalar, { description: 'BCP 47 language tag of the text, e.g. "lv" or "en".' })
  lang!: string;

  @Field({ description: 'The text itself.' })
  value!: string;
}

@InputType({ description: 'A text in one language.' })
export class LocalizedTextInput {
  @Field(() => LanguageCodeScalar, { description: 'BCP 47 language tag of the text, e.g. "lv" or "en".' })
  lang!: string;

  @Field({ description: 'The text itself: not blank, at most 4,000 characters.' })
  value!: string;
}

/** The fallback every language picker uses: the asked language, then its base language, then English, then the first. */
export function pickText(texts: readonly LocalizedText[], lang: string | undefined): string | null {
  if (texts.length === 0) return null;
  const wanted = lang ?? 'en';
  const base = wanted.split('-')[0];
  const found =
    texts.find((t) => t.lang === wanted) ??
    texts.find((t) => t.lang.split('-')[0] === base) ??
    texts.find((t) => t.lang === 'en') ??
    texts[0];
  return found?.value ?? null;
}
