import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { ResponseErrorBody } from '../../platform/http';
import { moduleLogger, type Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import { traceFieldsOf } from '../tracing/tracing';
import type { ShardCallEvent } from '../routing/data-source';

export interface ErrorsOptions {
  /** Production: errors without a code of the hub's contract lose their message and details. @default false */
  production?: boolean;
  /** The request id of an HTTP request (for errors sent before any GraphQL context exists). */
  requestIdOf: (request: IncomingMessage) => string;
  /** Called once per error sent to a client, with its code (metrics). */
  onError?: (code: string) => void;
  /** @default the `errors` module logger */
  log?: Logger;
}

/** As a gateway part: its plugin puts the request id on every error of a GraphQL answer and logs unexpected ones. */
export interface ErrorHandling extends GatewayPart {
  /** Apollo's `formatError`: hub codes restored where Apollo re-files them, internals hidden in production. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  plugins: readonly [ApolloServerPlugin<HubContext>];
  /** The same for responses that fail before or outside GraphQL (413, 429, CSRF, bad JSON): `onErrors` of the HTTP server. */
  onErrors: (request: IncomingMessage, errors: ResponseErrorBody[]) => void;
  /** Logs a shard call that failed or answered with errors, with the institution and the request id. */
  logShardCall: (event: ShardCallEvent) => void;
}

const HUB_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
/** Codes that say "something broke" rather than "you asked for something wrong": their details are internals. */
const UNEXPECTED: ReadonlySet<string> = new Set([ErrorCode.INTERNAL_SERVER_ERROR, 'DOWNSTREAM_SERVICE_ERROR']);
/** Extensions that carry stack traces or other implementation details (a partner's own system may send them). */
const INTERNAL_EXTENSIONS = ['exception', 'stacktrace'];

type Extensions = Record<string, unknown>;

/** Apollo files every validation error under GRAPHQL_VALIDATION_FAILED; a hub error raised in validation keeps its own code. */
function restoreHubCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED') return formatted;
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (!(original instanceof GraphQLError)) return formatted;
  const { http: _http, ...extensions } = original.extensions;
  if (typeof extensions.code !== 'string' || !HUB_CODES.has(extensions.code)) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, ...extensions } };
}

/** What a failure was, for the logs: its name, message and network code; never a whole response body. */
function describeFailure(failure: unknown): Record<string, unknown> {
  const error = failure as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown };
    extensions?: { response?: { status?: unknown } };
  };
  return {
    name: error?.name,
    message: typeof error?.message === 'string' ? error.message.slice(0, 500) : String(failure).slice(0, 500),
    ...(error?.cause?.code !== undefined ? { code: error.cause.code } : {}),
    ...(error?.extensions?.response?.status !== undefined ? { status: error.extensions.response.status } : {}),
  };
}

/** An error's code as a metric label; an error without one counts as an internal error. */
function codeLabel(code: unknown): string {
  if (code === undefined || code === null) return ErrorCode.INTERNAL_SERVER_ERROR;
  return typeof code === 'string' ? code : JSON.stringify(code);
}

function masked(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions: Extensions = formatted.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : undefined;
  if (code !== undefined && !UNEXPECTED.has(code)) {
    if (!INTERNAL_EXTENSIONS.some((key) => key in extensions)) return formatted;
    const kept = { ...extensions };
    for (const key of INTERNAL_EXTENSIONS) delete kept[key];
    return { ...formatted, extensions: kept };
  }
  const { institution, kind } = extensions;
  const message =
    typeof institution === 'string'
      ? `The ${typeof kind === 'string' ? `${kind} ` : ''}shard of ${institution} failed to answer; its data is missing from this answer`
      : 'Internal server error';
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      ...(typeof institution === 'string' ? { institution } : {}),
      ...(typeof kind === 'string' ? { kind } : {}),
    },
  };
}

/**
 * Errors as clients meet them: every one with a code and the request id; in production no stack trace, no
 * shard message behind an internal error (a generic one that keeps `institution` instead), details in the logs.
 */
export function useErrors(options: ErrorsOptions): ErrorHandling {
  const log = options.log ?? moduleLogger('errors');
  const production = options.production ?? false;
  const count = options.onError;

  // One listener object for every request: the hooks read what they need from their argument.
  const listener: GraphQLRequestListener<HubContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        const code = error.extensions.code;
        // Shard errors are logged where the shard call is made, with the institution; these are the hub's own.
        if (
          (code === undefined || (typeof code === 'string' && UNEXPECTED.has(code))) &&
          error.extensions.institution === undefined
        ) {
          log.error(
            {
              requestId: contextValue.requestId,
              ...traceFieldsOf(contextValue),
              err: error.originalError ?? error,
              path: error.path,
            },
            'unexpected error',
          );
        }
      }
    },
    async willSendResponse({ response, contextValue }) {
      if (response.body.kind !== 'single') return;
      const result = response.body.singleResult;
      if (!result.errors) return;
      const requestId = contextValue.requestId;
      result.errors = result.errors.map((error) => {
        count?.(codeLabel(error.extensions?.code));
        return { ...error, extensions: { ...error.extensions, requestId } };
      });
    },
  };

  return {
    name: 'errors',
    formatError: (formatted, error) => {
      const restored = restoreHubCode(formatted, error);
      return production ? masked(restored) : restored;
    },
    plugins: [{ requestDidStart: async () => listener }],
    logShardCall: (event) => {
      const where = {
        requestId: event.requestId,
        institution: event.shard.institution,
        kind: event.shard.kind,
        operation: event.operation,
      };
      if (event.failure !== undefined) {
        log.warn(
          {
            ...where,
            cause: event.outcome,
            durationMs: Math.round(event.durationMs),
            failure: describeFailure(event.failure),
          },
          'shard call failed',
        );
        return;
      }
      for (const error of event.errors ?? []) {
        const code = error.extensions?.code;
        if (code === undefined || (typeof code === 'string' && UNEXPECTED.has(code)))
          log.error({ ...where, code, message: error.message, path: error.path }, 'shard reported an internal error');
        else log.debug({ ...where, code, message: error.message, path: error.path }, 'shard answered with an error');
      }
    },
    onErrors: (request, errors) => {
      const requestId = options.requestIdOf(request);
      for (const error of errors) {
        // Already seen by the plugin (a GraphQL answer with a 4xx status, such as a validation failure).
        if (error.extensions?.requestId !== undefined) continue;
        error.extensions = { ...error.extensions, requestId };
        count?.(codeLabel(error.extensions.code));
      }
    },
  };
}
