import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
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

/** A page whose total was not asked for: the COUNT(*) is most of a search's cost, so it is skipped. */
export type UncountedPage<T> = Omit<Page<T>, 'totalCount'> & { totalCount: null };

export interface PageOptions {
  /** Count every match for `totalCount`; pass `selects(info, 'totalCount')`. @default true */
  totalCount?: boolean;
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
): Promise<Page<T>>;
export async function keysetPage<T extends ObjectLiteral & Ordered>(
  query: SelectQueryBuilder<T>,
  alias: string,
  first: number,
  after: string | null | undefined,
  options: PageOptions,
): Promise<Page<T> | UncountedPage<T>>;
export async function keysetPage<T extends ObjectLiteral & Ordered>(
  query: SelectQueryBuilder<T>,
  alias: string,
  first: number,
  after: string | null | undefined,
  options: PageOptions = {},
): Promise<Page<T> | UncountedPage<T>> {
  checkPageSize(first);
  const paged = query.clone();
  if (after) {
    const position = decodeShardCursor(after);
    if (!position) throw new BadUserInputError(`after "${after}" is not a cursor of this list`, 'after');
    paged.andWhere(`(${alias}.sortKey > :afterKey OR (${alias}.sortKey = :afterKey AND ${alias}.id > :afterId))`, {
      afterKey: position.sortKey,
      afterId: position.id,
    });
  }
  // Count and page are independent: on a server database they run at once, on two pooled connections.
  const [totalCount, rows] = await Promise.all([
    options.totalCount === false ? null : query.clone().getCount(),
    paged
      .orderBy(`${alias}.sortKey`, 'ASC')
      .addOrderBy(`${alias}.id`, 'ASC')
      .take(first + 1)
      .getMany(),
  ]);
  const records = rows.slice(0, first);
  return {
    records,
    cursors: records.map((row) => encodeShardCursor({ sortKey: row.sortKey, id: row.id })),
    hasNextPage: rows.length > first,
    totalCount,
  };
}

/**
 * Whether the field being resolved selects `name` directly (through fragments too). `@skip`/`@include` are
 * not evaluated: a conditional selection counts as asked, which costs a query but never drops a value.
 */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
