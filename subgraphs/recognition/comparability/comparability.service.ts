import { BadUserInputError, NotFoundError } from '../../../schema/errors';
import { malformedIdMessage, parseEntityId } from '../../../schema/ids';
import { ref } from '../../../schema/mobility/references';
import {
  ComparedSkill,
  ComparedUnit,
  EscoSkillRelation,
  OutcomeCategoryProfile,
  RelatedSkillPair,
  UnitComparison,
  UnitEquivalent,
} from '../../../schema/recognition/comparability';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import type { RecognitionContext } from '../context';
import { loadEscoIndex, type EscoIndex } from './esco.lookup';
import { hubUnits, searchKeys } from './hub-units';
import { compareProfiles, skillsOf, type CategoryCount, type ComparisonFigures, type UnitProfile } from './score';

export const DEFAULT_MIN_SCORE = 0.5;
export const DEFAULT_EQUIVALENTS = 10;
export const MAX_EQUIVALENTS = 50;

function skill(uri: string, esco: EscoIndex): ComparedSkill {
  const concept = esco.concept(uri);
  return Object.assign(new ComparedSkill(), {
    uri,
    label: concept?.preferredLabel ?? null,
    skillType: concept?.skillType ?? null,
    reuseLevel: concept?.reuseLevel ?? null,
  });
}

function side(unit: UnitProfile, outcomes: CategoryCount[]): ComparedUnit {
  return Object.assign(new ComparedUnit(), {
    unitId: unit.id,
    unit: ref(RecognitionUnitRef, unit.id),
    eqfLevel: unit.eqfLevel,
    ecvetPoints: unit.ecvetPoints,
    outcomesByCategory: outcomes.map((c) => Object.assign(new OutcomeCategoryProfile(), c)),
  });
}

export function toComparison(
  a: UnitProfile,
  b: UnitProfile,
  figures: ComparisonFigures,
  esco: EscoIndex,
): UnitComparison {
  return Object.assign(new UnitComparison(), {
    a: side(a, figures.outcomesA),
    b: side(b, figures.outcomesB),
    score: figures.score,
    skillSimilarity: figures.skillSimilarity,
    outcomeCategorySimilarity: figures.outcomeCategorySimilarity,
    eqfCloseness: figures.eqfCloseness,
    eqfLevelDifference: figures.eqfLevelDifference,
    ecvetPointsRatio: figures.ecvetPointsRatio,
    sharedSkills: figures.shared.map((uri) => skill(uri, esco)),
    skillsOnlyInA: figures.onlyInA.map((uri) => skill(uri, esco)),
    skillsOnlyInB: figures.onlyInB.map((uri) => skill(uri, esco)),
    relatedSkills: figures.related.map((pair) =>
      Object.assign(new RelatedSkillPair(), {
        skillOfA: skill(pair.a, esco),
        skillOfB: skill(pair.b, esco),
        relation: EscoSkillRelation[pair.relation],
        viaUri: pair.via,
        viaLabel: pair.via ? (esco.concept(pair.via)?.preferredLabel ?? null) : null,
      }),
    ),
    escoImported: esco.imported,
  });
}

function checkUnitId(field: string, id: string): void {
  if (!parseEntityId(id)) throw new BadUserInputError(malformedIdMessage(field, id), field);
}

/** `Query.compareUnits`: both units read through the hub, compared with this shard's ESCO data. */
export async function compareUnits(context: RecognitionContext, a: string, b: string): Promise<UnitComparison> {
  checkUnitId('a', a);
  checkUnitId('b', b);
  const loaders = hubUnits(context);
  const [unitA, unitB] = await Promise.all([loaders.unit.load(a), loaders.unit.load(b)]);
  if ('missing' in unitA) throw new NotFoundError(`No unit ${a}: ${unitA.missing}`, { field: 'a' });
  if ('missing' in unitB) throw new NotFoundError(`No unit ${b}: ${unitB.missing}`, { field: 'b' });
  const esco = await loadEscoIndex(context.db, [...skillsOf(unitA), ...skillsOf(unitB)]);
  return toComparison(unitA, unitB, compareProfiles(unitA, unitB, esco.broaderOf), esco);
}

function checkEquivalentsArguments(minScore: number, first: number): void {
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) {
    throw new BadUserInputError(`minScore must be between 0 and 1 (got ${minScore})`, 'minScore');
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_EQUIVALENTS) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_EQUIVALENTS} (got ${first})`, 'first');
  }
}

/**
 * `Unit.equivalents`: active units of other institutions that share at least one ESCO skill with the unit
 * (the hub's first 100 per 20 skills, in title order), scored as `compareUnits` does, best first.
 */
export async function findEquivalents(
  context: RecognitionContext,
  unitId: string,
  minScore: number,
  first: number,
): Promise<UnitEquivalent[]> {
  checkEquivalentsArguments(minScore, first);
  const loaders = hubUnits(context);
  const unit = await loaders.unit.load(unitId);
  // A reference to a unit its owner no longer has: nothing to compare with.
  if ('missing' in unit) return [];
  const skills = skillsOf(unit);
  if (skills.length === 0) return [];
  const found = (await Promise.all(searchKeys(skills).map((key) => loaders.search.load(key)))).flat();
  const candidates = [
    ...new Map(found.filter((c) => c.institution !== unit.institution).map((c) => [c.id, c])).values(),
  ];
  const esco = await loadEscoIndex(context.db, [...skills, ...candidates.flatMap(skillsOf)]);
  return candidates
    .map((candidate) => ({ candidate, figures: compareProfiles(unit, candidate, esco.broaderOf) }))
    .filter(({ figures }) => figures.score >= minScore)
    .sort((x, y) => y.figures.score - x.figures.score || (x.candidate.id < y.candidate.id ? -1 : 1))
    .slice(0, first)
    .map(({ candidate, figures }) =>
      Object.assign(new UnitEquivalent(), {
        unitId: candidate.id,
        unit: ref(RecognitionUnitRef, candidate.id),
        score: figures.score,
        comparison: toComparison(unit, candidate, figures, esco),
      }),
    );
}
