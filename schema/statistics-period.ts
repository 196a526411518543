import { BadUserInputError } from './errors';

/*
 * Kept apart from the statistics types (statistics.ts): the gateway checks periods too, and must not load
 * type-graphql's decorated classes to do it.
 */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A month bound of a statistics filter (YYYY-MM), or a BAD_USER_INPUT error naming the field. */
export function checkMonth(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (!MONTH.test(value)) throw new BadUserInputError(`${field} must be a month written YYYY-MM, e.g. 2026-03`, field);
  return value;
}
