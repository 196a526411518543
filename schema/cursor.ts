/**
 * Every shard orders its lists the same way, by a normalized sort key and then by ID, and its cursors carry
 * that position. The gateway decodes them to merge institutions' pages in one order and builds its own
 * cross-shard cursor from them, so the format is part of the shard contract.
 */
export interface ShardPosition {
  sortKey: string;
  id: string;
}

const PREFIX = 'k1.';

export function encodeShardCursor(position: ShardPosition): string {
  return PREFIX + Buffer.from(JSON.stringify([position.sortKey, position.id]), 'utf8').toString('base64url');
}

/** `null` for anything that is not a cursor this version wrote. */
export function decodeShardCursor(cursor: string): ShardPosition | null {
  if (!cursor.startsWith(PREFIX)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { sortKey: value[0], id: value[1] };
    }
  } catch {
    // fall through: not a cursor
  }
  return null;
}

export function compareShardPositions(a: ShardPosition, b: ShardPosition): number {
  if (a.sortKey !== b.sortKey) return a.sortKey < b.sortKey ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * Folds text to lower-case ASCII letters, digits and single spaces, so that sort keys and text search
 * behave alike in every language and on every database (ß → ss, ā → a, ø → o).
 */
export function foldText(text: string): string {
  return text
    .replace(/ß/g, 'ss')
    .replace(/[Øø]/g, 'o')
    .replace(/[Łł]/g, 'l')
    .replace(/[Ææ]/g, 'ae')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The sort key of a record: its folded title, cut to fit an index. */
export function sortKeyOf(title: string): string {
  return foldText(title).slice(0, 160);
}
