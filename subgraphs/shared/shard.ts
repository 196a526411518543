import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { BUDGET_HEADER, parseBudget } from '../../platform/budget';
import { callerInconsistency } from '../../platform/caller';
import type { ShardRequestContext } from './context';
import type { Database } from './database';
import { sendJson, startHttpServer, type Route, type RunningHttpServer } from '../../platform/http';
import { moduleLogger } from '../../platform/logger';
import { useShardTracing } from './tracing';
import { noteIdempotency, useIdempotency } from './idempotency/idempotency';
import { useDatabaseErrors } from './idempotency/database-errors';
import { currentRequestScope } from './request-scope';
import type { JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError } from '../../schema/errors';
import { inputFieldOf } from '../../schema/input-path';
import {
  createHopVerifier,
  HOP_HEADERS,
  hopAudience,
  operationOf,
  SUBSCRIPTION_HOP_OPERATION,
  type HopResult,
  type HopVerifier,
} from '../../platform/signed-hop';
import type { Server } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/** The server of one shard, once its kind has built the schema and opened the database (a shard is started with `ShardOptions` of `kind.ts`). */
export interface ShardServerOptions<C extends BaseContext> {
  /** The subgraph kind, e.g. "qualifications". */
  kind: string;
  /** Code of the institution whose data this shard serves. */
  institution: string;
  schema: GraphQLSchema;
  db: Database;
  /** Builds a kind's context from the request facts every shard knows. */
  createContext: (request: ShardRequestContext) => C;
  /** The hub's public keys that hops are checked with; without them the shard serves public data only. */
  hopKeys: JWTVerifyGetKey | null;
  /** What /health reports besides kind and institution, so a gateway can tell this shard is the one it was configured for. */
  identity?: ShardKeyIdentity;
  port?: number;
  host?: string;
  /** More HTTP routes, tried before GraphQL (e.g. the change feed). */
  routes?: Route[];
  /** More Apollo plugins (e.g. cache hints on answers). */
  plugins?: ApolloServerPlugin<C>[];
}

/** The key ids a shard's /health reports: public thumbprints only, never key material. */
export interface ShardKeyIdentity {
  /** Thumbprints of the hub hop keys this shard trusts; null when it fetches them from the hub's JWKS URL. */
  hopKeyIds: readonly string[] | null;
  /** Thumbprint of the shard's own service key, if it calls the hub. */
  serviceKeyId: string | null;
}

export interface RunningShard extends RunningHttpServer {
  kind: string;
  institution: string;
}

/**
 * Validation errors raised by the hub's scalars keep their BAD_USER_INPUT code; graphql-js files them under
 * GRAPHQL_VALIDATION_FAILED when the bad value is a literal. Such an error, and a variable's that does not fit, names
 * the argument in `extensions.field`, as every BAD_USER_INPUT does (schema/CONTRACT.md, error-codes).
 */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const scalarLiteral =
    formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' &&
    original instanceof GraphQLError &&
    original.extensions.code === 'BAD_USER_INPUT';
  if (!scalarLiteral && formatted.extensions?.code !== 'BAD_USER_INPUT') return formatted;
  // Apollo's wrapper keeps the nodes, or (for some errors) only its original does.
  const fieldOf = (one: unknown) => (one instanceof GraphQLError ? inputFieldOf(one) : undefined);
  const field = formatted.extensions?.field ?? fieldOf(error) ?? fieldOf(original);
  return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } };
}

/**
 * An answer that carries data is sent with 200 whatever status a field's error asked for (GraphQL over HTTP: a
 * response with non-null data is a success). A field that names a partner this shard could not read (a 503) says
 * nothing about this shard's own health, and callers must not drop its data as if it had failed.
 */
function partialAnswersSucceed<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const status = response.http.status ?? 200;
          if (status < 300) return;
          if (response.body.kind === 'single' && response.body.singleResult.data != null) response.http.status = 200;
        },
      };
    },
  };
}

