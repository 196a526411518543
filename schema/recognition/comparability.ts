import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LearningOutcomeCategory } from '../enums';
import { EcvetPointsScalar, EqfLevelScalar, EscoSkillUriScalar } from '../scalars';
import { whenOwnerFails } from '../mobility/references';
import { RecognitionUnitRef } from './references';

/**
 * How far two units of learning outcomes match: the contract of `Query.compareUnits` and `Unit.equivalents`.
 * The score's formula is stated in `UnitComparison.score`; the recognition kind's `score.ts` implements it.
 */
export const SCORE_FORMULA =
  'score = 0.6 × skillSimilarity + 0.2 × outcomeCategorySimilarity + 0.1 × eqfCloseness + 0.1 × ecvetPointsRatio, in [0, 1]. ' +
  'skillSimilarity = (2 × shared skills + ½ × related skills) / (skills of A + skills of B), 0 when neither has skills; a related skill is one ' +
  'of either unit, not shared, that ESCO relates to a skill of the other (one is the direct broader concept of the other, or both have the ' +
  'same direct broader concept), counted only where the answering shard has ESCO imported. outcomeCategorySimilarity = Σ over ' +
  "KNOWLEDGE, SKILLS, COMPETENCE of the smaller of the two units' shares of learning outcomes in that category. " +
  'eqfCloseness = 1 − |EQF level difference| / 7. ecvetPointsRatio = smaller / larger ECVET points (1 when both are 0).';

export enum EscoSkillRelation {
  BROADER = 'BROADER',
  NARROWER = 'NARROWER',
  SIBLING = 'SIBLING',
}
registerEnumType(EscoSkillRelation, {
  name: 'EscoSkillRelation',
  description: "How a skill of unit A stands to a skill of unit B in ESCO's hierarchy.",
  valuesConfig: {
    BROADER: { description: "A's skill is the direct broader concept of B's." },
    NARROWER: { description: "A's skill is a direct narrower concept of B's." },
    SIBLING: { description: 'Both skills have the same direct broader concept (`via`).' },
  },
});

@ObjectType({ description: 'An ESCO skill in a comparison, with what the answering shard knows of it from ESCO.' })
export class ComparedSkill {
  @Field(() => EscoSkillUriScalar, { description: 'The ESCO skill URI.' })
  uri!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "ESCO's English preferred label; null when the answering shard has not imported ESCO or does not know the skill.",
  })
  label!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'ESCO skill type ("skill/competence" or "knowledge"); null for skill groups and unknown skills.',
  })
  skillType!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'ESCO reuse level ("transversal", "cross-sector", "sector-specific", "occupation-specific"); null when unknown.',
  })
  reuseLevel!: string | null;
}

@ObjectType({
  description:
    "Two skills, one only in A and one only in B, that ESCO's hierarchy relates: each earns half the credit of a shared skill.",
})
export class RelatedSkillPair {
  @Field(() => ComparedSkill, { description: 'The skill only unit A has.' })
  skillOfA!: ComparedSkill;

  @Field(() => ComparedSkill, { description: 'The skill only unit B has.' })
  skillOfB!: ComparedSkill;

  @Field(() => EscoSkillRelation, { description: "How A's skill stands to B's." })
  relation!: EscoSkillRelation;

  @Field(() => String, {
    nullable: true,
    description:
      'For SIBLING: the URI of the broader ESCO concept both have (a skill group or an ISCED-F field); null otherwise.',
  })
  viaUri!: string | null;

  @Field(() => String, { nullable: true, description: "For SIBLING: that concept's ESCO label, when known." })
  viaLabel!: string | null;
}

@ObjectType({ description: "A unit's learning outcomes of one EQF category." })
export class OutcomeCategoryProfile {
  @Field(() => LearningOutcomeCategory, { description: 'Knowledge, skills or competence.' })
  category!: LearningOutcomeCategory;

  @Field(() => Int, {
    description:
      "How many of the unit's learning outcomes are of this category (0 included, so every category is listed).",
  })
  outcomes!: number;

