import { reviewForm, type FindingCode } from './form';
import type { Category } from './language-rules';

interface Case {
  lang: string;
  category: Category;
  statement: string;
  /** The finding codes expected, in any order; empty for a well-formed statement. */
  codes: FindingCode[];
  /** The text of the span of the first finding, when it points at one. */
  span?: string;
}

const GOOD: Case[] = [
  {
    lang: 'en',
    category: 'SKILLS',
    statement:
      'The learner is able to weld fillet joints on steel plate in the horizontal position according to the welding procedure specification.',
    codes: [],
  },
  {
    lang: 'de',
    category: 'SKILLS',
    statement: 'Die Lernenden können Stromkreise mit einem Multimeter nach DIN VDE 0100-600 prüfen.',
    codes: [],
  },
  {
    lang: 'es',
    category: 'SKILLS',
    statement:
      'El alumnado es capaz de soldar chapas de acero al carbono con electrodo revestido según el procedimiento.',
    codes: [],
  },
  {
    lang: 'fi',
    category: 'SKILLS',
    statement: 'Opiskelija osaa mitata elintarvikkeiden lämpötilat omavalvontasuunnitelman mukaisesti.',
    codes: [],
  },
  {
    lang: 'lv',
    category: 'SKILLS',
    statement: 'Izglītojamais spēj metināt tērauda loksnes saskaņā ar metināšanas procesa specifikāciju.',
    codes: [],
  },
];

const VAGUE: Case[] = [
  {
    lang: 'en',
    category: 'KNOWLEDGE',
    statement: 'The learner understands welding.',
    codes: ['VAGUE_VERB'],
    span: 'understands',
  },
  {
    lang: 'de',
    category: 'KNOWLEDGE',
    statement: 'Die Lernenden kennen die Elektrotechnik.',
    codes: ['VAGUE_VERB'],
    span: 'kennen',
  },
  {
    lang: 'es',
    category: 'KNOWLEDGE',
    statement: 'El alumnado conoce la soldadura.',
    codes: ['VAGUE_VERB'],
    span: 'conoce',
  },
  {
    lang: 'fi',
    category: 'KNOWLEDGE',
    statement: 'Opiskelija ymmärtää hygienian.',
    codes: ['VAGUE_VERB'],
    span: 'ymmärtää',
  },
  {
    lang: 'lv',
    category: 'KNOWLEDGE',
    statement: 'Izglītojamais zina metināšanu.',
    codes: ['VAGUE_VERB'],
    span: 'zina',
  },
];

const TEACHING: Case[] = [
  {
    lang: 'en',
    category: 'SKILLS',
    statement: 'Learners will be taught how to weld, cut, grind and paint steel.',
    codes: ['DESCRIBES_TEACHING', 'MULTIPLE_OUTCOMES', 'MISSING_CONTEXT'],
    span: 'will be taught',
  },
  {
    lang: 'de',
    category: 'SKILLS',
    statement: 'Im Unterricht werden die Schutzmaßnahmen vermittelt.',
    codes: ['DESCRIBES_TEACHING', 'NO_OBSERVABLE_VERB', 'MISSING_CONTEXT'],
    span: 'werden die Schutzmaßnahmen vermittelt',
  },
  {
    lang: 'es',
    category: 'SKILLS',
    statement: 'Se le enseña al alumno a soldar, cortar, medir y montar.',
    codes: ['DESCRIBES_TEACHING', 'MULTIPLE_OUTCOMES', 'MISSING_CONTEXT'],
    span: 'Se le enseña',
  },
  {
    lang: 'fi',
    category: 'SKILLS',
    statement: 'Kurssilla opetetaan ruoanvalmistusta.',
    codes: ['DESCRIBES_TEACHING', 'NO_OBSERVABLE_VERB'],
    span: 'opetetaan',
  },
  {
    lang: 'lv',
    category: 'SKILLS',
    statement: 'Izglītojamie tiks apmācīti metināt, griezt, slīpēt un krāsot.',
    codes: ['DESCRIBES_TEACHING', 'MULTIPLE_OUTCOMES', 'MISSING_CONTEXT'],
    span: 'tiks apmācīti',
  },
];

describe.each([
  ['well formed', GOOD],
  ['a vague verb', VAGUE],
  ['teaching described instead of learning', TEACHING],
])('statements with %s', (_, cases) => {
  test.each(cases)('$lang: $statement', ({ lang, category, statement, codes, span }) => {
    const { findings } = reviewForm(statement, lang, category, null);
    expect(findings.map((f) => f.code).sort()).toEqual([...codes].sort());
    const first = findings[0];
    if (span !== undefined && first && first.start !== null && first.end !== null)
      expect(statement.slice(first.start, first.end)).toBe(span);
  });
});

test('a vague verb comes with observable verbs to write instead, in the statement language', () => {
  const [finding] = reviewForm('Die Lernenden kennen die Elektrotechnik.', 'de', 'KNOWLEDGE', null).findings;
  expect(finding?.suggestions).toEqual(expect.arrayContaining(['beschreiben', 'erklären']));
});

test('a verb without an object is flagged where the verb is', () => {
  const statement = 'The learner is able to weld.';
  const finding = reviewForm(statement, 'en', 'SKILLS', null).findings.find((f) => f.code === 'MISSING_OBJECT');
  expect(finding && statement.slice(finding.start ?? 0, finding.end ?? 0)).toBe('weld');
});

test('the category a statement reads as is said when it differs from the one given', () => {
  const review = reviewForm('Izglītojamais zina metināšanas simbolus atbilstoši LVS EN ISO 2553.', 'lv', 'SKILLS', 3);
  expect(review.suggestedCategory).toBe('KNOWLEDGE');
  expect(review.findings.map((f) => f.code)).toContain('CATEGORY_DIFFERS');
});

test('the EQF level comes with the descriptor of its column, and a finding when the unit is more than one level away', () => {
  const statement =
    'The learner independently manages complex projects in unpredictable contexts and takes responsibility for reviewing the strategic performance of teams.';
  const review = reviewForm(statement, 'en', 'COMPETENCE', 3);
  expect(review.eqf).toMatchObject({ level: 6, column: 'responsibilityAndAutonomy' });
  expect(review.eqf?.descriptor).toMatch(/^Manage complex technical or professional activities or projects/);
  expect(review.eqf?.evidence).toEqual(expect.arrayContaining(['manages', 'unpredictable']));
  expect(review.findings.map((f) => f.code)).toEqual(['EQF_LEVEL_DIFFERS']);
  expect(reviewForm(statement, 'en', 'COMPETENCE', 5).findings).toEqual([]);
});

test('a simple skill reads as a low level, in every language', () => {
  for (const { lang, category, statement } of GOOD) {
    expect(reviewForm(statement, lang, category, null).eqf?.level).toBe(3);
  }
});

test('a language the checks do not know gets one finding saying so', () => {
  expect(reviewForm('Uczeń potrafi spawać blachy.', 'pl', 'SKILLS', 3).findings.map((f) => f.code)).toEqual([
    'LANGUAGE_NOT_CHECKED',
  ]);
});
