import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { foldText } from '../../schema/cursor';
import { ownerOf } from '../../schema/ids';
import type { QualificationsContext } from './context';

/** Filter conditions every list of this kind shares: where the shard stands, and free text. */
export interface ShardScope {
  country?: string;
  institution?: string;
}

/** True when the filter names another institution or country, so this shard has nothing to add. */
export async function scopeExcludesShard(scope: ShardScope | undefined, context: QualificationsContext): Promise<boolean> {
  if (scope?.institution && ownerOf(scope.institution) !== context.institution) return true;
  if (scope?.country) {
    const own = await context.loaders.institution.load(context.institution);
    if (own?.country !== scope.country) return true;
  }
  return false;
}

/** Every word of `text` must occur in the folded search text (any language; accents and case ignored). */
export function whereText<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, text: string | undefined): void {
  const words = foldText(text ?? '').split(' ').filter((word) => word.length > 0).slice(0, 8);
  words.forEach((word, index) => query.andWhere(`${column} LIKE :word${index}`, { [`word${index}`]: `%${word}%` }));
}

export function isced(prefix: string): string {
  return `${prefix}%`;
}