  @Field(() => [EscoSkillUriScalar], {
    description: 'The ESCO skills those outcomes evidence, without repeats, in URI order.',
  })
  escoSkills!: string[];
}

@ObjectType({ description: 'One side of a comparison: the unit and the figures the comparison used.' })
export class ComparedUnit {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, {
    nullable: true,
    description: `The unit (its other fields come from its owner).${whenOwnerFails('unitId')}`,
  })
  unit!: RecognitionUnitRef;

  @Field(() => EqfLevelScalar, { description: 'Its EQF level.' })
  eqfLevel!: number;

  @Field(() => EcvetPointsScalar, { description: 'Its ECVET points.' })
  ecvetPoints!: number;

  @Field(() => [OutcomeCategoryProfile], {
    description: 'Its learning outcomes per category: KNOWLEDGE, SKILLS, COMPETENCE, in that order.',
  })
  outcomesByCategory!: OutcomeCategoryProfile[];
}

@ObjectType({
  description:
    'How far two units of learning outcomes (of any institutions) match, for deciding whether a unit achieved abroad can stand for a home unit: ' +
    'the figures, the skills behind them, and one `score` whose formula its description states.',
})
export class UnitComparison {
  @Field(() => ComparedUnit, { description: 'Unit A, as given in `a`.' })
  a!: ComparedUnit;

  @Field(() => ComparedUnit, { description: 'Unit B, as given in `b`.' })
  b!: ComparedUnit;

  @Field(() => Float, {
    description: `One figure for the match, from 0 (nothing in common) to 1 (alike), rounded to 4 decimals. ${SCORE_FORMULA}`,
  })
  score!: number;

  @Field(() => Float, {
    description:
      'The ESCO skill part of the score, in [0, 1]: (2 × shared + ½ × related) / (skills of A + skills of B).',
  })
  skillSimilarity!: number;

  @Field(() => Float, {
    description:
      "The outcome category part of the score, in [0, 1]: Σ per category of the smaller of the units' shares of outcomes.",
  })
  outcomeCategorySimilarity!: number;

  @Field(() => Float, { description: 'The EQF part of the score, in [0, 1]: 1 − |eqfLevelDifference| / 7.' })
  eqfCloseness!: number;

  @Field(() => Int, { description: "EQF level of B minus EQF level of A (positive when B's level is higher)." })
  eqfLevelDifference!: number;

  @Field(() => Float, { description: 'Smaller ECVET points divided by larger, in [0, 1] (1 when both are 0).' })
  ecvetPointsRatio!: number;

  @Field(() => [ComparedSkill], { description: 'ESCO skills both units evidence.' })
  sharedSkills!: ComparedSkill[];

  @Field(() => [ComparedSkill], { description: 'ESCO skills only unit A evidences: what B would leave missing.' })
  skillsOnlyInA!: ComparedSkill[];

  @Field(() => [ComparedSkill], { description: 'ESCO skills only unit B evidences: what A would leave missing.' })
  skillsOnlyInB!: ComparedSkill[];

  @Field(() => [RelatedSkillPair], {
    description:
      "Skills only in A and only in B that ESCO's hierarchy relates (partial credit); empty without ESCO data.",
  })
  relatedSkills!: RelatedSkillPair[];

  @Field({
    description:
      'Whether the answering shard has ESCO imported (`npm run esco:import`): without it labels are null and no skill earns partial credit.',
  })
  escoImported!: boolean;
}

@ObjectType({ description: 'A unit of another institution that compares well with this one.' })
export class UnitEquivalent {
  @Field(() => ID, { description: 'Hub ID of the comparable unit.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, { nullable: true, description: `The comparable unit.${whenOwnerFails('unitId')}` })
  unit!: RecognitionUnitRef;

  @Field(() => Float, { description: 'Its comparison score with this unit (`UnitComparison.score`), in [0, 1].' })
  score!: number;

  @Field(() => UnitComparison, { description: 'The full comparison, with this unit as A and the equivalent as B.' })
  comparison!: UnitComparison;
}
