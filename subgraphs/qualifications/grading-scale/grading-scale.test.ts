import { join } from 'node:path';
import { projectRoot } from '../../../platform/project-root';
import { isPassing } from '../../../schema/grading-scale';
import { readSeed } from '../seed';
import { validateGradingScale, type GradingScaleDefinition } from './grading-scale.service';

const scaleOf = (code: string): GradingScaleDefinition => {
  const scale = readSeed(join(projectRoot(), 'demo', 'institutions', `${code}.json`)).gradingScales?.[0];
  if (!scale) throw new Error(`${code} seeds no grading scale`);
  return scale;
};

describe('grading scales', () => {
  it('the demo seeds publish each country’s national scale, and each is valid', () => {
    const values = (code: string) => scaleOf(code).grades.map((g) => g.value);
    expect(values('rvt.lv')).toEqual(['10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(values('bbs-hannover.de')).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(values('cifp-aviles.es')).toEqual(['10', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    expect(values('omnia.fi')).toEqual(['5', '4', '3', '2', '1']);
    for (const code of ['rvt.lv', 'bbs-hannover.de', 'cifp-aviles.es', 'omnia.fi'])
      expect(() => validateGradingScale(scaleOf(code))).not.toThrow();
  });

  it('a grade passes when it is the pass grade or better, whichever way the numbers run', () => {
    const german = scaleOf('bbs-hannover.de');
    expect(['1', '4'].map((g) => isPassing(german, g))).toEqual([true, true]);
    expect(['5', '6', '7'].map((g) => isPassing(german, g))).toEqual([false, false, false]);
    const spanish = scaleOf('cifp-aviles.es');
    expect(['10', '5', '4', '0'].map((g) => isPassing(spanish, g))).toEqual([true, true, false, false]);
  });

  it('refuses a pass grade off the scale, a grade listed twice and shares that do not add up, naming the field', () => {
    const base = scaleOf('omnia.fi');
    expect(() => validateGradingScale({ ...base, passGrade: '0' })).toThrow(
      'gradingScale.passGrade "0" is not one of the grades (5, 4, 3, 2, 1)',
    );
    const twice = { ...base, grades: [...base.grades, { value: '5', labels: [{ lang: 'en', value: 'again' }] }] };
    expect(() => validateGradingScale(twice)).toThrow('gradingScale.grades[5].value "5" is listed twice');
    const shares = { ...base, grades: base.grades.map((g) => ({ ...g, share: 10 })) };
    expect(() => validateGradingScale(shares)).toThrow('add up to 100 (they add up to 50)');
  });
});
