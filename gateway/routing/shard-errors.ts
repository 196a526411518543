import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { Shard } from '../registry/registry';
import { httpStatusOf, isTimeout, ShardCallRefused } from '../resilience/resilience';
import { AnswerPastLimit } from '../resilience/json-values';

type ResponseError = GraphQLFormattedError & { extensions?: Record<string, unknown> };

/** Why a shard's data is missing, as `extensions.cause` says it. */
export type FailureCause =
  | 'timeout'
  | 'unavailable'
  | 'malformed'
  | 'too-large'
  | 'foreign-items'
  | 'circuit-open'
  | 'overloaded'
  | 'wrong-shard';

/** Connection failures that happen before a request is written: the shard never saw the call. */
const BEFORE_SENDING = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a failed call never reached its shard (refused by the gateway, or no connection made). */
export function neverSent(error: unknown): boolean {
  if (error instanceof ShardCallRefused) return true;
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.cause?.code;
  return typeof code === 'string' && BEFORE_SENDING.has(code);
}

/** A shard answered, but not with a GraphQL response (HTML, garbage, JSON of another shape). */
export class MalformedAnswer extends Error {
  constructor() {
    super('the answer is not a GraphQL response');
    this.name = 'MalformedAnswer';
  }
}

/** A shard's share of a fan-out held items that are not its own (another's ID or name, or no ID): it answers for its own only. */
export class ForeignItems extends Error {
  constructor() {
    super("the answer names another institution's items as its own");
    this.name = 'ForeignItems';
  }
}

/** undici's code for an answer cut at the pool's `maxResponseSize` (MAX_SHARD_ANSWER_BYTES). */
const TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

export function failureCause(error: unknown): FailureCause {
  if (error instanceof ShardCallRefused) return error.reason;
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if ((failure?.code ?? failure?.cause?.code) === TOO_LARGE || error instanceof AnswerPastLimit) return 'too-large';
  if (error instanceof ForeignItems) return 'foreign-items';
  if (error instanceof MalformedAnswer || error instanceof SyntaxError) return 'malformed';
  if (isTimeout(error)) return 'timeout';
  // RemoteGraphQLDataSource's words for a 2xx body that is not JSON.
  if (error instanceof Error && error.message.startsWith('Expected JSON response body')) return 'malformed';
  return 'unavailable';
}

const REASONS: Record<FailureCause, string> = {
  timeout: 'did not answer in time',
  unavailable: 'could not be reached',
  malformed: 'answered with something that is not a GraphQL response',
  'too-large': 'answered more than the hub reads of one answer (MAX_SHARD_ANSWER_BYTES)',
  'foreign-items':
    "answered items that are not its own (another institution's ID or name, or no ID; a shard answers for its own only)",
  'circuit-open': 'is skipped for now: it failed repeatedly and will be tried again shortly',
  overloaded: 'has too many calls in flight',
  'wrong-shard': 'is not the shard this hub was configured for',
};

/** An answer past its values is named by that cap: its bytes may be few. */
function reasonOf(cause: FailureCause, error: unknown): string {
  if (error instanceof AnswerPastLimit && error.limit === 'values')
    return 'answered more JSON values than the hub parses of one answer (MAX_SHARD_ANSWER_VALUES)';
  return REASONS[cause];
}

/** A network code or HTTP status says what went wrong without repeating what the shard said (its internals). */
function detail(error: unknown): string {
  const status = httpStatusOf(error);
  if (status !== undefined) return ` (HTTP ${status})`;
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? ` (${code})` : '';
}

/** What answers at a wrong shard's URL instead (its URL, kind, institution and key ids: no secrets). */
function wrongShard(error: unknown): string {
  return error instanceof ShardCallRefused && error.reason === 'wrong-shard' && error.detail
    ? ` (${error.detail})`
    : '';
}

/** Why a shard call failed, in words a client can act on and a code it can branch on. */
export function shardFailure(
  shard: Shard,
  error: unknown,
  path: ReadonlyArray<string | number> | undefined,
): ResponseError {
  const cause = failureCause(error);
  const code = cause === 'timeout' ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.SHARD_UNAVAILABLE;
  return {
    message: `The ${shard.kind} shard of ${shard.institution} ${reasonOf(cause, error)}${cause === 'unavailable' ? detail(error) : ''}${wrongShard(error)}; its data is missing from this answer`,
    ...(path ? { path } : {}),
    extensions: { code, institution: shard.institution, kind: shard.kind, cause },
  };
}

/** Marks a shard's own error with the institution and kind it came from; its code is kept. */
export function fromShard(shard: Shard, error: ResponseError, path?: ReadonlyArray<string | number>): ResponseError {
  return {
    ...error,
    ...(path ? { path } : {}),
    extensions: { ...error.extensions, institution: shard.institution, kind: shard.kind },
  };
}

/** The same rejection from every shard of a fan-out (a bad filter, say) is reported once. */
export function dedupe(errors: ResponseError[]): ResponseError[] {
  const seen = new Map<string, ResponseError>();
  const counts = new Map<string, number>();
  for (const error of errors) {
    const key = `${String(error.extensions?.code)}|${error.message}|${JSON.stringify(error.path ?? [])}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!seen.has(key)) seen.set(key, error);
  }
  return [...seen.entries()].map(([key, error]) => {
    if ((counts.get(key) ?? 0) < 2) return error;
    const { institution: _institution, ...extensions } = error.extensions ?? {};
    return { ...error, extensions };
  });
}
export type { ResponseError };
