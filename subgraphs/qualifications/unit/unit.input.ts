import { Field, ID, InputType } from 'type-graphql';
import { LearningOutcomeCategory, LifecycleStatus } from '../../../schema/enums';
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
  LocalDateScalar,
} from '../../../schema/scalars';
import { checkPattern, checkRange, checkTexts } from '../../shared/validation';
import { PointsRange } from '../qualification/qualification.input';
import { checkSearchText } from '../search';

@InputType({ description: 'Narrows a list of units; all given conditions must hold.' })
export class UnitFilter {
  @Field({
    nullable: true,
    description:
      "Words that must all occur in a title, learning outcome or criterion, in any language (accents, case and punctuation ignored; at most 200 characters). Through the hub, a text that finds nothing because some of its words are in no item gets the words most like them in the answer's `extensions.catalogue.suggestions`.",
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

  @Field(() => PointsRange, { nullable: true, description: 'ECVET points within this range.' })
  ecvetPoints?: PointsRange;

  @Field(() => IscedFieldCodeScalar, {
    nullable: true,
    description: "The qualification's ISCED-F field; 2 or 3 digits match every detailed field below it.",
  })
  iscedField?: string;

  @Field(() => [EscoSkillUriScalar], {
    nullable: true,
    description: 'Has a learning outcome linked to at least one of these ESCO skills (at most 20).',
  })
  escoSkills?: string[];

  @Field(() => EscoOccupationUriScalar, {
    nullable: true,
    description: 'Belongs to a qualification for this ESCO occupation.',
  })
  escoOccupation?: string;

  @Field(() => CountryCodeScalar, { nullable: true, description: 'Awarded by an institution in this country.' })
  country?: string;

  @Field(() => ID, { nullable: true, description: 'Awarded by this institution (its code).' })
  institution?: string;

  @Field(() => ID, { nullable: true, description: 'Part of this qualification (hub ID).' })
  qualification?: string;

  @Field(() => LifecycleStatus, { nullable: true, description: 'Only in this status.' })
  status?: LifecycleStatus;
}

@InputType({ description: 'A learning outcome of a unit; its position is its place in the list.' })
export class LearningOutcomeInput {
  @Field(() => LearningOutcomeCategory, { description: 'Knowledge, skills or competence.' })
  category!: LearningOutcomeCategory;

  @Field(() => [LocalizedTextInput], { description: 'The statement, at least one language; one per language.' })
  statements!: LocalizedTextInput[];

  @Field(() => [EscoSkillUriScalar], { defaultValue: [], description: 'ESCO skills it evidences (at most 20).' })
  escoSkills!: string[];
}

@InputType({ description: 'A criterion for assessing the unit.' })
export class AssessmentCriterionInput {
  @Field(() => [LocalizedTextInput], { description: 'The criterion, at least one language; one per language.' })
  texts!: LocalizedTextInput[];
}

@InputType({ description: "A new unit of learning outcomes in one of the calling institution's qualifications." })
export class CreateUnitInput {
  @Field(() => ID, { description: 'Hub ID of the qualification the unit belongs to; the unit is stored by its owner.' })
  qualificationId!: string;

  @Field({
    description: 'The institution\'s own identifier for the unit (letters, digits, ".", "_", "-"; at most 64).',
  })
  localId!: string;

  @Field(() => [LocalizedTextInput], { description: 'Titles, at least one; one per language.' })
  titles!: LocalizedTextInput[];

  @Field(() => EqfLevelScalar, { description: 'EQF level (1-8).' })
  eqfLevel!: number;

  @Field(() => EcvetPointsScalar, {
    description: "ECVET points, more than 0; the qualification's active units may not exceed its points.",
  })
  ecvetPoints!: number;

  @Field(() => [LearningOutcomeInput], { description: 'Learning outcomes, 1 to 50, in order.' })
  learningOutcomes!: LearningOutcomeInput[];

  @Field(() => [AssessmentCriterionInput], { defaultValue: [], description: 'Assessment criteria, in order.' })
  assessmentCriteria!: AssessmentCriterionInput[];

  @Field(() => LocalDateScalar, { description: 'First day the unit is offered.' })
  validFrom!: string;

  @Field(() => LocalDateScalar, {
    nullable: true,
    description: 'Last day it is offered, not before validFrom; null when open-ended.',
  })
  validUntil?: string | null;
}

@InputType({ description: 'Changes to a unit; fields left out stay as they are. Lists replace the whole list.' })
export class UpdateUnitInput {
  @Field(() => [LocalizedTextInput], { nullable: true, description: 'New titles.' })
  titles?: LocalizedTextInput[];

  @Field(() => EqfLevelScalar, { nullable: true, description: 'EQF level (1-8).' })
  eqfLevel?: number;

  @Field(() => EcvetPointsScalar, { nullable: true, description: 'ECVET points, more than 0.' })
  ecvetPoints?: number;

  @Field(() => [LearningOutcomeInput], {
    nullable: true,
    description: 'New learning outcomes (1-50); IDs follow positions.',
  })
  learningOutcomes?: LearningOutcomeInput[];

  @Field(() => [AssessmentCriterionInput], { nullable: true, description: 'New assessment criteria.' })
  assessmentCriteria?: AssessmentCriterionInput[];

  @Field(() => LocalDateScalar, { nullable: true, description: 'First day the unit is offered.' })
  validFrom?: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last day it is offered; null to make it open-ended.' })
  validUntil?: string | null;
}

const MAX_OUTCOMES = 50;
const MAX_SKILLS = 20;

function checkPoints(field: string, points: number): void {
  if (points <= 0) throw new BadUserInputError(`${field} must be more than 0 (got ${points})`, field);
}

function checkOutcomes(outcomes: readonly LearningOutcomeInput[]): void {
  if (outcomes.length === 0 || outcomes.length > MAX_OUTCOMES) {
    throw new BadUserInputError(
      `input.learningOutcomes must hold 1 to ${MAX_OUTCOMES} outcomes (got ${outcomes.length})`,
      'input.learningOutcomes',
    );
  }
  outcomes.forEach((outcome, index) => {
    const field = `input.learningOutcomes[${index}]`;
    checkTexts(`${field}.statements`, outcome.statements);
    if (outcome.escoSkills.length > MAX_SKILLS) {
      throw new BadUserInputError(`${field}.escoSkills may hold at most ${MAX_SKILLS} skills`, `${field}.escoSkills`);
    }
  });
}

function checkCriteria(criteria: readonly AssessmentCriterionInput[]): void {
  criteria.forEach((criterion, index) => checkTexts(`input.assessmentCriteria[${index}].texts`, criterion.texts));
}

export function checkValidity(validFrom: string, validUntil: string | null | undefined): void {
  if (validUntil && validUntil < validFrom) {
    throw new BadUserInputError(
      `input.validUntil (${validUntil}) must not be before validFrom (${validFrom})`,
      'input.validUntil',
    );
  }
}

export function validateCreateUnit(input: CreateUnitInput): void {
  checkPattern(
    'input.localId',
    input.localId,
    LOCAL_ID_PATTERN,
    'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );
  checkTexts('input.titles', input.titles, { maxLength: 300 });
  checkPoints('input.ecvetPoints', input.ecvetPoints);
  checkOutcomes(input.learningOutcomes);
  checkCriteria(input.assessmentCriteria);
  checkValidity(input.validFrom, input.validUntil);
}

export function validateUpdateUnit(input: UpdateUnitInput): void {
  if (input.titles) checkTexts('input.titles', input.titles, { maxLength: 300 });
  if (input.ecvetPoints != null) checkPoints('input.ecvetPoints', input.ecvetPoints);
  if (input.learningOutcomes) checkOutcomes(input.learningOutcomes);
  if (input.assessmentCriteria) checkCriteria(input.assessmentCriteria);
}

export function validateUnitFilter(filter: UnitFilter | undefined): void {
  checkSearchText('filter.text', filter?.text);
  checkRange('filter.ecvetPoints', filter?.ecvetPoints?.min, filter?.ecvetPoints?.max);
  if (filter?.escoSkills && filter.escoSkills.length > MAX_SKILLS) {
    throw new BadUserInputError(`filter.escoSkills may hold at most ${MAX_SKILLS} skills`, 'filter.escoSkills');
  }
}
