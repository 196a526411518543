import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../../shared/csv';
import { Bm25Index, type Bm25Document } from './bm25';
import { characterGrams } from './text';

/**
 * The ESCO skill and knowledge concepts and skill groups of the CSV files `npm run esco:import` loads (the ESCO
 * distribution, or the subset under third_party/esco/), as a retrieval index per language. A file's language is
 * its name's suffix (`skills_de.csv` → de): ESCO ships one file set per language with the same URIs.
 *
 * Skill groups ("joining parts using soldering, welding or brazing techniques") are suggested beside the skills:
 * units link them (compareUnits reads them with the hierarchy), and a statement often describes a group's work
 * rather than one of its narrow skills. ISCED-F fields, also skill groups in ESCO, are left out: they classify
 * programmes, and their descriptions list subjects rather than say what a learner does.
 */

export type EscoConceptType = 'KnowledgeSkillCompetence' | 'SkillGroup';

export interface EscoConcept {
  uri: string;
  conceptType: EscoConceptType;
  /** `skill/competence` or `knowledge`; null for a skill group. */
  skillType: string | null;
  /** Preferred label per language. */
  labels: Map<string, string>;
}

export interface EscoText {
  uri: string;
  conceptType: EscoConceptType;
  lang: string;
  preferredLabel: string;
  altLabels: string[];
  description: string;
  /** Labels of the concepts one step up ESCO's hierarchy (`broaderConceptPT`), where the file gives them. */
  broaderLabels: string[];
}

export interface EscoCorpus {
  concepts: Map<string, EscoConcept>;
  /** One entry per concept and language. */
  texts: EscoText[];
}

/** Label words count most; a description is long and says much besides the skill. */
export const FIELD_WEIGHTS = { preferredLabel: 2, altLabels: 1, description: 1, broaderLabels: 1 } as const;

const LANGUAGE_OF_FILE = /_([a-z]{2}(?:-[a-z]+)?)\.csv$/i;
const SKILL_TYPE = 'KnowledgeSkillCompetence';
const SKILL_GROUP = 'SkillGroup';
const ISCED_FIELD = 'http://data.europa.eu/esco/isced-f/';

function splitLabels(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\s*[|\n]\s*/)
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

/** Every skill and knowledge concept and skill group of the CSV files in `folder`; other rows are left out. */
export function readEscoCorpus(folder: string): EscoCorpus {
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`ESCO folder ${folder} does not exist or is not a folder`);
  const concepts = new Map<string, EscoConcept>();
  const texts = new Map<string, EscoText>();
  for (const name of readdirSync(folder).sort()) {
    const lang = LANGUAGE_OF_FILE.exec(name)?.[1]?.toLowerCase();
    if (!lang) continue;
    const { columns, rows } = parseCsvObjects(readFileSync(join(folder, name), 'utf8'));
    if (!columns.includes('conceptUri') || !columns.includes('preferredLabel')) continue;
    for (const row of rows) {
      const uri = row.conceptUri?.trim() ?? '';
      const skillType = row.skillType?.trim() || null;
      // Older skill collections have no conceptType: a skill type says the row is a skill.
      const conceptType = row.conceptType?.trim() || (skillType ? SKILL_TYPE : '');
      if (!uri || !(conceptType === SKILL_TYPE || (conceptType === SKILL_GROUP && !uri.startsWith(ISCED_FIELD))))
        continue;
      const preferredLabel = row.preferredLabel?.trim() ?? '';
      const concept = concepts.get(uri) ?? { uri, conceptType, skillType, labels: new Map<string, string>() };
      concept.labels.set(lang, preferredLabel);
      concepts.set(uri, concept);
      texts.set(`${uri} ${lang}`, {
        uri,
        conceptType,
        lang,
        preferredLabel,
        altLabels: splitLabels(row.altLabels),
        description: row.description?.trim() ?? '',
        broaderLabels: splitLabels(row.broaderConceptPT),
      });
    }
  }
  return { concepts, texts: [...texts.values()] };
}

export interface EscoIndexOptions {
  /** False leaves a concept's description out (the benchmark asks with it). */
  withDescription?: (uri: string) => boolean;
  /** False leaves a concept out (the benchmark compares with and without skill groups). */
  includes?: (text: EscoText) => boolean;
}

function documentOf(text: EscoText, withDescription: boolean): Bm25Document {
  return {
    id: text.uri,
    lang: text.lang,
    fields: [
      { text: text.preferredLabel, weight: FIELD_WEIGHTS.preferredLabel },
      { text: text.altLabels.join(' | '), weight: FIELD_WEIGHTS.altLabels },
      { text: text.broaderLabels.join(' | '), weight: FIELD_WEIGHTS.broaderLabels },
      ...(withDescription ? [{ text: text.description, weight: FIELD_WEIGHTS.description }] : []),
    ],
  };
}

/** A BM25 index of words per language. */
export function indexEscoCorpus(corpus: EscoCorpus, options: EscoIndexOptions = {}): Map<string, Bm25Index> {
  const { withDescription = () => true, includes = () => true } = options;
  const indexes = new Map<string, Bm25Index>();
  for (const text of corpus.texts) {
    if (!includes(text)) continue;
    const index = indexes.get(text.lang) ?? new Bm25Index();
    index.add(documentOf(text, withDescription(text.uri)));
    indexes.set(text.lang, index);
  }
  return indexes;
}

/**
 * A BM25 index of the English texts' character 4-grams, for statements in a language whose ESCO files are not
 * loaded: they match English labels by the roots the languages share, not by a translation.
 */
export function indexEscoCrossLanguage(corpus: EscoCorpus, options: EscoIndexOptions = {}): Bm25Index {
  const { withDescription = () => true, includes = () => true } = options;
  const index = new Bm25Index(characterGrams);
  for (const text of corpus.texts)
    if (text.lang === 'en' && includes(text)) index.add(documentOf(text, withDescription(text.uri)));
  return index;
}
