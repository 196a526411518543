import { BadUserInputError } from '../../schema/errors';
import { malformedIdMessage, parseEntityId } from '../../schema/ids';

/**
 * The local ID behind a hub ID if this shard owns it; `null` when another institution does (the gateway
 * routes by owner, so that only happens on direct calls). A malformed ID is the caller's error.
 */
export function ownLocalId(institution: string, id: string, field = 'id'): string | null {
  const parsed = parseEntityId(id);
  if (!parsed) throw new BadUserInputError(malformedIdMessage(field, id), field);
  return parsed.institution === institution ? parsed.localId : null;
}
