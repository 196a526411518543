import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { BUDGET_HEADER, parseBudget } from '../../platform/budget';
import { checkIdempotencyKey } from '../../platform/idempotency-key';
import { operationOf } from '../../platform/signed-hop';
import type { HubContext } from '../context';
import { checkBodyStrings, getParameters, type GraphQLRequestFields } from '../limits/http-input';
import type { Limits } from '../limits/limits';
import type { RateLimit } from '../rate-limit/rate-limit';
import type { Registry } from '../registry/registry';
import { createAuthenticator, type Authenticate } from './auth';
import { createServiceAuthenticator } from './service-hop';

export interface RequestContextOptions {
  registry: Registry;
  /** Secret for HS256 demo tokens; null accepts only institutions' RS256/ES256 tokens. */
  demoTokenSecret: string | null;
  requestIdOf: (request: IncomingMessage) => string;
  limits: Limits;
  /** Counts each operation against its caller's institution; null: no rate limits. */
  rateLimit: Pick<RateLimit, 'consumeInstitution'> | null;
  /** The gateway's API schema once loaded, for the checks made before Apollo parses. */
  schema: () => GraphQLSchema | undefined;
}

export interface RequestContexts {
  /** Checks a bearer token: the caller, null without one; throws on a bad one. */
  authenticate: Authenticate;
  /**
   * The context of a GraphQL request (`POST`/`GET /graphql`): batch, body and operation limits first, then the
   * caller (a service's signed hop, else a bearer token), its institution's rate limit (each operation of a batch
   * counts), and the Idempotency-Key's fit with the body.
   */
  graphql(request: IncomingMessage, body: unknown): Promise<HubContext>;
  /** The context of a plain HTTP download run as a query: the bearer token's caller, rate-limited like one request. */
  download(request: IncomingMessage): Promise<HubContext>;
}

/** Builds what the gateway knows of a request: its id, its verified caller, when it was taken up. */
export function createRequestContexts(options: RequestContextOptions): RequestContexts {
  const authenticate = createAuthenticator({ registry: options.registry, demoSecret: options.demoTokenSecret });
  const authenticateService = createServiceAuthenticator({ registry: options.registry });
  const { limits, rateLimit } = options;
  return {
    authenticate,
    graphql: async (request, body) => {
      const receivedAt = performance.now();
      const requestId = options.requestIdOf(request);
      limits.checkBatch(body);
      const fields = body ?? getParameters(request);
      checkBodyStrings(fields, body === undefined ? 'query string' : 'body');
      for (const operation of Array.isArray(fields) ? fields : [fields])
        limits.checkRequest(options.schema(), operation as GraphQLRequestFields);
      let caller: HubContext['caller'];
      try {
        const service = await authenticateService(
          (name) => request.headers[name] as string | undefined,
          operationOf(body),
        );
        caller = service ?? (await authenticate(request.headers.authorization));
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        throw new GraphQLError('Authentication failed', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      if (caller && rateLimit)
        await rateLimit.consumeInstitution(caller.institution, Array.isArray(body) ? body.length : 1);
      checkIdempotencyKey(request.headers['idempotency-key'], body);
      const budgetMs = parseBudget(request.headers[BUDGET_HEADER]);
      return { requestId, caller, receivedAt, ...(budgetMs === undefined ? {} : { budgetMs }) };
    },
    download: async (request) => {
      const caller = await authenticate(request.headers.authorization);
      if (caller && rateLimit) await rateLimit.consumeInstitution(caller.institution, 1);
      return { requestId: options.requestIdOf(request), caller, receivedAt: performance.now() };
    },
  };
}
