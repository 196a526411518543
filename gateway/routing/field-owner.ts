import { ErrorCode } from '../../schema/errors';
import { malformedIdMessage, ownerOf } from '../../schema/ids';
import type { Shard } from '../registry/registry';
import { argumentValue, type RootField, type Variables } from './operation';
import type { PlanCaller, RoutingView } from './plan';
import type { Route } from './routing-table';
import type { ResponseError } from './shard-errors';

type Json = Record<string, unknown>;

/** A routing error at a root field: the field answers null. */
export const errorAt = (field: RootField, code: ErrorCode, message: string, extra: Json = {}): ResponseError => ({
  message,
  path: [field.responseKey],
  extensions: { code, ...extra },
});

/**
 * Who answers a field any shard of the kind can answer (`compareUnits`, `verifyCredential`): the caller's own
 * institution, so each institution's questions cost its own shard and it sees its own shard's reference data
 * (ESCO); else the first in the registry whose circuit is not open, so one dead shard does not take such
 * fields down for everyone, and the same question keeps getting the same shard.
 */
function anyInstitution(view: RoutingView, caller: PlanCaller): string | null {
  const open = (shard: Shard) => view.openCircuits.has(shard.institution);
  const own = caller.institution ? view.shards.find((shard) => shard.institution === caller.institution) : undefined;
  const chosen = own && !open(own) ? own : (view.shards.find((shard) => !open(shard)) ?? own ?? view.shards[0]);
  return chosen?.institution ?? null;
}

/** The shard that owns a root field's target, or the error that says why there is none. */
export function ownerShard(
  field: RootField,
  route: Route,
  view: RoutingView,
  caller: PlanCaller,
  variables: Variables,
): Shard | ResponseError {
  let institution: string | null;
  if (route.kind === 'owner') {
    const value = argumentValue(field.node, route.argument, variables);
    const path = route.argument.join('.');
    if (typeof value !== 'string')
      return errorAt(field, ErrorCode.BAD_USER_INPUT, `${path} must be a hub ID`, { field: path });
    institution = ownerOf(value);
    if (!institution) return errorAt(field, ErrorCode.BAD_USER_INPUT, malformedIdMessage(path, value), { field: path });
  } else if (route.kind === 'caller') {
    institution = caller.institution;
    if (!institution) {
      return errorAt(
        field,
        ErrorCode.UNAUTHENTICATED,
        caller.authError ?? `${field.name} acts for the caller's institution: send a bearer token`,
      );
    }
  } else {
    institution = anyInstitution(view, caller);
  }
  const shard = institution ? view.shards.find((s) => s.institution === institution) : undefined;
  if (!shard) {
    return errorAt(
      field,
      ErrorCode.NOT_FOUND,
      `No institution "${institution}" with a ${view.kind} shard is registered in the hub`,
      { institution },
    );
  }
  return shard;
}
