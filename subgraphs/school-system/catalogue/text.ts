import { foldText, sortKeyOf } from '../../../schema/cursor';
import type { Text } from './catalogue';

/** The text in `lang`, else its base language ("de" for "de-AT"), else English, else any (as the contract's `title(lang)`). */
export function pickText(texts: readonly Text[], lang: string | null | undefined): string | null {
  const wanted = (lang ?? 'en').toLowerCase();
  const base = wanted.split('-')[0];
  const find = (test: (t: Text) => boolean) => texts.find(test)?.value;
  return (
    find((t) => t.lang.toLowerCase() === wanted) ??
    find((t) => t.lang.toLowerCase() === base) ??
    find((t) => t.lang.toLowerCase() === 'en') ??
    texts[0]?.value ??
    null
  );
}

/** The key lists are ordered by: the English title, folded (CONTRACT.md, paging-order). */
export function sortKeyOfTitles(titles: readonly Text[]): string {
  return sortKeyOf(pickText(titles, 'en') ?? '');
}

/** Whether every word of `query` occurs in one of `texts`, folded (accents, case and punctuation ignored). */
export function matchesText(query: string, texts: readonly string[]): boolean {
  const words = foldText(query).split(' ').filter(Boolean);
  if (words.length === 0) return false;
  const haystack = texts.map(foldText).join(' ');
  return words.every((word) => haystack.includes(word));
}
