import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { Shard } from '../registry/registry';

type ResponseError = GraphQLFormattedError & { extensions?: Record<string, unknown> };

/** Why a shard call failed, in words a client can act on and a code it can branch on. */
export function shardFailure(shard: Shard, error: unknown, path: ReadonlyArray<string | number> | undefined): ResponseError {
  const cause = error instanceof Error ? error : new Error(String(error));
  const timedOut = cause.name === 'TimeoutError' || cause.name === 'AbortError' || /timeout|aborted/i.test(cause.message);
  const code = timedOut ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.SHARD_UNAVAILABLE;
  const reason = timedOut ? 'did not answer in time' : `could not be reached (${describe(cause)})`;
  return {
    message: `The ${shard.kind} shard of ${shard.institution} ${reason}; its data is missing from this answer`,
    ...(path ? { path } : {}),
    extensions: { code, institution: shard.institution, kind: shard.kind, cause: timedOut ? 'timeout' : 'unavailable' },
  };
}

function describe(error: Error): string {
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
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
