import { facetTermsOf, facetWordsOf, pointsTermOf } from './unit-facets';

const unit = {
  institution: 'vet-school.lv',
  country: 'LV',
  eqfLevel: 4,
  ecvetPoints: 7.5,
  status: 'ACTIVE',
  isced: '0715',
  occupation: 'http://data.europa.eu/esco/occupation/welder',
  skills: ['http://data.europa.eu/esco/skill/a', 'http://data.europa.eu/esco/skill/b'],
};

test("a unit's facet words are one token each, never a folded word, and name each ISCED-F prefix of its field", () => {
  const words = facetWordsOf(unit).split(' ');
  expect(words).toHaveLength(1 + 1 + 1 + 1 + 1 + 4 + 1 + 2);
  for (const word of words) expect(word).toMatch(/^_[a-z][0-9a-f]+$/);
  expect(new Set(words).size).toBe(words.length);
  // 0, 07, 071, 0715
  expect(words.filter((word) => word.startsWith('_i'))).toEqual(['_i30', '_i3037', '_i303731', '_i30373135']);
});

test('a unit without a held institution or qualification has no country or field facet words', () => {
  const words = facetWordsOf({ ...unit, country: null, isced: '', occupation: null, skills: [] }).split(' ');
  expect(words.map((word) => word.slice(0, 2))).toEqual(['_n', '_e', '_p', '_t']);
});

test("each filter's term is one of the unit's facet words, and a filter the words cannot answer is left", () => {
  const words = new Set(facetWordsOf(unit).split(' '));
  const { terms, rest } = facetTermsOf({
    words: ['weld'],
    lang: 'lv',
    institution: unit.institution,
    country: 'LV',
    eqfLevel: 4,
    status: 'ACTIVE',
    iscedPrefix: '07',
    escoOccupation: unit.occupation,
    pointsMin: 5,
    qualification: { institution: unit.institution, localId: 'Q1' },
  });
  expect(terms).toHaveLength(6);
  for (const term of terms) expect(words.has(term.replaceAll('"', ''))).toBe(true);
  expect(rest).toEqual({
    words: ['weld'],
    lang: 'lv',
    pointsMin: 5,
    qualification: { institution: unit.institution, localId: 'Q1' },
  });
});

test('skills are any of them; a prefix that is not digits, or no skill, is left to the rows', () => {
  expect(facetTermsOf({ words: ['weld'], escoSkills: ['x', 'y'] }).terms).toEqual(['("_k78" OR "_k79")']);
  expect(facetTermsOf({ words: ['weld'], escoSkills: [], iscedPrefix: '07a' })).toEqual({
    terms: [],
    rest: { words: ['weld'], escoSkills: [], iscedPrefix: '07a' },
  });
});

test('a points range is the values held in it, none is a word of no unit, and too many are left to the rows', () => {
  const words = new Set(facetWordsOf(unit).split(' '));
  const held = [5, 7.5, 10];
  const between = (min = -Infinity, max = Infinity) => held.filter((points) => points >= min && points <= max);
  const { terms, rest } = facetTermsOf({ words: ['weld'], pointsMin: 6, pointsMax: 8 }, between);
  expect(terms).toEqual([`(${pointsTermOf(7.5)})`]);
  expect(words.has(pointsTermOf(7.5).replaceAll('"', ''))).toBe(true);
  expect(rest).toEqual({ words: ['weld'] });
  expect(facetTermsOf({ words: ['weld'], pointsMin: 5 }, between).terms).toEqual([
    `(${[5, 7.5, 10].map(pointsTermOf).join(' OR ')})`,
  ]);
  expect(facetTermsOf({ words: ['weld'], pointsMax: 4 }, between).terms).toEqual(['"_p"']);
  expect(facetTermsOf({ words: ['weld'], pointsMax: 4 }, () => null)).toEqual({
    terms: [],
    rest: { words: ['weld'], pointsMax: 4 },
  });
});
