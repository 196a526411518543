import { createHash } from 'node:crypto';
import { getOperationAST, parse } from 'graphql';
import { BadUserInputError } from '../../../schema/errors';
import type { HopIdempotency } from '../signed-hop';

/** The gateway half of idempotent writes: the client's header, checked, and the digest of what it asked. */

/** The HTTP request header a client names a mutation with, so that a retry is answered rather than run again. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** Visible ASCII only: the key crosses the signed hop in a header and is compared byte for byte. */
const VALID_KEY = /^[\x21-\x7e]+$/;

/** JSON with object keys sorted, so that a retry whose client orders variables differently still matches. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isMutation(query: string, operationName: string | null): boolean {
  try {
    return getOperationAST(parse(query), operationName)?.operation === 'mutation';
  } catch {
    // Not GraphQL: Apollo answers that itself; the key plays no part.
    return false;
  }
}

/**
 * Reads the Idempotency-Key of a GraphQL request at the gateway: null when absent or when the request is not a
 * mutation (queries are safe to repeat; the header is ignored). A key must be 1–200 visible ASCII characters,
 * and names one operation, so a batch with a key is refused.
 */
export function readIdempotencyKey(header: string | string[] | undefined, body: unknown): HopIdempotency | null {
  if (header === undefined) return null;
  const refuse = (rule: string) => new BadUserInputError(`The ${IDEMPOTENCY_KEY_HEADER} header ${rule}`, IDEMPOTENCY_KEY_HEADER);
  if (Array.isArray(body)) throw refuse('names one operation: send batched operations without it, or one by one');
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const query = typeof record.query === 'string' ? record.query : '';
  const operationName = typeof record.operationName === 'string' ? record.operationName : null;
  if (!isMutation(query, operationName)) return null;
  if (Array.isArray(header)) throw refuse('may be sent once');
  if (header.length < 1 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH || !VALID_KEY.test(header)) {
    throw refuse(`must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (no spaces)`);
  }
  const digest = createHash('sha256')
    .update(canonicalJson({ query, variables: record.variables ?? null, operationName }))
    .digest('base64url');
  return { key: header, digest };
}
