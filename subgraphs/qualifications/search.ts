import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { foldText } from '../../schema/cursor';
import { ListOrder } from '../../schema/enums';
import { BadUserInputError } from '../../schema/errors';
import { ownerOf } from '../../schema/ids';
import type { QualificationsContext } from './context';

/** Filter conditions every list of this kind shares: where the shard stands, and free text. */
export interface ShardScope {
  country?: string;
  institution?: string;
}

/** True when the filter names another institution or country, so this shard has nothing to add. */
export async function scopeExcludesShard(
  scope: ShardScope | undefined,
  context: QualificationsContext,
): Promise<boolean> {
  if (scope?.institution && ownerOf(scope.institution) !== context.institution) return true;
  if (scope?.country) {
    const own = await context.loaders.institution.load(context.institution);
    if (own?.country !== scope.country) return true;
  }
  return false;
}

/** Longest search text accepted: a search is a few words, and each word becomes a LIKE pattern the database compiles. */
export const MAX_SEARCH_TEXT_LENGTH = 200;

export function checkSearchText(field: string, text: string | null | undefined): void {
  if (text != null && text.length > MAX_SEARCH_TEXT_LENGTH) {
    throw new BadUserInputError(
      `${field} must be at most ${MAX_SEARCH_TEXT_LENGTH} characters (got ${text.length})`,
      field,
    );
  }
}

/** A LIKE pattern for "contains `word`" in which `%`, `_` and the escape character itself stand for themselves. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[!%_]/g, '!$&')}%`;
}

/**
 * Every word of `text` must occur in the folded search text (any language; accents, case and punctuation ignored).
 * A text of punctuation alone (`_`, `%`) names no word, and the folded text holds none of it: it finds nothing.
 */
export function whereText<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  text: string | null | undefined,
): void {
  if (text == null || text.trim() === '') return;
  const words = foldText(text)
    .split(' ')
    .filter((word) => word.length > 0)
    .slice(0, 8);
  if (words.length === 0) query.andWhere('1 = 0');
  // The words hold only [a-z0-9] today; the escape keeps them literal should folding ever keep more.
  words.forEach((word, index) =>
    query.andWhere(`${column} LIKE :word${index} ESCAPE '!'`, { [`word${index}`]: containsPattern(word) }),
  );
}

export function isced(prefix: string): string {
  return `${prefix}%`;
}

/** RELEVANCE ranks a text search: without words there is nothing to rank by. */
export function checkListOrder(order: ListOrder, text: string | null | undefined): void {
  if (order === ListOrder.RELEVANCE && (text == null || text.trim() === ''))
    throw new BadUserInputError('orderBy RELEVANCE ranks a text search: give filter.text', 'orderBy');
}
