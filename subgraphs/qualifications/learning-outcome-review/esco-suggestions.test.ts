import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thirdPartyDir } from '../../shared/documents/third-party';
import { createEscoSuggester, escoSuggesterFor } from './esco-suggestions';
import { indexEscoCorpus, readEscoCorpus } from './esco-corpus';
import { TEST_CONCEPTS } from './esco-test-concepts.fixture';

const subset = () => escoSuggesterFor(join(thirdPartyDir(), 'esco'));

test('the shipped ESCO subset is read as English skill and knowledge concepts and skill groups, no ISCED-F fields', () => {
  const corpus = readEscoCorpus(join(thirdPartyDir(), 'esco'));
  const concepts = [...corpus.concepts.values()];
  expect(concepts.filter((c) => c.conceptType === 'KnowledgeSkillCompetence').length).toBeGreaterThan(100);
  expect(corpus.concepts.get(TEST_CONCEPTS.joiningParts)).toMatchObject({ conceptType: 'SkillGroup', skillType: null });
  expect(concepts.every((c) => c.uri.startsWith('http://data.europa.eu/esco/skill/'))).toBe(true);
  expect(subset().languages).toEqual(['en']);
});

test('a statement describing the work of a skill group suggests the group', () => {
  const [best] = subset().suggest('The learner is able to weld fillet joints on steel plates.', 'en', 5);
  expect(best).toMatchObject({
    uri: TEST_CONCEPTS.joiningParts,
    conceptType: 'SkillGroup',
    skillType: null,
    preferredLabel: 'joining parts using soldering, welding or brazing techniques',
  });
});

test.each([
  ['The learner is able to install photovoltaic systems on pitched roofs.', TEST_CONCEPTS.installPhotovoltaicSystems],
  ['The learner is able to carry out calculations of voltage and current.', TEST_CONCEPTS.carryOutCalculations],
  ['The learner copes with stress during the lunch service.', TEST_CONCEPTS.copeWithStress],
])('"%s" suggests its ESCO skill first', (statement, uri) => {
  const [best] = subset().suggest(statement, 'en', 5);
  expect(best?.uri).toBe(uri);
  expect(best?.lang).toBe('en');
  expect(best?.matchedWords.length).toBeGreaterThan(0);
});

test('suggestions are ranked by score and say which words matched', () => {
  const hits = subset().suggest('The learner is able to install photovoltaic systems.', 'en', 5);
  expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  expect(hits[0]?.matchedWords).toEqual(expect.arrayContaining(['install', 'photovoltaic', 'systems']));
});

test.each([
  ['Die Lernenden installieren Photovoltaikanlagen auf Steildächern.', 'de', 'photovoltaikanlagen'],
  ['El alumno instala sistemas fotovoltaicos en cubiertas.', 'es', 'fotovoltaicos'],
])(
  'a statement in a language whose ESCO files are not loaded matches English concepts by shared roots: "%s"',
  (statement, lang, root) => {
    const [best] = subset().suggest(statement, lang, 5);
    expect(best).toMatchObject({ preferredLabel: 'install photovoltaic systems', lang: 'en' });
    expect(best?.matchedWords).toContain(root);
  },
);

test("a statement's language is used where ESCO files in it are loaded, English otherwise", () => {
  const folder = mkdtempSync(join(tmpdir(), 'esco-lang-'));
  try {
    const header = 'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,status,altLabels,description\n';
    writeFileSync(
      join(folder, 'skills_en.csv'),
      `${header}KnowledgeSkillCompetence,${TEST_CONCEPTS.installPhotovoltaicSystems},skill/competence,,install photovoltaic systems,released,,Install electrical systems that convert light into electrical current.\n`,
    );
    writeFileSync(
      join(folder, 'skills_de.csv'),
      `${header}KnowledgeSkillCompetence,${TEST_CONCEPTS.installPhotovoltaicSystems},skill/competence,,Photovoltaikanlagen installieren,released,PV-Anlagen montieren,Elektrische Systeme installieren.\n`,
    );
    const corpus = readEscoCorpus(folder);
    const suggester = createEscoSuggester(corpus.concepts, indexEscoCorpus(corpus));
    expect(suggester.languages).toEqual(['de', 'en']);
    expect(suggester.suggest('Die Lernenden können Photovoltaikanlagen installieren.', 'de', 3)[0]).toMatchObject({
      uri: TEST_CONCEPTS.installPhotovoltaicSystems,
      preferredLabel: 'Photovoltaikanlagen installieren',
      lang: 'de',
    });
    expect(suggester.suggest('Izglītojamais spēj install photovoltaic systems.', 'lv', 3)[0]).toMatchObject({
      preferredLabel: 'install photovoltaic systems',
      lang: 'en',
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
