import type { Bm25Index } from './bm25';
import {
  indexEscoCorpus,
  indexEscoCrossLanguage,
  readEscoCorpus,
  type EscoConcept,
  type EscoConceptType,
} from './esco-corpus';
import { primaryLanguage } from './text';

/**
 * ESCO concepts ranked for a statement, from the index of its language; else, for a statement in another
 * language, English concepts matched by character 4-grams (`crossLanguage`); else the English words index.
 */
export interface EscoSuggestion {
  uri: string;
  preferredLabel: string;
  /** The language of the label and of the index that matched: the statement's, or English. */
  lang: string;
  conceptType: EscoConceptType;
  skillType: string | null;
  score: number;
  matchedWords: string[];
}

export interface EscoSuggester {
  /** Languages whose ESCO files are loaded. */
  languages: string[];
  concepts: number;
  suggest(statement: string, lang: string, limit: number): EscoSuggestion[];
}

export function createEscoSuggester(
  concepts: Map<string, EscoConcept>,
  indexes: Map<string, Bm25Index>,
  crossLanguage?: () => Bm25Index,
): EscoSuggester {
  let grams: Bm25Index | undefined;
  return {
    languages: [...indexes.keys()].sort(),
    concepts: concepts.size,
    suggest(statement, lang, limit) {
      const wanted = primaryLanguage(lang);
      const used = indexes.has(wanted) ? wanted : 'en';
      let index = indexes.get(used);
      if (!index) return [];
      if (used !== wanted && crossLanguage) {
        // Built on the first statement that needs it: with every language's files loaded, none does.
        grams ??= crossLanguage();
        index = grams;
      }
      // The statement's own language still picks the stopwords left out.
      return index.search(statement, index === grams ? wanted : used, limit).map((hit) => {
        const concept = concepts.get(hit.id);
        return {
          uri: hit.id,
          preferredLabel: concept?.labels.get(used) ?? concept?.labels.get('en') ?? hit.id,
          lang: used,
          conceptType: concept?.conceptType ?? 'KnowledgeSkillCompetence',
          skillType: concept?.skillType ?? null,
          score: Math.round(hit.score * 1000) / 1000,
          matchedWords: hit.matched,
        };
      });
    },
  };
}

const loaded = new Map<string, EscoSuggester>();

/**
 * The suggester for an ESCO folder, read once per process: ESCO is reference data that changes only with a
 * new release, and every shard of a process reading the same folder shares one index.
 */
export function escoSuggesterFor(folder: string): EscoSuggester {
  let suggester = loaded.get(folder);
  if (!suggester) {
    const corpus = readEscoCorpus(folder);
    suggester = createEscoSuggester(corpus.concepts, indexEscoCorpus(corpus), () => indexEscoCrossLanguage(corpus));
    loaded.set(folder, suggester);
  }
  return suggester;
}
