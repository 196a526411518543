import { GraphQLError } from 'graphql';

/**
 * The error codes a client of the hub can meet, each with the HTTP status a single-error response would
 * carry. They are part of the public contract: integrators branch on `extensions.code`.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SHARD_UNAVAILABLE: 'SHARD_UNAVAILABLE',
  GATEWAY_TIMEOUT: 'GATEWAY_TIMEOUT',
  /** The operation is larger than a limit of the hub allows (`extensions.limit` names it, `extensions.max` is its value). */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** The request body is larger than the hub accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Too many requests from this IP address or institution; `Retry-After` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The HTTP request itself is malformed (not JSON, say). */
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

type Extensions = Record<string, unknown>;

abstract class HubError extends GraphQLError {
  protected constructor(
    message: string,
    code: ErrorCode,
    status: number,
    extensions: Extensions = {},
    headers?: ReadonlyMap<string, string>,
  ) {
    // Apollo Server sends `http.headers` with the response when the error fails the whole request.
    super(message, { extensions: { ...extensions, code, http: headers ? { status, headers } : { status } } });
  }
}

/** Input that breaks a rule of the schema: the message names the field and the rule. */
export class BadUserInputError extends HubError {
  constructor(message: string, field?: string, extensions: Extensions = {}) {
    super(message, ErrorCode.BAD_USER_INPUT, 400, field ? { ...extensions, field } : extensions);
  }
}

/** No valid identity where one is needed (missing, malformed, expired or forged credentials). */
export class UnauthenticatedError extends HubError {
  constructor(message: string) {
    super(message, ErrorCode.UNAUTHENTICATED, 401);
  }
}

/** The caller is known but may not see or change this. */
export class ForbiddenError extends HubError {
  constructor(message: string) {
    super(message, ErrorCode.FORBIDDEN, 403);
  }
}

/** Nothing with this identifier exists (or its owner is not part of the federation). */
export class NotFoundError extends HubError {
  constructor(message: string, extensions: Extensions = {}) {
    super(message, ErrorCode.NOT_FOUND, 404, extensions);
  }
}

/** The request is well-formed but the current state forbids it (a duplicate, a rule between records). */
export class ConflictError extends HubError {
  constructor(message: string, extensions: Extensions = {}) {
    super(message, ErrorCode.CONFLICT, 409, extensions);
  }
}

/** Data a record needs from another shard could not be read: the message names the institution and why. */
export class ShardUnavailableError extends HubError {
  constructor(message: string, extensions: Extensions = {}) {
    super(message, ErrorCode.SHARD_UNAVAILABLE, 503, extensions);
  }
}

/** Names of the operation limits, as `extensions.limit` carries them. */
export type OperationLimit =
  'depth' | 'aliases' | 'tokens' | 'directives' | 'fieldRepeats' | 'rootFields' | 'cost' | 'batch';

/** An operation over one of the hub's limits: the message names the limit and its value. */
export class OperationLimitError extends HubError {
  constructor(message: string, limit: OperationLimit, max: number, found?: number) {
    super(
      message,
      ErrorCode.OPERATION_LIMIT_EXCEEDED,
      400,
      found === undefined ? { limit, max } : { limit, max, found },
    );
  }
}

/** A request body over the size limit. */
export class PayloadTooLargeError extends HubError {
  constructor(maxBytes: number) {
    super(`Request body exceeds the limit of ${maxBytes} bytes`, ErrorCode.PAYLOAD_TOO_LARGE, 413, {
      limit: 'bodyBytes',
      max: maxBytes,
    });
  }
}

/** Over a rate limit; `Retry-After` (seconds) says when the next request will be accepted. */
export class RateLimitedError extends HubError {
  constructor(message: string, limit: 'ip' | 'institution', retryAfterSeconds: number) {
    super(
      message,
      ErrorCode.RATE_LIMITED,
      429,
      { limit, retryAfterSeconds },
      new Map([['retry-after', String(retryAfterSeconds)]]),
    );
  }
}

/** A request that is not a well-formed GraphQL-over-HTTP request. */
export class BadRequestError extends HubError {
  constructor(message: string) {
    super(message, ErrorCode.BAD_REQUEST, 400);
  }
}
