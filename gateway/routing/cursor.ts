import { BadUserInputError } from '../../schema/errors';

/**
 * A cursor over a fanned-out list: the position reached in each institution's shard. Positions move only
 * for institutions whose items were handed out, so a shard that was down is read from where it stopped
 * once it is back: no item is skipped, some arrive late.
 */
export type Positions = Record<string, string>;

const PREFIX = 'hub1.';

export function encodeHubCursor(positions: Positions): string {
  return PREFIX + Buffer.from(JSON.stringify(positions), 'utf8').toString('base64url');
}

export function decodeHubCursor(cursor: string | null | undefined, field = 'after'): Positions {
  if (cursor == null || cursor === '') return {};
  if (cursor.startsWith(PREFIX)) {
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) {
        return value as Positions;
      }
    } catch {
      // reported below
    }
  }
  throw new BadUserInputError(`${field} "${cursor}" is not a cursor the hub issued: pass an edge's cursor or pageInfo.endCursor unchanged`, field);
}
