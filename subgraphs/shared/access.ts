import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../schema/errors';
import type { Caller, Role } from '../../platform/caller';
import { currentRequestScope } from './request-scope';
import type { ShardRequestContext } from './context';

/** An answer shaped by an access rule is the caller's own: the hub must not serve it to anybody else. */
function markCallerConsulted(): void {
  const scope = currentRequestScope();
  if (scope) scope.callerConsulted = true;
}

/**
 * The authorization rules every kind applies, in one place. Resolvers, reference resolvers and loaders call
 * these; none decides access on its own.
 */
export function requireCaller(context: ShardRequestContext): Caller {
  markCallerConsulted();
  if (context.caller) return context.caller;
  throw new UnauthenticatedError(context.hopError ?? 'This needs a signed-in caller: send a bearer token to the hub');
}

/** Only staff of `institution` holding `role` may do this (e.g. a coordinator changing its own units). */
export function requireStaffRole(
  context: ShardRequestContext,
  institution: string,
  role: Role,
  action: string,
): Caller {
  const caller = requireCaller(context);
  if (caller.institution !== institution) {
    throw new ForbiddenError(`Only ${institution} may ${action}; the caller belongs to ${caller.institution}`);
  }
  if (!caller.roles.includes(role)) {
    throw new ForbiddenError(
      `Only a ${role} of ${institution} may ${action}; the caller holds: ${caller.roles.join(', ') || 'no role'}`,
    );
  }
  return caller;
}

/** The parties to a mobility record (learning agreement, assessment, transcript, recognition). */
export interface Parties {
  sendingInstitution: string;
  hostingInstitution: string;
  learnerId: string;
}

export type PartyRole = 'sending' | 'hosting' | 'learner';

/**
 * How the caller takes part in a mobility record, or null if not at all: staff of the sending or hosting
 * institution (any staff role), or the learner reading their own.
 */
export function partyRoleOf(caller: Caller | null, parties: Parties): PartyRole | null {
  markCallerConsulted();
  if (!caller) return null;
  if (caller.roles.includes('learner') && caller.learnerId === parties.learnerId) return 'learner';
  if (isStaffOf(caller, parties.sendingInstitution)) return 'sending';
  if (isStaffOf(caller, parties.hostingInstitution)) return 'hosting';
  return null;
}

/** Staff of the institution: a caller of it holding any role but learner. */
export function isStaffOf(caller: Caller | null, institution: string): boolean {
  markCallerConsulted();
  return !!caller && caller.institution === institution && caller.roles.some((role) => role !== 'learner');
}

/**
 * Personal data of a mobility: parties only. A non-party gets exactly what an unknown ID gets (`notFound`, the
 * same NOT_FOUND the caller throws for a missing record), so no answer tells it that the record exists.
 */
export function requireParty(
  context: ShardRequestContext,
  parties: Parties,
  notFound: { message: string; field?: string },
): PartyRole {
  const role = partyRoleOf(requireCaller(context), parties);
  if (!role) throw new NotFoundError(notFound.message, notFound.field === undefined ? {} : { field: notFound.field });
  return role;
}

/** Aggregates for national agencies: only an `agency` caller, vouched for by the hub, reads a shard's base cells. */
export function requireAgency(context: ShardRequestContext, action: string): Caller {
  const caller = requireCaller(context);
  if (!caller.roles.includes('agency'))
    throw new ForbiddenError(`Only a national agency may ${action}; the caller holds: ${caller.roles.join(', ')}`);
  return caller;
}
