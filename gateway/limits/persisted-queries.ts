import { createHash } from 'node:crypto';
import { BadUserInputError } from '../../schema/errors';

const FIELD = 'extensions.persistedQuery.sha256Hash';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Automatic persisted queries, checked before Apollo looks them up: a hash that is not a SHA-256, or not the
 * query's, is the client's mistake (BAD_USER_INPUT naming the rule); an unknown hash stays Apollo's
 * PERSISTED_QUERY_NOT_FOUND, which tells the client to send the query with it.
 */
export function checkPersistedQuery(query: unknown, extensions: unknown): void {
  const persisted: unknown =
    typeof extensions === 'object' && extensions !== null
      ? (extensions as { persistedQuery?: unknown }).persistedQuery
      : undefined;
  if (persisted === undefined) return;
  const { version, sha256Hash } = (typeof persisted === 'object' && persisted !== null ? persisted : {}) as {
    version?: unknown;
    sha256Hash?: unknown;
  };
  if (version !== 1)
    throw new BadUserInputError('extensions.persistedQuery.version must be 1', 'extensions.persistedQuery.version');
  if (typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
    throw new BadUserInputError(`${FIELD} must be the SHA-256 of the query text as 64 lowercase hex digits`, FIELD);
  }
  if (typeof query === 'string' && createHash('sha256').update(query).digest('hex') !== sha256Hash) {
    throw new BadUserInputError(
      `${FIELD} does not match query: it must be the SHA-256 of the query text sent with it`,
      FIELD,
    );
  }
}
