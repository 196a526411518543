import type { Requirement } from './kit';
import { personalRequirements } from './personal';
import { qualificationsRequirements } from './qualifications';

export const KINDS = ['qualifications', 'mobilities', 'recognition'] as const;
export type ShardKind = (typeof KINDS)[number];

export function isShardKind(value: string): value is ShardKind {
  return (KINDS as readonly string[]).includes(value);
}

/** The contract's requirements for one kind (schema/CONTRACT.md), in the order they run. */
export function requirementsFor(kind: ShardKind, institution: string): Requirement[] {
  return kind === 'qualifications' ? qualificationsRequirements() : personalRequirements(kind, institution);
}

export { runRequirements, type KitOptions, type Outcome, type Requirement } from './kit';
export { junitReport, textReport } from './report';
