import { ForbiddenError, UnauthenticatedError } from '../../schema/errors';
import type { Caller, Role } from './caller';
import type { ShardRequestContext } from './context';

/**
 * The authorization rules every kind applies, in one place. Resolvers, reference resolvers and loaders call
 * these; none decides access on its own.
 */
export function requireCaller(context: ShardRequestContext): Caller {
  if (context.caller) return context.caller;
  throw new UnauthenticatedError(context.hopError ?? 'This needs a signed-in caller: send a bearer token to the hub');
}

/** Only staff of `institution` holding `role` may do this (e.g. a coordinator changing its own units). */
export function requireStaffRole(context: ShardRequestContext, institution: string, role: Role, action: string): Caller {
  const caller = requireCaller(context);
  if (caller.institution !== institution) {
    throw new ForbiddenError(`Only ${institution} may ${action}; the caller belongs to ${caller.institution}`);
  }
  if (!caller.roles.includes(role)) {
    throw new ForbiddenError(`Only a ${role} of ${institution} may ${action}; the caller holds: ${caller.roles.join(', ') || 'no role'}`);
  }
  return caller;
}
