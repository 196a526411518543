import { ForbiddenError } from '../../schema/errors';
import type { Caller } from '../../platform/caller';
import { isStaffOf, partyRoleOf, requireCaller, requireStaffRole } from '../shared/access';
import type { RecognitionContext } from './context';

/**
 * Who may do what on a recognition shard, on top of the shared rules: every resolver, reference resolver and
 * service asks here. Recognition is the sending institution's business, so the host of the mobility has no part.
 */

/** Validating, deciding, crediting and certifying: this institution's coordinators. */
export function requireCoordinator(context: RecognitionContext, action: string): Caller {
  return requireStaffRole(context, context.institution, 'coordinator', action);
}

/** A learner's record is read by the sending institution's staff (this shard's) and by the learner. */
export function mayReadRecord(context: RecognitionContext, learnerId: string): boolean {
  // No institution hosts here: the learner and the sending institution are the record's only parties.
  return (
    partyRoleOf(context.caller, { sendingInstitution: context.institution, hostingInstitution: '', learnerId }) !== null
  );
}

/** For a learner ID the client names: the rule depends on the ID alone, so refusing tells nothing about the record. */
export function requireRecordReader(context: RecognitionContext, learnerId: string): void {
  requireCaller(context);
  if (!mayReadRecord(context, learnerId))
    throw new ForbiddenError(`Only ${context.institution} and the learner may read the record of ${learnerId}`);
}

/**
 * A record the caller names by ID, read only for a signed-in caller, or null alike when there is none and when the
 * caller may not read it.
 */
export async function readableOrNull<T extends { learnerId: string }>(
  context: RecognitionContext,
  read: () => Promise<T | null>,
): Promise<T | null> {
  requireCaller(context);
  const record = await read();
  return record && mayReadRecord(context, record.learnerId) ? record : null;
}

/**
 * Which decisions on a unit the caller reads: all of them for this institution's staff, a learner's own for a
 * learner, none for anyone else.
 */
export function unitDecisionsReadable(
  context: Pick<RecognitionContext, 'caller' | 'institution'>,
): 'all' | 'own' | 'none' {
  if (isStaffOf(context.caller, context.institution)) return 'all';
  return context.caller?.learnerId ? 'own' : 'none';
}
