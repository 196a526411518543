import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { ShardRequestContext } from './context';
import type { Database } from './database';
import { sendJson, startHttpServer, type RunningHttpServer } from './http';
import { moduleLogger } from './logger';
import { createHopVerifier, HOP_HEADERS, operationOf } from './signed-hop';

export interface ShardOptions<C extends BaseContext> {
  /** The subgraph kind, e.g. "qualifications". */
  kind: string;
  /** Code of the institution whose data this shard serves. */
  institution: string;
  schema: GraphQLSchema;
  db: Database;
  /** Builds a kind's context from the request facts every shard knows. */
  createContext: (request: ShardRequestContext) => C;
  /** Secret shared with the gateway for signed hops; without it the shard serves public data only. */
  hopSecret: string | null;
  port?: number;
  host?: string;
}

export interface RunningShard extends RunningHttpServer {
  kind: string;
  institution: string;
}

/**
 * Validation errors raised by the hub's scalars keep their BAD_USER_INPUT code; graphql-js files them
 * under GRAPHQL_VALIDATION_FAILED when the bad value is a literal.
 */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && original instanceof GraphQLError && original.extensions.code === 'BAD_USER_INPUT') {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
  }
  return formatted;
}

function header(request: IncomingMessage) {
  return (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/** Starts one shard: one institution's data of one kind, behind its own HTTP endpoint. */
export async function startShard<C extends BaseContext>(options: ShardOptions<C>): Promise<RunningShard> {
  const log = moduleLogger('shard', { kind: options.kind, institution: options.institution });
  const verifyHop = createHopVerifier({ secret: options.hopSecret });
  const apollo = new ApolloServer<C>({
    schema: options.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const http = await startHttpServer<C>({
    apollo,
    port: options.port,
    host: options.host,
    context: async (request, body) => {
      const get = header(request);
      const hop = verifyHop(get, operationOf(body));
      if (hop.error) log.warn({ reason: hop.error }, 'refused signed hop');
      return options.createContext({
        institution: options.institution,
        caller: hop.caller,
        hopError: hop.error,
        requestId: get(HOP_HEADERS.requestId) ?? randomUUID(),
      });
    },
    routes: [
      async (request, response) => {
        if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/health') return false;
        try {
          await options.db.dataSource.query('SELECT 1');
          sendJson(response, 200, { status: 'ok', kind: options.kind, institution: options.institution });
        } catch (error) {
          sendJson(response, 503, { status: 'unavailable', kind: options.kind, institution: options.institution, reason: (error as Error).message });
        }
        return true;
      },
    ],
  });
  log.info({ url: http.url }, 'shard listening');
  return {
    ...http,
    kind: options.kind,
    institution: options.institution,
    close: async () => {
      await http.close();
      await apollo.stop();
    },
  };
}
