import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { isInstitutionCode, LOCAL_ID_PATTERN, ownerOf } from '../../schema/ids';
import { selectedFields, type CursorKeys, type NodeIds } from './fan-out';
import type { WriteClaim } from './plan';

type Json = Record<string, unknown>;
type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** Response keys of the fields by which an item says whose it is. */
export interface Claims {
  /** Its `id`: an entity ID (`<owner>:<local id>`) or an institution's code. */
  ids: string[];
  /** Its `institution`: a code, or an institution whose `id` is under the keys given. */
  institutions: Array<{ key: string; ids: string[] }>;
}

/** One list of items in a shard's answer to a fanned-out field, and how each item says whose it is. */
export interface ItemsClaim extends Claims {
  /** The list's key in the field's value; null: the value is the list. */
  list: string | null;
  /** The key of each item's node (a connection's edges); null: the item itself. */
  node: string | null;
  /**
   * Set for the list that tells the hub each merged item's owner: it must hold, for every item of this other
   * list (the one the merge reads), a node carrying an ID of the shard's own.
   */
  proves: string | null;
}

function claimsIn(set: SelectionSetNode | undefined, fragments: Fragments): Claims {
  const fields = selectedFields(set, fragments);
  return {
    ids: fields.filter((f) => f.name === 'id').map((f) => f.key),
    institutions: fields
      .filter((f) => f.name === 'institution')
      .map((f) => ({
        key: f.key,
        ids: selectedFields(f.selectionSet, fragments)
          .filter((inner) => inner.name === 'id')
          .map((inner) => inner.key),
      })),
  };
}

const claimsAnything = (claims: Claims) => claims.ids.length > 0 || claims.institutions.length > 0;

/** What a fanned-out list's items say of their owner; undefined when the selection asks for nothing that does. */
export function listClaims(node: FieldNode, fragments: Fragments): ItemsClaim[] | undefined {
  const claims = claimsIn(node.selectionSet, fragments);
  return claimsAnything(claims) ? [{ list: null, node: null, proves: null, ...claims }] : undefined;
}

/**
 * What a fanned-out connection's items say of their owner: each one's ID (`ids`), for every item of the list the
 * merge reads (`cursors`), and whatever the client sees.
 */
