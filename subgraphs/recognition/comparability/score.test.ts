import { LearningOutcomeCategory as C } from '../../../schema/enums';
import { compareProfiles, SCORE_WEIGHTS, type UnitProfile } from './score';

const unit = (id: string, eqfLevel: number, ecvetPoints: number, outcomes: Array<[C, string[]]>): UnitProfile => ({
  id,
  institution: id.split(':')[0] as string,
  eqfLevel,
  ecvetPoints,
  outcomes: outcomes.map(([category, escoSkills]) => ({ category, escoSkills })),
});
const hierarchy = (pairs: Record<string, string[]>) => (uri: string) => pairs[uri] ?? [];

test('the weights add up to 1', () => {
  expect(Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
});

test('a unit compared with an identical one scores 1', () => {
  const a = unit('x.lv:A', 4, 30, [
    [C.KNOWLEDGE, ['k1']],
    [C.SKILLS, ['s1', 's2']],
  ]);
  const result = compareProfiles(a, { ...a, id: 'y.es:B', institution: 'y.es' });
  expect(result).toEqual(
    expect.objectContaining({
      score: 1,
      skillSimilarity: 1,
      outcomeCategorySimilarity: 1,
      eqfCloseness: 1,
      eqfLevelDifference: 0,
      ecvetPointsRatio: 1,
    }),
  );
  expect(result.shared).toEqual(['k1', 's1', 's2']);
  expect(result.onlyInA).toEqual([]);
  expect(result.onlyInB).toEqual([]);
});

test('each part follows the documented formula', () => {
  // A: 3 skills, outcomes K,S,S,C; B: 4 skills (2 shared), outcomes S,S; EQF 4 vs 5; 30 vs 45 points.
  const a = unit('x.lv:A', 4, 30, [
    [C.KNOWLEDGE, ['s1']],
    [C.SKILLS, ['s2', 's3']],
    [C.SKILLS, ['s2']],
    [C.COMPETENCE, []],
  ]);
  const b = unit('y.es:B', 5, 45, [
    [C.SKILLS, ['s1', 's2']],
    [C.SKILLS, ['s4', 's5']],
  ]);
  const result = compareProfiles(a, b);
  expect(result.shared).toEqual(['s1', 's2']);
  expect(result.onlyInA).toEqual(['s3']);
  expect(result.onlyInB).toEqual(['s4', 's5']);
  const skills = (2 * 2) / (3 + 4);
  const categories = Math.min(1 / 4, 0) + Math.min(2 / 4, 2 / 2) + Math.min(1 / 4, 0);
  const eqf = 1 - 1 / 7;
  const points = 30 / 45;
  expect(result.skillSimilarity).toBeCloseTo(skills, 4);
  expect(result.outcomeCategorySimilarity).toBeCloseTo(categories, 4);
  expect(result.eqfLevelDifference).toBe(1);
  expect(result.eqfCloseness).toBeCloseTo(eqf, 4);
  expect(result.ecvetPointsRatio).toBeCloseTo(points, 4);
  expect(result.score).toBeCloseTo(0.6 * skills + 0.2 * categories + 0.1 * eqf + 0.1 * points, 4);
  expect(result.outcomesA.map((c) => [c.category, c.outcomes, c.escoSkills])).toEqual([
    [C.KNOWLEDGE, 1, ['s1']],
    [C.SKILLS, 2, ['s2', 's3']],
    [C.COMPETENCE, 1, []],
  ]);
});

test('the comparison is symmetric in its score', () => {
  const a = unit('x.lv:A', 3, 10, [[C.SKILLS, ['s1', 's2']]]);
  const b = unit('y.es:B', 6, 50, [
    [C.KNOWLEDGE, ['s2']],
    [C.SKILLS, ['s9']],
  ]);
  expect(compareProfiles(a, b).score).toBe(compareProfiles(b, a).score);
  expect(compareProfiles(b, a).eqfLevelDifference).toBe(-3);
});

test('ESCO broader relations give half credit to related skills, and say how they relate', () => {
  const a = unit('x.lv:A', 4, 30, [[C.SKILLS, ['shared', 'mig-welding', 'group:joining']]]);
  const b = unit('y.es:B', 4, 30, [[C.SKILLS, ['shared', 'tig-welding', 'soldering', 'cooking']]]);
  const broaderOf = hierarchy({
    'mig-welding': ['group:joining'],
    'tig-welding': ['group:joining'],
    soldering: ['group:other'],
  });
  const without = compareProfiles(a, b);
  const withEsco = compareProfiles(a, b, broaderOf);
  expect(without.skillSimilarity).toBeCloseTo((2 * 1) / 7, 4);
  // Related: mig-welding and group:joining on A's side, tig-welding on B's: 3 × ½.
  expect(withEsco.skillSimilarity).toBeCloseTo((2 * 1 + 0.5 * 3) / 7, 4);
  expect(withEsco.score).toBeGreaterThan(without.score);
  expect(withEsco.related).toEqual([
    { a: 'group:joining', b: 'tig-welding', relation: 'BROADER', via: null },
    { a: 'mig-welding', b: 'tig-welding', relation: 'SIBLING', via: 'group:joining' },
  ]);
  expect(compareProfiles(b, a, broaderOf).related).toContainEqual({
    a: 'tig-welding',
    b: 'group:joining',
    relation: 'NARROWER',
    via: null,
  });
});

test('edge cases stay within [0, 1]', () => {
  const empty = unit('x.lv:A', 1, 0, []);
  const other = unit('y.es:B', 8, 0, []);
  const result = compareProfiles(empty, other);
  // No skills: 0; no outcomes on either side: alike; EQF 1 vs 8: 0; both 0 points: ratio 1.
  expect(result).toEqual(
    expect.objectContaining({
      skillSimilarity: 0,
      outcomeCategorySimilarity: 1,
      eqfCloseness: 0,
      ecvetPointsRatio: 1,
      score: 0.3,
    }),
  );
  const some = unit('y.es:C', 1, 5, [[C.SKILLS, ['s1']]]);
  expect(compareProfiles(empty, some)).toEqual(
    expect.objectContaining({ outcomeCategorySimilarity: 0, ecvetPointsRatio: 0, score: 0.1 }),
  );
});
