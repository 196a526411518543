import { LearningOutcomeCategory } from '../../../schema/enums';

/**
 * How far two units match, as a pure function of what the hub says about them (and, when the shard has ESCO
 * imported, one step of ESCO's hierarchy). The formula is part of the public contract: it is quoted in the
 * schema's description of `UnitComparison.score` and in the README, so change all three together.
 *
 *   score = 0.6 × skills + 0.2 × outcome categories + 0.1 × EQF closeness + 0.1 × points ratio
 *
 * - skills: a Dice coefficient over the two units' ESCO skills, (2 × shared + ½ × related) / (|A| + |B|), where
 *   `related` counts the skills of either unit that are not shared but that ESCO relates to a skill of the other
 *   (one is the direct broader concept of the other, or both have the same direct broader concept); 0 when
 *   neither unit has skills.
 * - outcome categories: Σ over knowledge / skills / competence of the smaller of the two units' shares of
 *   learning outcomes in that category (1 when both split their outcomes alike; 1 when both have none).
 * - EQF closeness: 1 − |EQF level of A − EQF level of B| / 7.
 * - points ratio: smaller / larger ECVET points (1 when both are 0).
 */
export const SCORE_WEIGHTS = { skills: 0.6, outcomeCategories: 0.2, eqfLevel: 0.1, ecvetPoints: 0.1 } as const;

/** Credit a related (not shared) skill earns, against 1 for a shared one. */
export const RELATED_SKILL_CREDIT = 0.5;

export const CATEGORIES = [
  LearningOutcomeCategory.KNOWLEDGE,
  LearningOutcomeCategory.SKILLS,
  LearningOutcomeCategory.COMPETENCE,
] as const;

/** A unit as a comparison needs it: what `unit(id:)` at the hub answers. */
export interface UnitProfile {
  id: string;
  institution: string;
  eqfLevel: number;
  ecvetPoints: number;
  outcomes: ReadonlyArray<{ category: LearningOutcomeCategory; escoSkills: readonly string[] }>;
}

/** Direct broader concepts per concept URI; empty when the shard has no ESCO data. */
export type BroaderOf = (uri: string) => readonly string[];

export type SkillRelation = 'BROADER' | 'NARROWER' | 'SIBLING';

export interface RelatedSkills {
  /** A skill only unit A has. */
  a: string;
  /** A skill only unit B has. */
  b: string;
  /** How `a` stands to `b`: its broader concept, a narrower one, or a sibling under `via`. */
  relation: SkillRelation;
  via: string | null;
}

export interface CategoryCount {
  category: LearningOutcomeCategory;
  outcomes: number;
  escoSkills: string[];
}

export interface ComparisonFigures {
  score: number;
  skillSimilarity: number;
  outcomeCategorySimilarity: number;
  eqfCloseness: number;
  /** EQF level of B minus EQF level of A. */
  eqfLevelDifference: number;
  ecvetPointsRatio: number;
  shared: string[];
  onlyInA: string[];
  onlyInB: string[];
  related: RelatedSkills[];
  outcomesA: CategoryCount[];
  outcomesB: CategoryCount[];
}

/** Rounded so that equal comparisons print equal, whatever the order of the additions. */
const round = (value: number) => Math.round(value * 10_000) / 10_000;

export function skillsOf(unit: UnitProfile): string[] {
  return [...new Set(unit.outcomes.flatMap((o) => o.escoSkills))].sort();
}

function relationBetween(a: string, b: string, broaderOf: BroaderOf): Pick<RelatedSkills, 'relation' | 'via'> | null {
  const aUp = broaderOf(a);
  const bUp = broaderOf(b);
  if (bUp.includes(a)) return { relation: 'BROADER', via: null };
  if (aUp.includes(b)) return { relation: 'NARROWER', via: null };
  const common = aUp.find((uri) => bUp.includes(uri));
  return common ? { relation: 'SIBLING', via: common } : null;
}

function categoryCounts(unit: UnitProfile): CategoryCount[] {
  return CATEGORIES.map((category) => {
    const outcomes = unit.outcomes.filter((o) => o.category === category);
    return {
      category,
      outcomes: outcomes.length,
      escoSkills: [...new Set(outcomes.flatMap((o) => o.escoSkills))].sort(),
    };
  });
}

function categorySimilarity(a: CategoryCount[], b: CategoryCount[]): number {
  const totalA = a.reduce((sum, c) => sum + c.outcomes, 0);
  const totalB = b.reduce((sum, c) => sum + c.outcomes, 0);
  if (totalA === 0 || totalB === 0) return totalA === totalB ? 1 : 0;
  return CATEGORIES.reduce(
    (sum, _, i) => sum + Math.min((a[i]?.outcomes ?? 0) / totalA, (b[i]?.outcomes ?? 0) / totalB),
    0,
  );
}

export function compareProfiles(a: UnitProfile, b: UnitProfile, broaderOf: BroaderOf = () => []): ComparisonFigures {
  const skillsA = skillsOf(a);
  const skillsB = skillsOf(b);
  const inB = new Set(skillsB);
  const inA = new Set(skillsA);
  const shared = skillsA.filter((s) => inB.has(s));
  const onlyInA = skillsA.filter((s) => !inB.has(s));
  const onlyInB = skillsB.filter((s) => !inA.has(s));

  const related: RelatedSkills[] = [];
  for (const skillA of onlyInA) {
    for (const skillB of onlyInB) {
      const relation = relationBetween(skillA, skillB, broaderOf);
      if (relation) related.push({ a: skillA, b: skillB, ...relation });
    }
  }
  const relatedCount = new Set(related.map((r) => r.a)).size + new Set(related.map((r) => r.b)).size;
  const totalSkills = skillsA.length + skillsB.length;
  const skillSimilarity =
    totalSkills === 0 ? 0 : (2 * shared.length + RELATED_SKILL_CREDIT * relatedCount) / totalSkills;

  const outcomesA = categoryCounts(a);
  const outcomesB = categoryCounts(b);
  const outcomeCategorySimilarity = categorySimilarity(outcomesA, outcomesB);
  const eqfLevelDifference = b.eqfLevel - a.eqfLevel;
  const eqfCloseness = Math.max(0, 1 - Math.abs(eqfLevelDifference) / 7);
  const larger = Math.max(a.ecvetPoints, b.ecvetPoints);
  const ecvetPointsRatio = larger === 0 ? 1 : Math.min(a.ecvetPoints, b.ecvetPoints) / larger;

  const score =
    SCORE_WEIGHTS.skills * skillSimilarity +
    SCORE_WEIGHTS.outcomeCategories * outcomeCategorySimilarity +
    SCORE_WEIGHTS.eqfLevel * eqfCloseness +
    SCORE_WEIGHTS.ecvetPoints * ecvetPointsRatio;
  return {
    score: round(score),
    skillSimilarity: round(skillSimilarity),
    outcomeCategorySimilarity: round(outcomeCategorySimilarity),
    eqfCloseness: round(eqfCloseness),
    eqfLevelDifference,
    ecvetPointsRatio: round(ecvetPointsRatio),
    shared,
    onlyInA,
    onlyInB,
    related,
    outcomesA,
    outcomesB,
  };
}
