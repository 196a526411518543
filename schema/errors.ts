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
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

type Extensions = Record<string, unknown>;

abstract class HubError extends GraphQLError {
  protected constructor(message: string, code: ErrorCode, status: number, extensions: Extensions = {}) {
    super(message, { extensions: { ...extensions, code, http: { status } } });
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
