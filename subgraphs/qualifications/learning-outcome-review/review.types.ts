import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LearningOutcomeCategory } from '../../../schema/enums';
import { EqfLevelScalar, EscoSkillUriScalar, LanguageCodeScalar } from '../../../schema/scalars';

export enum LearningOutcomeFindingCode {
  VAGUE_VERB = 'VAGUE_VERB',
  NO_OBSERVABLE_VERB = 'NO_OBSERVABLE_VERB',
  MULTIPLE_OUTCOMES = 'MULTIPLE_OUTCOMES',
  DESCRIBES_TEACHING = 'DESCRIBES_TEACHING',
  MISSING_OBJECT = 'MISSING_OBJECT',
  MISSING_CONTEXT = 'MISSING_CONTEXT',
  CATEGORY_DIFFERS = 'CATEGORY_DIFFERS',
  EQF_LEVEL_DIFFERS = 'EQF_LEVEL_DIFFERS',
  LANGUAGE_NOT_CHECKED = 'LANGUAGE_NOT_CHECKED',
}
registerEnumType(LearningOutcomeFindingCode, {
  name: 'LearningOutcomeFindingCode',
  description:
    'What a learning outcome review found, after CEDEFOP\'s handbook "Defining, writing and applying learning outcomes".',
  valuesConfig: {
    VAGUE_VERB: { description: 'A verb that cannot be observed or assessed ("know", "understand", "be aware of").' },
    NO_OBSERVABLE_VERB: { description: 'No action verb says what the learner does.' },
    MULTIPLE_OUTCOMES: { description: 'Three or more actions: several outcomes in one statement.' },
    DESCRIBES_TEACHING: { description: 'Describes teaching ("learners will be taught …") instead of learning.' },
    MISSING_OBJECT: { description: 'The action has no object (what it is done to).' },
    MISSING_CONTEXT: { description: 'A skill or competence names no context, tools or standard.' },
    CATEGORY_DIFFERS: { description: 'The statement reads as another category than the one given.' },
    EQF_LEVEL_DIFFERS: { description: "Its verbs and scope suggest an EQF level more than one away from the unit's." },
    LANGUAGE_NOT_CHECKED: { description: 'The form checks do not know this language (ESCO suggestions still work).' },
  },
});

export enum EqfDescriptorColumn {
  KNOWLEDGE = 'KNOWLEDGE',
  SKILLS = 'SKILLS',
  RESPONSIBILITY_AND_AUTONOMY = 'RESPONSIBILITY_AND_AUTONOMY',
}
registerEnumType(EqfDescriptorColumn, {
  name: 'EqfDescriptorColumn',
  description: 'A column of the EQF level descriptors (2017 Council Recommendation, Annex II).',
});

@ObjectType({ description: 'One thing a review found on the form of a learning outcome statement.' })
export class LearningOutcomeFinding {
  @Field(() => LearningOutcomeFindingCode, { description: 'What was found.' })
  code!: LearningOutcomeFindingCode;

  @Field({ description: 'What is wrong and how to write it, in English.' })
  message!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Start of the span concerned (UTF-16 offset); null: the whole statement.',
  })
  start!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'End of the span concerned (exclusive); null: the whole statement.',
  })
  end!: number | null;

  @Field(() => String, { nullable: true, description: 'The text of the span, as written.' })
  text!: string | null;

  @Field(() => [String], { description: "Words to write instead, in the statement's language; may be empty." })
  suggestions!: string[];
}

@ObjectType({ description: 'The EQF level a statement reads as, with the descriptor it matched.' })
export class EqfLevelMatch {
  @Field(() => EqfLevelScalar, { description: 'EQF level, 1-8.' })
  level!: number;

  @Field(() => EqfDescriptorColumn, { description: "The descriptor column of the outcome's category." })
  column!: EqfDescriptorColumn;

  @Field({ description: 'The descriptor text of that level and column, in English as the Recommendation states it.' })
  descriptor!: string;

