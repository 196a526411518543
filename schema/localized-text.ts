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

// Pure, and kept where the gateway can load it without type-graphql's decorated classes.
export { pickText } from './pick-text';