export function connectionClaims(
  node: FieldNode,
  fragments: Fragments,
  ids: NodeIds,
  cursors: CursorKeys,
): ItemsClaim[] {
  const claims: ItemsClaim[] = [
    { list: ids.list, node: ids.node, proves: cursors.list, ids: [ids.id], institutions: [] },
  ];
  for (const selected of selectedFields(node.selectionSet, fragments)) {
    if (selected.name === 'nodes')
      claims.push({ list: selected.key, node: null, proves: null, ...claimsIn(selected.selectionSet, fragments) });
    else if (selected.name === 'edges') {
      for (const inner of selectedFields(selected.selectionSet, fragments).filter((f) => f.name === 'node'))
        claims.push({ list: selected.key, node: inner.key, proves: null, ...claimsIn(inner.selectionSet, fragments) });
    }
  }
  return claims.filter((claim) => claim.proves !== null || claimsAnything(claim));
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object';
const COLON = 0x3a;
/**
 * Whether `value` is an ID of `owner`'s, as `ownerOf(value) === owner` says, with the owner's code checked once per
 * answer (null: malformed, owns nothing) rather than read again from each of a fan-out's items: its code, or
 * `<owner>:<local id>`.
 */
const ownId = (value: unknown, owner: string | null) =>
  owner !== null &&
  typeof value === 'string' &&
  (value === owner ||
    (value.length > owner.length + 1 &&
      value.charCodeAt(owner.length) === COLON &&
      value.startsWith(owner) &&
      LOCAL_ID_PATTERN.test(value.slice(owner.length + 1))));
/** A value the shard sent under a claiming key that is not its own (absent and null claim nothing). */
const foreignId = (value: unknown, owner: string | null) => value != null && !ownId(value, owner);

function namesAnother(item: Json, claims: Claims, own: string, owner: string | null): boolean {
  if (claims.ids.some((key) => foreignId(item[key], owner))) return true;
  return claims.institutions.some(({ key, ids }) => {
    const named = item[key];
    return isObject(named) ? ids.some((id) => foreignId(named[id], owner)) : named != null && named !== own;
  });
}

/**
 * Whether a shard's answer to a fanned-out field holds an item that is not its institution's own (`own`): one
 * naming another institution, or, where the hub must know each item's owner, one without an ID of its own.
 */
export function answersForAnother(value: unknown, claims: readonly ItemsClaim[], own: string): boolean {
  if (value == null) return false;
  const owner = isInstitutionCode(own) ? own : null;
  return claims.some((claim) => {
    const at = claim.list === null ? value : isObject(value) ? value[claim.list] : undefined;
    const items: unknown[] = Array.isArray(at) ? at : at == null ? [] : [at];
    const nodes = items.map((item) => (claim.node === null || !isObject(item) ? item : item[claim.node]));
    if (nodes.some((node) => isObject(node) && namesAnother(node, claim, own, owner))) return true;
    if (claim.proves === null || !isObject(value)) return false;
    const merged = value[claim.proves];
    const count = Array.isArray(merged) ? merged.length : 0;
    // A null node (a shard's error) claims nothing; any other item the merge would take must prove its owner.
    for (let i = 0; i < count; i += 1) {
      const node = nodes[i];
      if (node !== null && !(isObject(node) && claim.ids.every((key) => ownId(node[key], owner)))) return true;
    }
    return false;
  });
}

/**
 * What an owner's answer for one item asked by its ID (a by-ID field's, or an `_entities` value, shaped by `set`)
 * says of which item it is; null when the selection asks for nothing that does.
 */
export function itemClaims(set: SelectionSetNode | undefined, fragments: Fragments): Claims | null {
  const claims = claimsIn(set, fragments);
  return claimsAnything(claims) ? claims : null;
}

/** For each type an `_entities` selection asks of (`... on Unit { id }`), how its answers show which item each is. */
export function entitiesClaims(set: SelectionSetNode | undefined, fragments: Fragments): Map<string, Claims> {
  const byType = new Map<string, Claims>();
  for (const selection of set?.selections ?? []) {
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection
        : selection.kind === Kind.FRAGMENT_SPREAD
          ? fragments.get(selection.name.value)
          : undefined;
    const typeName = fragment?.typeCondition?.name.value;
    const claims = fragment && typeName ? itemClaims(fragment.selectionSet, fragments) : null;
    if (typeName && claims) {
      const known = byType.get(typeName);
      byType.set(
        typeName,
        known
          ? { ids: [...known.ids, ...claims.ids], institutions: [...known.institutions, ...claims.institutions] }
          : claims,
      );
    }
  }
  return byType;
}

/** Whether an owner's answer for item `id` (an entity ID or an institution's code) names another item or owner. */
export function answersAsAnother(value: unknown, claims: Claims, id: string): boolean {
  if (!isObject(value)) return false;
  const owner = ownerOf(id);
  if (owner === null) return true;
  if (claims.ids.some((key) => value[key] != null && value[key] !== id)) return true;
  return claims.institutions.some(({ key, ids }) => {
    const named = value[key];
    return isObject(named)
      ? ids.some((inner) => named[inner] != null && named[inner] !== owner)
      : named != null && named !== owner;
  });
}

/**
 * Whether a write's answer names another item than the one written (`claim.id`), or, for a write that makes one
 * (`claim.id` null), an item or institution that is not the owner's (`own`) it went to.
 */
export function writesAsAnother(value: unknown, claim: WriteClaim, own: string): boolean {
  if (claim.id !== null) return answersAsAnother(value, claim.claims, claim.id);
  return answersForAnother(value, [{ list: null, node: null, proves: null, ...claim.claims }], own);
}