  @Field(() => [String], { description: 'The words of the statement (verbs, scope) that placed it at this level.' })
  matchedWords!: string[];

  @Field({ description: 'Where the descriptor comes from.' })
  source!: string;
}

@ObjectType({ description: 'An ESCO skill or knowledge concept, or skill group, that matches a statement.' })
export class EscoConceptSuggestion {
  @Field(() => EscoSkillUriScalar, { description: 'The concept URI.' })
  uri!: string;

  @Field({ description: 'Its preferred label in `lang`.' })
  preferredLabel!: string;

  @Field(() => LanguageCodeScalar, {
    description:
      "The statement's language if ESCO is loaded in it, else English (the statement then matched by character 4-grams, not translated).",
  })
  lang!: string;

  @Field({
    description:
      'ESCO\'s conceptType: "KnowledgeSkillCompetence" for a skill or knowledge concept, "SkillGroup" for a group of them.',
  })
  conceptType!: string;

  @Field(() => String, { nullable: true, description: '"skill/competence" or "knowledge"; null for a skill group.' })
  skillType!: string | null;

  @Field(() => Float, { description: 'BM25 score: higher matches better; comparable within one answer only.' })
  score!: number;

  @Field(() => [String], {
    description:
      "The statement's words found in its labels or description; across languages, the words sharing a 4-letter root part with them.",
  })
  matchedWords!: string[];
}

@ObjectType({
  description: 'A review of one learning outcome statement: its form, category, EQF level and ESCO concepts.',
})
export class LearningOutcomeReview {
  @Field({ description: 'The statement reviewed.' })
  statement!: string;

  @Field(() => LanguageCodeScalar, { description: 'Its language.' })
  lang!: string;

  @Field(() => [LearningOutcomeFinding], {
    description: 'Findings on its form, in order of the text; empty when well formed.',
  })
  findings!: LearningOutcomeFinding[];

  @Field(() => LearningOutcomeCategory, {
    nullable: true,
    description: 'The category it reads as when that differs from the one given; null when the same or unclear.',
  })
  suggestedCategory!: LearningOutcomeCategory | null;

  @Field(() => EqfLevelMatch, {
    nullable: true,
    description: 'The EQF level its verbs and scope suggest; null: no evidence.',
  })
  eqf!: EqfLevelMatch | null;

  @Field(() => [EscoConceptSuggestion], { description: 'ESCO concepts ranked by how well they match, best first.' })
  escoSuggestions!: EscoConceptSuggestion[];

  @Field(() => [LanguageCodeScalar], {
    description: 'Languages whose ESCO files are loaded on the shard that answered.',
  })
  escoLanguages!: string[];
}

@ObjectType({
  description: "The review of one statement of a unit's learning outcome, as createUnit/updateUnit return it.",
})
export class UnitOutcomeReview {
  @Field(() => Int, { description: 'Position of the outcome in the unit, from 0.' })
  outcome!: number;

  @Field(() => LearningOutcomeReview, { description: 'The review of its statement in one language.' })
  review!: LearningOutcomeReview;

  @Field({ description: 'Whether the institution made one of its findings blocking (then the write was refused).' })
  blocking!: boolean;
}

@ObjectType({ description: "A learning outcome of an institution's unit that says much the same as a statement." })
export class SimilarLearningOutcome {
  @Field(() => ID, { description: 'Hub ID of the learning outcome.' })
  outcomeId!: string;

  @Field(() => ID, { description: 'Hub ID of its unit.' })
  unitId!: string;

  @Field({ description: 'The institution that awards the unit.' })
  institution!: string;

  @Field({ description: 'Its statement in the asked language, else English, else the first.' })
  statement!: string;

  @Field(() => LanguageCodeScalar, { description: 'The language of `statement`.' })
  lang!: string;

  @Field(() => Float, { description: 'BM25 score within its institution; sort the merged list by it.' })
  score!: number;

  @Field(() => [String], { description: 'The words both statements share.' })
  matchedWords!: string[];
}
