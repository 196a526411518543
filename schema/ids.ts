/**
 * Entity identifiers name their owner: `<institution code>:<local id>`, e.g. `rvt.lv:WELD-U3`.
 * An institution's own ID is its bare code. The gateway routes on this, shards check it.
 */

/** Institution codes look like domain names: lower case labels joined by dots (`bbs-hannover.de`). */
export const INSTITUTION_CODE_PATTERN =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Local IDs are chosen by the owner: letters, digits, `.`, `_`, `-`, at most 64 characters. */
export const LOCAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface EntityId {
  institution: string;
  localId: string;
}

export function isInstitutionCode(value: string): boolean {
  return INSTITUTION_CODE_PATTERN.test(value);
}

/** Splits an entity ID; `null` when it is not of the form `<institution code>:<local id>`. */
export function parseEntityId(id: string): EntityId | null {
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const institution = id.slice(0, colon);
  const localId = id.slice(colon + 1);
  if (!isInstitutionCode(institution) || !LOCAL_ID_PATTERN.test(localId)) return null;
  return { institution, localId };
}

/** The institution that owns an entity ID or an institution ID; `null` for anything malformed. */
export function ownerOf(id: string): string | null {
  if (!id.includes(':')) return isInstitutionCode(id) ? id : null;
  return parseEntityId(id)?.institution ?? null;
}

export function entityId(institution: string, localId: string): string {
  return `${institution}:${localId}`;
}

/** The message every layer uses for a malformed ID, so clients see one wording. */
export function malformedIdMessage(field: string, id: string): string {
  return `${field} "${id}" is not a hub ID: expected "<institution code>:<local id>", e.g. "rvt.lv:WELD-U3"`;
}
