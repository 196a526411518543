import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../schema/errors';

/**
 * A write cut off by its database (connection killed or lost, lock or busy timeout, deadlock) reaches the client as
 * SHARD_UNAVAILABLE with `cause: "database"` instead of an internal error carrying the driver's message: the
 * transaction was rolled back or its outcome is unknown, and a retry with the same Idempotency-Key settles which.
 */
const DATABASE_FAILURES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
]);

function databaseFailure(error: unknown): boolean {
  let current: unknown = error;
  // GraphQLError → TypeORM QueryFailedError → driver error: look a few levels down.
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, fatal } = current as { code?: unknown; fatal?: unknown };
    if (fatal === true || (typeof code === 'string' && (DATABASE_FAILURES.has(code) || code.startsWith('SQLITE_BUSY'))))
      return true;
    const next = current as { originalError?: unknown; driverError?: unknown };
    current = next.originalError ?? next.driverError;
  }
  return false;
}

export function useDatabaseErrors<C extends BaseContext>(options: {
  institution: string;
  kind: string;
}): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      let failed: ReadonlySet<number> = new Set();
      return {
        async didEncounterErrors({ errors }) {
          failed = new Set(errors.flatMap((error: GraphQLError, index) => (databaseFailure(error) ? [index] : [])));
        },
        async willSendResponse({ response }) {
          if (failed.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.errors = result.errors?.map((error, index) =>
            failed.has(index)
              ? {
                  ...error,
                  message: `The ${options.kind} database of ${options.institution} failed during the request: any write in it was rolled back or its outcome is unknown. Retry with the same Idempotency-Key.`,
                  extensions: { code: ErrorCode.SHARD_UNAVAILABLE, cause: 'database' },
                }
              : error,
          );
        },
      };
    },
  };
}
