import { searchFilterOf } from './catalogue-step';

const SKILL = 'http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

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
    // Values of the shards' scalars that they would not parse: the gateway's schema does not parse them.
    expect(searchFilterOf('units', { eqfLevel: 9 })).toBeNull();
    expect(searchFilterOf('units', { ecvetPoints: { min: -5 } })).toBeNull();
    expect(searchFilterOf('units', { iscedField: 'zz' })).toBeNull();
    expect(searchFilterOf('units', { escoOccupation: 'welder' })).toBeNull();
    expect(searchFilterOf('units', { escoSkills: [SKILL, 'welding'] })).toBeNull();
    expect(searchFilterOf('qualifications', { escoSkill: 'welding' })).toBeNull();
    expect(searchFilterOf('units', { country: 'XX' })).toBeNull();
    expect(searchFilterOf('units', { text: 'weld', textLang: 'klingon' })).toBeNull();
    expect(searchFilterOf('units', { text: 'weld', textLang: 42 })).toBeNull();
  });

  it("ranks by the primary language of the text's tag", () => {
    expect(searchFilterOf('units', { text: 'mechatronik', textLang: 'de-AT' })?.lang).toBe('de');
  });

  it("reads a qualification list's one skill as a list of one", () => {
    expect(searchFilterOf('qualifications', { escoSkill: SKILL })?.escoSkills).toEqual([SKILL]);
  });

  it('reads one skill given where a list is expected as a list of one, as GraphQL coerces it', () => {
    expect(searchFilterOf('units', { escoSkills: SKILL })?.escoSkills).toEqual([SKILL]);
    expect(searchFilterOf('units', { escoSkills: 'welding' })).toBeNull();
    expect(searchFilterOf('units', { escoSkills: 42 })).toBeNull();
    expect(searchFilterOf('units', { escoSkills: { uri: SKILL } })).toBeNull();
  });
});
