import { Field, ID, InputType, Int } from 'type-graphql';
import { LifecycleStatus } from '../../../schema/enums';
import { BadUserInputError } from '../../../schema/errors';
import { LOCAL_ID_PATTERN } from '../../../schema/ids';
import { LocalizedTextInput } from '../../../schema/localized-text';
import {
  CountryCodeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  EscoSkillUriScalar,
  IscedFieldCodeScalar,
  LanguageCodeScalar,
} from '../../../schema/scalars';
import { checkPattern, checkRange, checkTexts } from '../../shared/validation';
import { checkSearchText } from '../search';

@InputType({ description: 'An inclusive range of ECVET points; either end may be left open.' })
export class PointsRange {
  @Field(() => EcvetPointsScalar, { nullable: true, description: 'At least this many points.' })
  min?: number | null;

  @Field(() => EcvetPointsScalar, { nullable: true, description: 'At most this many points.' })
  max?: number | null;
}

@InputType({ description: 'Narrows a list of qualifications; all given conditions must hold.' })
export class QualificationFilter {
  @Field({
    nullable: true,
    description:
      "Words that must all occur in a title or description, in any language (accents, case and punctuation ignored; at most 200 characters). Through the hub, a text that finds nothing because some of its words are in no item gets the words most like them in the answer's `extensions.catalogue.suggestions`.",
  })
  text?: string;

  @Field(() => LanguageCodeScalar, {
    nullable: true,
    description:
      'The language `text` is written in. With `orderBy: RELEVANCE`, items whose texts in this language hold the words rank first; it narrows nothing.',
  })
  textLang?: string;

  @Field(() => EqfLevelScalar, { nullable: true, description: 'Only this EQF level.' })
  eqfLevel?: number;

  @Field(() => PointsRange, { nullable: true, description: 'Total ECVET points within this range.' })
  ecvetPoints?: PointsRange;

  @Field(() => IscedFieldCodeScalar, {
    nullable: true,
    description: 'ISCED-F field; 2 or 3 digits match every detailed field below it.',
  })
  iscedField?: string;

  @Field(() => EscoOccupationUriScalar, { nullable: true, description: 'Prepares for this ESCO occupation.' })
  escoOccupation?: string;

  @Field(() => EscoSkillUriScalar, {
    nullable: true,
    description: 'Has a unit with a learning outcome linked to this ESCO skill.',
  })
  escoSkill?: string;

  @Field(() => CountryCodeScalar, { nullable: true, description: 'Awarded by an institution in this country.' })
  country?: string;

  @Field(() => ID, { nullable: true, description: 'Awarded by this institution (its code).' })
  institution?: string;

  @Field(() => LifecycleStatus, { nullable: true, description: 'Only in this status.' })
  status?: LifecycleStatus;
}

@InputType({ description: 'A new qualification of the calling institution.' })
export class CreateQualificationInput {
  @Field({
    description:
      'The institution\'s own identifier: letters, digits, ".", "_", "-", at most 64 characters; the hub ID becomes "<institution>:<localId>".',
  })
  localId!: string;

  @Field(() => [LocalizedTextInput], { description: 'Titles, at least one; one per language.' })
  titles!: LocalizedTextInput[];

  @Field(() => [LocalizedTextInput], { defaultValue: [], description: 'Short descriptions, one per language.' })
  descriptions!: LocalizedTextInput[];

  @Field(() => EqfLevelScalar, { description: 'EQF level (1-8).' })
  eqfLevel!: number;

  @Field(() => Int, { nullable: true, description: 'National framework level, 1-10, where there is one.' })
  nqfLevel?: number | null;

  @Field(() => IscedFieldCodeScalar, { description: 'ISCED-F 2013 detailed field: exactly 4 digits.' })
  iscedCode!: string;

  @Field(() => EcvetPointsScalar, {
    description: 'ECVET points of the whole qualification; its units may not add up to more.',
  })
  ecvetPoints!: number;

  @Field(() => EscoOccupationUriScalar, { nullable: true, description: 'The ESCO occupation it prepares for.' })
  escoOccupation?: string | null;
}

@InputType({ description: 'Changes to a qualification; fields left out stay as they are.' })
export class UpdateQualificationInput {
  @Field(() => [LocalizedTextInput], { nullable: true, description: 'New titles (replace all).' })
  titles?: LocalizedTextInput[];

  @Field(() => [LocalizedTextInput], { nullable: true, description: 'New descriptions (replace all).' })
  descriptions?: LocalizedTextInput[];

  @Field(() => EqfLevelScalar, { nullable: true, description: 'EQF level (1-8).' })
  eqfLevel?: number;

  @Field(() => Int, { nullable: true, description: 'National framework level, 1-10.' })
  nqfLevel?: number | null;

  @Field(() => IscedFieldCodeScalar, { nullable: true, description: 'ISCED-F 2013 detailed field: exactly 4 digits.' })
  iscedCode?: string;

  @Field(() => EcvetPointsScalar, {
    nullable: true,
    description: 'ECVET points; may not fall below the points of its active units.',
  })
  ecvetPoints?: number;

  @Field(() => EscoOccupationUriScalar, { nullable: true, description: 'The ESCO occupation it prepares for.' })
  escoOccupation?: string | null;

  @Field(() => LifecycleStatus, { nullable: true, description: 'Retire or reactivate the qualification.' })
  status?: LifecycleStatus;
}

function checkIsced(field: string, code: string): void {
  if (code.length !== 4)
    throw new BadUserInputError(`${field} must be a 4-digit ISCED-F detailed field (got "${code}")`, field);
}

function checkNqf(field: string, level: number | null | undefined): void {
  if (level != null && (level < 1 || level > 10))
    throw new BadUserInputError(`${field} must be from 1 to 10 (got ${level})`, field);
}

export function validateCreateQualification(input: CreateQualificationInput): void {
  checkPattern(
    'input.localId',
    input.localId,
    LOCAL_ID_PATTERN,
    'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );
  checkTexts('input.titles', input.titles, { maxLength: 300 });
  checkTexts('input.descriptions', input.descriptions, { required: false });
  checkIsced('input.iscedCode', input.iscedCode);
  checkNqf('input.nqfLevel', input.nqfLevel);
}

export function validateUpdateQualification(input: UpdateQualificationInput): void {
  if (input.titles) checkTexts('input.titles', input.titles, { maxLength: 300 });
  if (input.descriptions) checkTexts('input.descriptions', input.descriptions, { required: false });
  if (input.iscedCode) checkIsced('input.iscedCode', input.iscedCode);
  checkNqf('input.nqfLevel', input.nqfLevel);
}

export function validateQualificationFilter(filter: QualificationFilter | undefined): void {
  checkSearchText('filter.text', filter?.text);
  checkRange('filter.ecvetPoints', filter?.ecvetPoints?.min, filter?.ecvetPoints?.max);
}
