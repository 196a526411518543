/**
 * Words like a mistyped one, by trigram similarity as PostgreSQL's pg_trgm defines it, so that both engines suggest
 * the same words: a word's trigrams are the three-letter runs of the word padded with two spaces before and one
 * after (`abc` → `  a`, ` ab`, `abc`, `bc `), and two words are as similar as the share of their trigrams they have
 * in common (common / all distinct). Words are folded ([a-z0-9]), as pg_trgm would keep them.
 */

/** pg_trgm's default threshold (`pg_trgm.similarity_threshold`, the `%` operator's). */
export const SIMILARITY_THRESHOLD = 0.3;

/** Shorter words are neither corrected nor suggested: two letters hold too little to tell a typo from a word. */
export const MIN_WORD_LENGTH = 3;

/** The most similar words suggested for one word. */
export const MAX_SIMILAR = 3;

/** A query word that no item of the list holds, and the words of the list most like it, best first. */
export interface WordSuggestion {
  word: string;
  similar: string[];
}

/** The distinct trigrams of a folded word, as pg_trgm's `show_trgm` lists them. */
export function trigramsOf(word: string): Set<string> {
  const padded = `  ${word} `;
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) trigrams.add(padded.slice(i, i + 3));
  return trigrams;
}

/** pg_trgm's `similarity(a, b)`, given how many trigrams they have in common. */
export function similarityOf(trigramsA: number, trigramsB: number, common: number): number {
  const all = trigramsA + trigramsB - common;
  return all === 0 ? 0 : common / all;
}

/** pg_trgm's `similarity(a, b)` of two folded words. */
export function similarity(a: string, b: string): number {
  const ta = trigramsOf(a);
  const tb = trigramsOf(b);
  let common = 0;
  for (const trigram of ta) if (tb.has(trigram)) common++;
  return similarityOf(ta.size, tb.size, common);
}

/**
 * The fewest trigrams a word must share with `word` to reach the threshold: from common ≥ t·(|A| + |B| − common)
 * and |B| ≥ common follows common ≥ t·|A|. An engine reads only the words sharing that many.
 */
export function minCommonTrigrams(word: string): number {
  return Math.max(1, Math.ceil(SIMILARITY_THRESHOLD * trigramsOf(word).size - 1e-9));
}

/**
 * Candidates at or above the threshold, most similar first; of equally similar ones, first the length nearest the
 * word's (a typo drops, adds or swaps a letter or two: `weldng` is rather `welding` than `weld`), then word order.
 * The word itself is never one.
 */
export function mostSimilar(word: string, candidates: Iterable<{ word: string; similarity: number }>): string[] {
  const off = (other: string) => Math.abs(other.length - word.length);
  return [...candidates]
    .filter((candidate) => candidate.word !== word && candidate.similarity >= SIMILARITY_THRESHOLD)
    .sort(
      (a, b) =>
        b.similarity - a.similarity || off(a.word) - off(b.word) || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0),
    )
    .map((candidate) => candidate.word);
}

/** What an engine answers of its list for `suggestionsOf`. */
export interface SuggestionLookups {
  /** Whether some item of the list holds the word as a text search matches it (inside a word too). */
  found(word: string): Promise<boolean>;
  /** Vocabulary words with their similarity to `word`: at least every one at the threshold. */
  candidates(word: string): Promise<Array<{ word: string; similarity: number }>>;
  /**
   * How many institutions' items of the list hold the word whole, counted up to two; 0 when none does (the vocabulary
   * keeps words no item holds any more).
   */
  holders(word: string): Promise<0 | 1 | 2>;
  /** Whether the catalogue holds more than one institution. */
  federated(): Promise<boolean>;
}

/**
 * Each word no item of the list holds, with up to MAX_SIMILAR words its items hold most like it: best first, each
 * checked as held only until enough are (a check may read every row holding a common word). A word is suggested
 * once the items of two institutions hold it (of the only one, in a catalogue of one): a member could plant words
 * in its own items for the hub to suggest in everyone's searches.
 */
export async function suggestionsOf(words: readonly string[], lookups: SuggestionLookups): Promise<WordSuggestion[]> {
  let federated: boolean | undefined;
  const heldByMembers = async (word: string) => {
    const holders = await lookups.holders(word);
    if (holders === 0) return false;
    federated ??= await lookups.federated();
    return !federated || holders === 2;
  };
  const suggestions: WordSuggestion[] = [];
  for (const word of new Set(words)) {
    if (await lookups.found(word)) continue;
    const similar: string[] = [];
    if (word.length >= MIN_WORD_LENGTH)
      for (const candidate of mostSimilar(
        word,
        (await lookups.candidates(word)).filter((one) => one.word.length >= MIN_WORD_LENGTH),
      )) {
        if (similar.length === MAX_SIMILAR) break;
        if (await heldByMembers(candidate)) similar.push(candidate);
      }
    suggestions.push({ word, similar });
  }
  return suggestions;
}