function header(request: IncomingMessage) {
  return (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/**
 * Subscriptions over graphql-ws on the shard's /graphql path. The gateway signs the connection (its
 * `connection_init` payload carries the hop headers); the caller it vouches for holds for every
 * subscription on that connection.
 */
function serveEvents<C extends BaseContext>(options: ShardServerOptions<C>, server: Server, verifyHop: HopVerifier) {
  const sockets = new WebSocketServer({ server, path: '/graphql' });
  const callers = new WeakMap<object, HopResult>();
  const disposable = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const hop = await verifyHop(
          (name) => (typeof params[name] === 'string' ? params[name] : undefined),
          SUBSCRIPTION_HOP_OPERATION,
        );
        callers.set(ctx, hop);
        return hop.error === null;
      },
      context: (ctx) => {
        const hop = callers.get(ctx) ?? { caller: null, error: null };
        return options.createContext({
          institution: options.institution,
          caller: hop.caller,
          hopError: hop.error,
          requestId: randomUUID(),
        });
      },
    },
    sockets,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/**
 * A signature says who sent a hop, not that its caller makes sense: a caller is believed only when it is
 * consistent in itself (a learner of the caller's own institution, a service naming its institution).
 */
function believingConsistentCallers(verify: HopVerifier): HopVerifier {
  return async (headers, operation, now) => {
    const hop = await verify(headers, operation, now);
    const inconsistency = hop.caller ? callerInconsistency(hop.caller) : null;
    return inconsistency ? { caller: null, error: `Refused the caller of a signed call: ${inconsistency}` } : hop;
  };
}

/**
 * Every answer says `Cache-Control: no-store` (as Apollo's cache-control plugin said of answers without a policy): an
 * answer may hold a learner's personal data, and no HTTP cache between the shard and the hub may keep it.
 */
function storedNowhere<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/** Starts one shard: one institution's data of one kind, behind its own HTTP endpoint. */
export async function startShard<C extends BaseContext>(options: ShardServerOptions<C>): Promise<RunningShard> {
  const log = moduleLogger('shard', { kind: options.kind, institution: options.institution });
  const verifyHop = believingConsistentCallers(
    createHopVerifier({ audience: hopAudience(options.kind, options.institution), keys: options.hopKeys }),
  );
  const idempotency = useIdempotency<C>({ db: options.db, log });
  const tracing = useShardTracing<C>({ kind: options.kind, institution: options.institution, log });
  const apollo = new ApolloServer<C>({
    schema: options.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The kind's plugins before idempotency: what they add to an answer (cache hints) is stored with it and replayed.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // The hub's cache reads a shard's own hints (changes/changes.ts), never Apollo's cache policy. Apollo's
      // plugin wraps every field's resolver to compute it: a fifth of a page of 100 units' CPU at the shard.
      ApolloServerPluginCacheControlDisabled(),
      storedNowhere<C>(),
      tracing.plugin,
      useDatabaseErrors<C>(options),
      partialAnswersSucceed<C>(),
      ...(options.plugins ?? []),
      idempotency.plugin,
    ],
  });
  await apollo.start();
  const http = await startHttpServer<C>({
    apollo,
    port: options.port,
    host: options.host,
    scope: tracing.scope,
    context: async (request, body) => {
      const get = header(request);
      const span = tracing.start(get);
      const budgetMs = parseBudget(get(BUDGET_HEADER));
      const scope = currentRequestScope();
      if (scope && budgetMs !== undefined) scope.budget = { arrivedAt: performance.now(), ms: budgetMs };
      const hop = await verifyHop(get, operationOf(body));
      const requestId = get(HOP_HEADERS.requestId) ?? randomUUID();
      if (hop.error) {
        log.warn({ requestId, reason: hop.error }, 'refused signed hop');
        span.end(hop.error);
        // A hop that fails is refused whole: it is never served as if it were an anonymous call.
        throw new UnauthenticatedError(hop.error);
      }
      noteIdempotency(hop);
      return options.createContext({
        institution: options.institution,
        caller: hop.caller,
        hopError: hop.error,
        requestId,
      });
    },
    routes: [
      async (request, response) => {
        if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/health') return false;
        const identity = {
          kind: options.kind,
          institution: options.institution,
          hopKeyIds: options.identity?.hopKeyIds ?? null,
          serviceKeyId: options.identity?.serviceKeyId ?? null,
          // Its verifier takes a fan-out's hops under one signature (platform/hop-batch.ts): the hub may send them so.
          hopBatches: true,
        };
        try {
          await options.db.dataSource.query('SELECT 1');
          sendJson(response, 200, { status: 'ok', ...identity });
        } catch (error) {
          sendJson(response, 503, { status: 'unavailable', ...identity, reason: (error as Error).message });
        }
        return true;
      },
      ...(options.routes ?? []),
    ],
  });
  const events = options.schema.getSubscriptionType() ? serveEvents(options, http.server, verifyHop) : null;
  log.info({ url: http.url }, 'shard listening');
  return {
    ...http,
    kind: options.kind,
    institution: options.institution,
    close: async () => {
      await events?.close();
      await http.close();
      await apollo.stop();
    },
  };
}
