import { contentTokens } from './text';

/**
 * Okapi BM25 over short documents with weighted fields (a label counts more than a description), held in
 * memory: 20,000 ESCO concepts are a few megabytes and a query reads only the postings of its terms.
 */

export interface Bm25Field {
  text: string;
  /** How many times each of its terms counts: a label at 3 outweighs the same word in a description. */
  weight: number;
}

export interface Bm25Document {
  id: string;
  lang: string;
  fields: Bm25Field[];
}

export interface Bm25Hit {
  id: string;
  score: number;
  /** The query words (as written in the query) that occur in the document. */
  matched: string[];
}

/** BM25's usual constants: term frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

interface Posting {
  doc: number;
  tf: number;
}

export class Bm25Index {
  private readonly ids: string[] = [];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, Posting[]>();
  private totalLength = 0;

  add(document: Bm25Document): void {
    const doc = this.ids.length;
    const counts = new Map<string, number>();
    let length = 0;
    for (const field of document.fields) {
      for (const token of contentTokens(field.text, document.lang)) {
        counts.set(token.stem, (counts.get(token.stem) ?? 0) + field.weight);
        length += field.weight;
      }
    }
    this.ids.push(document.id);
    this.lengths.push(length);
    this.totalLength += length;
    for (const [term, tf] of counts) {
      const list = this.postings.get(term) ?? [];
      list.push({ doc, tf });
      this.postings.set(term, list);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** The best `limit` documents for `query`, best first; documents sharing no term are not returned. */
  search(query: string, lang: string, limit: number, accept?: (id: string) => boolean): Bm25Hit[] {
    const n = this.ids.length;
    if (n === 0) return [];
    const average = this.totalLength / n;
    const scores = new Map<number, { score: number; matched: Set<string> }>();
    const terms = new Map<string, string>();
    for (const token of contentTokens(query, lang)) if (!terms.has(token.stem)) terms.set(token.stem, token.word);
    for (const [term, word] of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const norm = tf + K1 * (1 - B + (B * (this.lengths[doc] ?? 0)) / average);
        const entry = scores.get(doc) ?? { score: 0, matched: new Set<string>() };
        entry.score += (idf * (tf * (K1 + 1))) / norm;
        entry.matched.add(word);
        scores.set(doc, entry);
      }
    }
    return [...scores]
      .map(([doc, { score, matched }]) => ({ id: this.ids[doc] ?? '', score, matched: [...matched] }))
      .filter((hit) => !accept || accept(hit.id))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, limit);
  }
}
