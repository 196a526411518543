import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeShardCursor, encodeShardCursor } from '../../schema/cursor';
import { BadUserInputError } from '../../schema/errors';
import { checkPageSize } from './validation';

export interface Page<T> {
  records: T[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

interface Ordered {
  sortKey: string;
  id: string;
}

/**
 * Keyset pagination in the order every shard shares, (sortKey, id): stable under inserts, and the cursor
 * the gateway merges institutions' pages with. `query` holds the filters; this adds order, position and limit.
 */
export async function keysetPage<T extends ObjectLiteral & Ordered>(
  query: SelectQueryBuilder<T>,
  alias: string,
  first: number,
  after: string | null | undefined,
): Promise<Page<T>> {
  checkPageSize(first);
  const totalCount = await query.clone().getCount();
  const paged = query.clone();
  if (after) {
    const position = decodeShardCursor(after);
    if (!position) throw new BadUserInputError(`after "${after}" is not a cursor of this list`, 'after');
    paged.andWhere(`(${alias}.sortKey > :afterKey OR (${alias}.sortKey = :afterKey AND ${alias}.id > :afterId))`, {
      afterKey: position.sortKey,
      afterId: position.id,
    });
  }
  const rows = await paged.orderBy(`${alias}.sortKey`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').take(first + 1).getMany();
  const records = rows.slice(0, first);
  return {
    records,
    cursors: records.map((row) => encodeShardCursor({ sortKey: row.sortKey, id: row.id })),
    hasNextPage: rows.length > first,
    totalCount,
  };
}
