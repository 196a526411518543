import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  execute,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { JWTVerifyGetKey } from 'jose';
import { inputFieldOf } from '../../../schema/input-path';
import { callerInconsistency } from '../../../platform/caller';
import {
  createHopVerifier,
  getHopOperation,
  HOP_HEADERS,
  hopAudience,
  operationOf,
} from '../../../platform/signed-hop';
import type { SchoolDatabase } from '../database';
import { readCatalogue, type Catalogue } from '../catalogue/catalogue';
import type { SchoolContext } from '../catalogue/resolvers';
import { serveChanges } from '../mapping/change-feed';

export const KIND = 'qualifications';
const MAX_BODY_BYTES = 1_000_000;

export interface SchoolServerOptions {
  institution: string;
  db: SchoolDatabase;
  schema: GraphQLSchema;
  /** The hub's public hop keys; null trusts no hop (public data only, an open change feed). */
  hopKeys: JWTVerifyGetKey | null;
  /** Thumbprints of those keys, reported by /health; null when they come from a JWKS URL. */
  hopKeyIds: readonly string[] | null;
  port: number;
  host: string;
  /** Where unexpected errors are reported (they reach the caller as INTERNAL_SERVER_ERROR, without details). */
  onError: (error: unknown) => void;
}

export interface RunningSchoolServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const failure = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * A validation error raised by one of the hub's scalars: graphql-js reports a scalar's own GraphQLError as it is
 * (the code on the error) and wraps anything else (the code, if any, on its original). The reference shards file
 * these under BAD_USER_INPUT.
 */
const isBadInput = (error: GraphQLError): boolean =>
  error.extensions.code === 'BAD_USER_INPUT' ||
  (error.originalError as GraphQLError | undefined)?.extensions?.code === 'BAD_USER_INPUT';

/**
 * An error as the contract shows it: a code of the contract, no stack, no HTTP details; anything unexpected is
 * INTERNAL_SERVER_ERROR with a generic message.
 */
function formatError(error: GraphQLError, onError: (error: unknown) => void) {
  const original = error.originalError;
  const extensions = { ...(original instanceof GraphQLError ? original.extensions : error.extensions) };
  delete extensions.http;
  if (typeof extensions.code !== 'string') {
    onError(original ?? error);
    return { message: 'Internal error', path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return { message: error.message, locations: error.locations, path: error.path, extensions };
}

/** The HTTP status an answer's errors call for (as Apollo Server sets it from `extensions.http`). */
function statusOf(errors: readonly GraphQLError[]): number {
  let status = 200;
  for (const error of errors) {
    const http = (error.originalError instanceof GraphQLError ? error.originalError.extensions : error.extensions)
      .http as { status?: number } | undefined;
    if (http?.status && http.status > status) status = http.status;
  }
  return status;
}

/**
 * The shard's HTTP side, on node:http and graphql-js alone: POST /graphql (signed hop checked first), GET
 * /health and GET /changes.
 */
export function startSchoolServer(options: SchoolServerOptions): Promise<RunningSchoolServer> {
  const identity = { kind: KIND, institution: options.institution };
  const verifyHop = createHopVerifier({ audience: hopAudience(KIND, options.institution), keys: options.hopKeys });
  const documents = new Map<string, DocumentNode>();

  const graphql = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return send(response, 405, failure('BAD_REQUEST', 'POST a GraphQL request as JSON'));
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      return send(response, 400, failure('BAD_REQUEST', 'The body must be a JSON GraphQL request of at most 1 MB'));
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const hop = await verifyHop(header, operationOf(body));
    const inconsistency = hop.caller ? callerInconsistency(hop.caller) : null;
    if (hop.error || inconsistency) {
      // A hop that fails is refused whole, never served as an anonymous call (CONTRACT.md, hop-verify).
      return send(
        response,
        401,
        failure('UNAUTHENTICATED', hop.error ?? `Refused the caller of a signed call: ${inconsistency}`),
      );
    }
    const { query, variables } = operationOf(body);
    const operationName = (body as { operationName?: unknown }).operationName;
    let document = documents.get(query);
    if (!document) {
      try {
        document = parse(query);
      } catch (error) {
        return send(response, 400, failure('GRAPHQL_PARSE_FAILED', (error as Error).message));
      }
      const invalid = validate(options.schema, document);
      if (invalid.length > 0) {
        return send(response, 400, {
          errors: invalid.map((e) => ({
            message: e.message,
            locations: e.locations,
            extensions: isBadInput(e)
              ? { code: 'BAD_USER_INPUT', field: inputFieldOf(e, document) }
              : { code: 'GRAPHQL_VALIDATION_FAILED' },
          })),
        });
      }
      if (documents.size > 500) documents.clear();
      documents.set(query, document);
    }
    let catalogue: Promise<Catalogue> | null = null;
    const context: SchoolContext = {
      institution: options.institution,
      caller: hop.caller,
      catalogue: () => (catalogue ??= readCatalogue(options.db)),
      reads: new Set(),
      callerConsulted: false,
    };
    const result = await execute({
      schema: options.schema,
      document,
      variableValues: variables ?? {},
      operationName: typeof operationName === 'string' ? operationName : null,
      contextValue: context,
    });
    const errors = result.errors ?? [];
    if (!('data' in result) || result.data === undefined) {
      // Variables that do not fit the operation: nothing ran.
      return send(response, 400, {
        errors: errors.map((e) => ({
          message: e.message,
          locations: e.locations,
          extensions: { code: 'BAD_USER_INPUT', field: inputFieldOf(e, document) },
        })),
      });
    }
    const isQuery = document.definitions.some(
      (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.QUERY,
    );
    send(response, statusOf(errors), {
      ...(errors.length > 0 ? { errors: errors.map((e) => formatError(e, options.onError)) } : {}),
      data: result.data,
      ...(isQuery
        ? { extensions: { cache: { scope: context.callerConsulted ? 'private' : 'public', tags: [...context.reads] } } }
        : {}),
    });
  };

  const changes = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (options.hopKeys) {
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const hop = await verifyHop(header, getHopOperation(request.url ?? ''));
      const refusal =
        header(HOP_HEADERS.hop) === undefined
          ? "the change feed answers the hub's gateways only: the call must be signed"
          : hop.error;
      if (refusal) return send(response, 401, { error: refusal });
    }
    await serveChanges(options.db, identity, url, response, (status, body) => send(response, status, body));
  };

  const health = async (response: ServerResponse) => {
    const report = { ...identity, hopKeyIds: options.hopKeyIds, serviceKeyId: null, hopBatches: true };
    try {
      await options.db.all('SELECT COUNT(*) AS n FROM hub_change_counter');
      send(response, 200, { status: 'ok', ...report });
    } catch (error) {
      send(response, 503, { status: 'unavailable', ...report, reason: (error as Error).message });
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const handled =
      url.pathname === '/graphql'
        ? graphql(request, response)
        : url.pathname === '/changes' && request.method === 'GET'
          ? changes(request, response, url)
          : url.pathname === '/health'
            ? health(response)
            : Promise.resolve(send(response, 404, { error: 'not found' }));
    handled.catch((error: unknown) => {
      options.onError(error);
      if (!response.headersSent) send(response, 500, failure('INTERNAL_SERVER_ERROR', 'Internal error'));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host}:${port}/graphql`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
