import { BadUserInputError } from '../../schema/errors';

/**
 * A cursor over a fanned-out list: the position reached in each institution's shard. Positions move only
 * for institutions whose items were handed out, so a shard that was down is read from where it stopped
 * once it is back: no item is skipped, some arrive late.
 */
export type Positions = Record<string, string>;

const PREFIX = 'hub1.';

/** The one position of a ranked (RELEVANCE) page's cursor, how far the ranking was read: no institution code has an `@`. */
export const RANK_POSITION = '@relevance';

/**
 * The longest position a cursor holds: a shard's cursor (the contract's `k1.` cursors are a few hundred characters;
 * the catalogue reads none longer than 1,000). Each position is handed back in every edge's cursor of the next page.
 */
const MAX_POSITION_LENGTH = 1_000;

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
      Object.values(value).every((v) => typeof v === 'string' && v.length <= MAX_POSITION_LENGTH)
    ) {
      return value as Positions;
    }
  } catch {
    // reported by the caller
  }
  return null;
}

/**
 * The positions of a cursor `encodeHubCursor` made for the same `list`; anything else is BAD_USER_INPUT naming `field`.
 * With `members`, only their positions (and a ranked page's) are kept: another institution has no items to page
 * (it left the federation, or the cursor was made up with thousands of positions, each of which the next page's
 * every cursor would hand back, and a catalogue's every row read would be compared with).
 */
export function decodeHubCursor(
  cursor: string | null | undefined,
  field = 'after',
  list?: string,
  members?: ReadonlySet<string>,
): Positions {
  if (cursor == null || cursor === '') return {};
  const parts = cursor.startsWith(PREFIX) ? cursor.slice(PREFIX.length).split('.') : [];
  const [named, payload] = parts.length === 2 ? parts : ['', parts[0]];
  const positions = parts.length <= 2 && payload !== undefined ? readPositions(payload) : null;
  if (!positions)
    throw new BadUserInputError(
      // Its beginning names it: a cursor may be as long as the request, and the answer need not repeat it whole.
      `${field} "${cursor.length > 100 ? `${cursor.slice(0, 100)}…` : cursor}" is not a cursor the hub issued: pass an edge's cursor or pageInfo.endCursor unchanged`,
      field,
    );
  if (named !== (list ?? '')) {
    throw new BadUserInputError(
      `${field} is a cursor of ${named ? `\`${named}\`` : 'another list'}, not of ${list ? `\`${list}\`` : 'this one'}: a cursor pages only the list that issued it`,
      field,
    );
  }
  if (!members) return positions;
  return Object.fromEntries(Object.entries(positions).filter(([key]) => key === RANK_POSITION || members.has(key)));
}
