/** The ECVET roles a caller can hold at their institution. */
export const ROLES = ['coordinator', 'assessor', 'viewer', 'learner'] as const;
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
