import { searchFilterOf } from './catalogue-step';

describe("searchFilterOf: the shards' filter as the catalogue's", () => {
  it('folds the text into at most 8 words; blank text filters nothing, punctuation alone finds nothing', () => {
    expect(searchFilterOf('units', { text: 'Schweißen  METINĀŠANA' })?.words).toEqual(['schweissen', 'metinasana']);
    expect(searchFilterOf('units', { text: 'a b c d e f g h i j' })?.words).toHaveLength(8);
    expect(searchFilterOf('units', { text: '   ' })?.words).toBeNull();
    expect(searchFilterOf('units', { text: '%' })?.words).toEqual([]);
  });

  it('names the owner of an institution filter, whatever ID it is given', () => {
    expect(searchFilterOf('units', { institution: 'rvt.lv:WELD' })?.institution).toBe('rvt.lv');
    expect(searchFilterOf('units', { institution: 'not a code' })?.institution).toBe('');
  });

  it('leaves to the shards what they refuse, in their words', () => {
    expect(searchFilterOf('units', { text: 'x'.repeat(201) })).toBeNull();
    expect(searchFilterOf('units', { ecvetPoints: { min: 9, max: 1 } })).toBeNull();
    expect(searchFilterOf('units', { qualification: 'nonsense' })).toBeNull();
    expect(searchFilterOf('units', { escoSkills: Array.from({ length: 21 }, (_, i) => `s${i}`) })).toBeNull();
  });

  it("reads a qualification list's one skill as a list of one", () => {
    expect(searchFilterOf('qualifications', { escoSkill: 'http://data.europa.eu/esco/skill/x' })?.escoSkills).toEqual([
      'http://data.europa.eu/esco/skill/x',
    ]);
  });
});
