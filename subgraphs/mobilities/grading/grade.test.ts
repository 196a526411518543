import type { StoredGradingScale } from '../../../schema/grading-scale';
import { AssessmentResult } from '../../../schema/mobility/enums';
import { achievedOutcomes, decideResult } from './grade';

const { ACHIEVED, NOT_ACHIEVED } = AssessmentResult;
const german: StoredGradingScale = {
  id: 'bbs-hannover.de:noten-1-6',
  titles: [{ lang: 'en', value: 'German grades 1–6' }],
  grades: ['1', '2', '3', '4', '5', '6'].map((value) => ({ value, labels: [{ lang: 'en', value }], share: null })),
  passGrade: '4',
};
const outcomes = ['x:U-LO1', 'x:U-LO2'];

describe('decideResult', () => {
  it('derives the result from the pass grade, best grade first', () => {
    expect(decideResult(german, outcomes, { grade: '4', outcomeResults: [] })).toBe(ACHIEVED);
    expect(decideResult(german, outcomes, { grade: '5', outcomeResults: [] })).toBe(NOT_ACHIEVED);
    expect(decideResult(german, outcomes, { grade: '1', result: ACHIEVED, outcomeResults: [] })).toBe(ACHIEVED);
  });

  it('refuses a grade off the scale, naming the scale and the allowed grades', () => {
    expect(() => decideResult(german, outcomes, { grade: '0', outcomeResults: [] })).toThrow(
      'input.grade "0" is not a grade of the agreed scale bbs-hannover.de:noten-1-6 (German grades 1–6): allowed grades are 1, 2, 3, 4, 5, 6',
    );
  });

  it('refuses a result the grade contradicts, and asks for one when nothing says it', () => {
    expect(() => decideResult(german, outcomes, { grade: '6', result: ACHIEVED, outcomeResults: [] })).toThrow(
      'input.result ACHIEVED contradicts grade 6',
    );
    expect(() => decideResult(null, outcomes, { grade: '8/10', outcomeResults: [] })).toThrow(
      'input.result is required',
    );
    expect(decideResult(null, outcomes, { grade: '8/10', result: ACHIEVED, outcomeResults: [] })).toBe(ACHIEVED);
  });

  it('lets per-outcome results decide over the grade: achieved only when every agreed outcome is', () => {
    const one = [{ learningOutcomeId: 'x:U-LO1', result: ACHIEVED }];
    expect(decideResult(german, outcomes, { grade: '2', outcomeResults: one })).toBe(NOT_ACHIEVED);
    const both = [...one, { learningOutcomeId: 'x:U-LO2', result: ACHIEVED }];
    expect(decideResult(german, outcomes, { grade: '5', outcomeResults: both })).toBe(ACHIEVED);
    expect(achievedOutcomes(NOT_ACHIEVED, one, outcomes)).toEqual(['x:U-LO1']);
    expect(achievedOutcomes(ACHIEVED, [], outcomes)).toEqual(outcomes);
    expect(achievedOutcomes(NOT_ACHIEVED, [], outcomes)).toEqual([]);
  });
});
