import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST, OperationTypeNode, parse } from 'graphql';
import { BadUserInputError } from '../schema/errors';
import type { HopIdempotency } from './signed-hop';

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
    return getOperationAST(parse(query), operationName)?.operation === OperationTypeNode.MUTATION;
  } catch {
    // Not GraphQL: Apollo answers that itself; the key plays no part.
    return false;
  }
}

const refuse = (rule: string) =>
  new BadUserInputError(`The ${IDEMPOTENCY_KEY_HEADER} header ${rule}`, IDEMPOTENCY_KEY_HEADER);

function validKey(header: string | string[]): string {
  if (Array.isArray(header)) throw refuse('may be sent once');
  if (header.length < 1 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH || !VALID_KEY.test(header)) {
    throw refuse(`must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (no spaces)`);
  }
  return header;
}

/**
 * The key of a mutation and the digest of the whole operation: its full text (as sent, or as Apollo found it for a
 * persisted query's hash), its variables and its operation name. The same operation digests the same whichever
 * form it arrived in, so a retry sent as the hash alone matches a first attempt that sent the text.
 */
export function idempotencyOf(
  header: string | string[],
  operation: { source: string; variables?: Record<string, unknown> | null; operationName?: string | null },
): HopIdempotency {
  const digest = createHash('sha256')
    .update(
      canonicalJson({
        query: operation.source,
        variables: operation.variables ?? null,
        operationName: operation.operationName ?? null,
      }),
    )
    .digest('base64url');
  return { key: validKey(header), digest };
}

/**
 * The HTTP layer's check of an Idempotency-Key, before any GraphQL runs: a batch with a key is refused, and so is a
 * malformed key on a mutation sent as text (400 BAD_USER_INPUT). The key itself is taken up by
 * `useIdempotencyKeys` once the operation is resolved; a query ignores the header.
 */
export function checkIdempotencyKey(header: string | string[] | undefined, body: unknown): void {
  if (header === undefined) return;
  if (Array.isArray(body)) throw refuse('names one operation: send batched operations without it, or one by one');
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  // Without text (a persisted query's hash alone) the operation is known only after Apollo's lookup: the plugin checks it then.
  if (typeof record.query !== 'string') return;
  if (isMutation(record.query, typeof record.operationName === 'string' ? record.operationName : null))
    validKey(header);
}

/**
 * The gateway plugin that puts a mutation's key and digest on the request's context, from where every hop to a
 * shard signs them in. It acts once the operation is resolved, after Apollo's persisted-query lookup, so the key
 * applies whatever form the operation arrived in; a malformed key is refused there with 400 BAD_USER_INPUT.
 */
export function useIdempotencyKeys<C extends BaseContext & { idempotency?: HopIdempotency }>(): ApolloServerPlugin<C> {
  const header = IDEMPOTENCY_KEY_HEADER.toLowerCase();
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get(header);
      if (key === undefined) return {};
      return {
        async didResolveOperation({ operation, source, request: resolved, contextValue }) {
          if (operation?.operation !== OperationTypeNode.MUTATION) return;
          contextValue.idempotency = idempotencyOf(key, {
            source,
            variables: resolved.variables,
            operationName: resolved.operationName,
          });
        },
      };
    },
  };
}
