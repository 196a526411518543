import { ownerOf } from '../schema/ids';

/**
 * The ECVET roles a caller can hold at their institution. `agency` is a national agency's (or the European
 * level's) staff: it reads aggregates over the countries it oversees, never a record.
 */
export const ROLES = ['coordinator', 'assessor', 'viewer', 'learner', 'agency'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the gateway established it from the caller's token and vouched for in a signed hop. */
export interface Caller {
  /** Code of the institution that issued the caller's identity. */
  institution: string;
  roles: Role[];
  /** For learners: their learner ID (a hub ID owned by their sending institution). */
  learnerId: string | null;
  /** The token's subject, for the audit trail. */
  subject: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Subjects of this prefix name the hub's own services (a shard calling the hub): `service:<kind>@<institution>`. */
export const SERVICE_SUBJECT_PREFIX = 'service:';

/**
 * Why a caller cannot be believed as a whole, or null when it can. A claim about a person is believed only from
 * the institution that owns that person's ID, so a learner's ID must belong to the caller's institution; a learner
 * acts only as a learner; a service subject names the institution it acts for and reads only. The gateway applies
 * this to every token and shards to every caller a hop carries.
 */
export function callerInconsistency(caller: Caller): string | null {
  if (caller.roles.length === 0) return 'the caller holds no role';
  if (new Set(caller.roles).size !== caller.roles.length) return `roles ${caller.roles.join(', ')} repeat a role`;
  const learner = caller.roles.includes('learner');
  if (learner && caller.roles.length > 1)
    return `a learner holds only the learner role, not also ${caller.roles.filter((role) => role !== 'learner').join(', ')}`;
  if (learner && caller.learnerId === null) return 'a learner needs a learner_id';
  if (caller.roles.includes('agency') && caller.roles.length > 1)
    return `an agency holds only the agency role, not also ${caller.roles.filter((role) => role !== 'agency').join(', ')}`;
  if (!learner && caller.learnerId !== null) return `learner_id ${caller.learnerId} is only for the learner role`;
  if (caller.learnerId !== null) {
    const owner = ownerOf(caller.learnerId);
    if (owner === null || !caller.learnerId.includes(':'))
      return `learner_id ${JSON.stringify(caller.learnerId)} is not a hub ID such as "rvt.lv:L-17"`;
    if (owner !== caller.institution) {
      return `learner_id ${caller.learnerId} belongs to ${owner}; only ${owner} may vouch for its learners, not ${caller.institution}`;
    }
  }
  if (caller.subject === '') return 'the caller has no subject';
  if (caller.subject.startsWith(SERVICE_SUBJECT_PREFIX)) {
    const service = /^service:[a-z]+@(.+)$/.exec(caller.subject);
    if (!service || service[1] !== caller.institution)
      return `service subject ${caller.subject} does not name ${caller.institution}`;
    if (caller.roles.length !== 1 || caller.roles[0] !== 'viewer') return 'a service acts as a viewer only';
  }
  return null;
}
