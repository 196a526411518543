import { BadUserInputError } from '../../schema/errors';

/**
 * A cursor over a fanned-out list: the position reached in each institution's shard. Positions move only
 * for institutions whose items were handed out, so a shard that was down is read from where it stopped
 * once it is back: no item is skipped, some arrive late.
 */
export type Positions = Record<string, string>;

const PREFIX = 'hub1.';

/**
 * `hub1.[<list>.]<positions>`: the cursor names the list it pages (a root field's name), so a position in one
 * list is never read as a position in another, whose shards order other records.
 */
export function encodeHubCursor(positions: Positions, list?: string): string {
  return PREFIX + (list ? `${list}.` : '') + Buffer.from(JSON.stringify(positions), 'utf8').toString('base64url');
}

function readPositions(payload: string): Positions | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return value as Positions;
    }
  } catch {
    // reported by the caller
  }
  return null;
}

/** The positions of a cursor `encodeHubCursor` made for the same `list`; anything else is BAD_USER_INPUT naming `field`. */
export function decodeHubCursor(cursor: string | null | undefined, field = 'after', list?: string): Positions {
  if (cursor == null || cursor === '') return {};
  const parts = cursor.startsWith(PREFIX) ? cursor.slice(PREFIX.length).split('.') : [];
  const [named, payload] = parts.length === 2 ? parts : ['', parts[0]];
  const positions = parts.length <= 2 && payload !== undefined ? readPositions(payload) : null;
  if (!positions)
    throw new BadUserInputError(
      `${field} "${cursor}" is not a cursor the hub issued: pass an edge's cursor or pageInfo.endCursor unchanged`,
      field,
    );
  if (named !== (list ?? '')) {
    throw new BadUserInputError(
      `${field} is a cursor of ${named ? `\`${named}\`` : 'another list'}, not of ${list ? `\`${list}\`` : 'this one'}: a cursor pages only the list that issued it`,
      field,
    );
  }
  return positions;
}
