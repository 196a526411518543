import { contentTokens, type Token } from './text';

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

/** How a text is cut into the terms matched: words by stem, or something else (character n-grams). */
export type Analyzer = (text: string, lang: string) => Token[];

export class Bm25Index {
  constructor(private readonly analyze: Analyzer = contentTokens) {}

  private readonly ids: string[] = [];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, Posting[]>();
  private totalLength = 0;

  add(document: Bm25Document): void {
    const doc = this.ids.length;
    const counts = new Map<string, number>();
    let length = 0;
    for (const field of document.fields) {
      for (const token of this.analyze(field.text, document.lang)) {
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
    if (n === 0 || limit <= 0) return [];
    const average = this.totalLength / n;
    const terms = new Map<string, string>();
    for (const token of this.analyze(query, lang)) if (!terms.has(token.stem)) terms.set(token.stem, token.word);
    // Scores in one typed array and the documents touched: a query over 20,000 documents allocates little.
    const scores = new Float64Array(n);
    const touched: number[] = [];
    for (const term of terms.keys()) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const norm = tf + K1 * (1 - B + (B * (this.lengths[doc] ?? 0)) / average);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] = (scores[doc] ?? 0) + (idf * (tf * (K1 + 1))) / norm;
      }
    }
    const best = topDocuments(touched, scores, limit, (doc) => !accept || accept(this.ids[doc] ?? ''), this.ids);
    return best.map((doc) => ({
      id: this.ids[doc] ?? '',
      score: scores[doc] ?? 0,
      matched: [...terms].filter(([term]) => hasDocument(this.postings.get(term), doc)).map(([, word]) => word),
    }));
  }
}

/** Postings are in document order (documents are only added): a binary search finds one. */
function hasDocument(list: Posting[] | undefined, doc: number): boolean {
  let low = 0;
  let high = (list?.length ?? 0) - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = list?.[middle]?.doc ?? -1;
    if (at === doc) return true;
    if (at < doc) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** The `limit` best documents, best first (ties by ID), kept in a small sorted array instead of sorting all. */
function topDocuments(
  docs: readonly number[],
  scores: Float64Array,
  limit: number,
  accept: (doc: number) => boolean,
  ids: readonly string[],
): number[] {
  const better = (a: number, b: number) =>
    (scores[a] ?? 0) > (scores[b] ?? 0) ||
    ((scores[a] ?? 0) === (scores[b] ?? 0) && (ids[a] ?? '').localeCompare(ids[b] ?? '') < 0);
  const top: number[] = [];
  for (const doc of docs) {
    const last = top[top.length - 1];
    if (top.length === limit && last !== undefined && !better(doc, last)) continue;
    if (!accept(doc)) continue;
    let at = top.length;
    while (at > 0 && better(doc, top[at - 1] ?? doc)) at -= 1;
    top.splice(at, 0, doc);
    if (top.length > limit) top.pop();
  }
  return top;
}
