import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { BadRequestError, BadUserInputError, ErrorCode, PayloadTooLargeError } from '../schema/errors';

/**
 * A route besides GraphQL (health, metrics, pages, guards): return false to fall through to the next route,
 * then GraphQL. A route may also throw a GraphQLError (`extensions.http` gives status and headers) to refuse
 * the request with a coded error.
 */
export type Route = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

/** One error of an error response, as it is about to be sent. */
export interface ResponseErrorBody {
  message: string;
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface HttpServerOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** Builds the request's context from the HTTP request and its parsed body. */
  context: (request: IncomingMessage, body: unknown) => Promise<C>;
  /** Runs each GraphQL request inside it (a request scope that hooks deep in the call tree can reach). */
  scope?: <T>(work: () => Promise<T>) => Promise<T>;
  port?: number;
  host?: string;
  /** Largest request body accepted, in bytes; a larger one is answered 413 PAYLOAD_TOO_LARGE. @default 1_000_000 */
  maxBodyBytes?: number;
  routes?: Route[];
  path?: string;
  /**
   * Sees (and may extend) the errors of every response that fails the whole request (status 4xx/5xx) before it
   * is sent: request ids, metrics. Responses with data and errors are Apollo's to decorate (a plugin).
   */
  onErrors?: (request: IncomingMessage, errors: ResponseErrorBody[]) => void;
  /** How long `close()` waits for in-flight requests before it cuts their connections. @default 10_000 */
  shutdownTimeoutMs?: number;
}

export interface RunningHttpServer {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), then closes every socket. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Refuses bytes that are not UTF-8 (a lenient decoder would store U+FFFD in their place). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the body up to `limit` bytes. Past the limit it stops keeping chunks but keeps the stream flowing, so
 * the 413 answer reaches a client that is still sending (destroying the request would reset the socket).
 */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (over) return;
      try {
        resolve(strictUtf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(new BadUserInputError('The request body is not valid UTF-8', 'body'));
      }
    });
    request.once('error', reject);
    // A client that goes away mid-body settles the read, so nothing waits on it.
    request.once('close', () => {
      if (!request.complete) reject(new BadRequestError('The request body was cut off'));
    });
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function writeGraphQLResponse(
  response: ServerResponse,
  result: HTTPGraphQLResponse,
  body: string | null,
): Promise<void> {
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (result.body.kind === 'complete') {
    response.end(body ?? result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

/** A request target's path and query string; a POST to the GraphQL path itself needs no URL object to tell. */
function targetOf(target: string, path: string): { pathname: string; search: string } {
  if (target === path) return { pathname: path, search: '' };
  const url = new URL(target, 'http://localhost');
  return { pathname: url.pathname, search: url.search };
}

/** Serves an Apollo Server on node:http, with no framework in between: the hot path stays short. */
export async function startHttpServer<C extends BaseContext>(
  options: HttpServerOptions<C>,
): Promise<RunningHttpServer> {
  const path = options.path ?? '/graphql';
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const sendError = (request: IncomingMessage, response: ServerResponse, error: GraphQLError): void => {
    const { http, ...extensions } = error.extensions as {
      http?: { status?: number; headers?: ReadonlyMap<string, string> };
    } & Record<string, unknown>;
    const errors: ResponseErrorBody[] = [
      { message: error.message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...extensions } },
    ];
    options.onErrors?.(request, errors);
    response.writeHead(http?.status ?? 500, {
      ...Object.fromEntries(http?.headers ?? []),
      'content-type': 'application/json; charset=utf-8',
    });
    response.end(JSON.stringify({ errors }));
  };

  /** Apollo's own refusals (CSRF, batching, context errors) get the same decoration as ours; only on errors. */
  const decorate = (request: IncomingMessage, result: HTTPGraphQLResponse): string | null => {
    if (!options.onErrors || (result.status ?? 200) < 400 || result.body.kind !== 'complete') return null;
    try {
      const parsed = JSON.parse(result.body.string) as { errors?: ResponseErrorBody[] };
      if (!Array.isArray(parsed.errors)) return null;
      options.onErrors(request, parsed.errors);
      return JSON.stringify(parsed);
    } catch {
      return null;
    }
  };

  const server = createServer((request, response) => {
    void (async () => {
      for (const route of options.routes ?? []) {
        // Most routes decline at once (a path check): no await, so no microtask, for those.
        const handled = route(request, response);
        if (handled === false) continue;
        if (handled === true || (await handled)) return;
      }
      const { pathname, search } = targetOf(request.url ?? '/', path);
      if (pathname !== path) return sendJson(response, 404, { error: `Nothing at ${pathname}; GraphQL is at ${path}` });
      let body: unknown = undefined;
      if (request.method === 'POST') {
        // A declared size over the limit is refused before a byte of it is read.
        if (Number(request.headers['content-length'] ?? 0) > limit) throw new PayloadTooLargeError(limit);
        const text = await readBody(request, limit);
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          throw new BadRequestError('Request body is not valid JSON');
        }
      }
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const execute = () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: request.method ?? 'GET', headers, search, body },
          context: () => options.context(request, body),
        });
      const result = await (options.scope ? options.scope(execute) : execute());
      await writeGraphQLResponse(response, result, decorate(request, result));
    })().catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      // Anything unexpected is reported without its details: they are for the logs, not for clients.
      sendError(
        request,
        response,
        error instanceof GraphQLError
          ? error
          : new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // Keep-alive sockets that finish their request while we wait become idle: close them as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(
          () => server.closeAllConnections(),
          options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
        );
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
