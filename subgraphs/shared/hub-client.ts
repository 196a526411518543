import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { Caller } from '../../platform/caller';
import type { HopSigningKey } from '../../platform/hop-keys';
import { HUB_ISSUER, serviceIssuer, signHop } from '../../platform/signed-hop';
import { BUDGET_HEADER, budgetLeft } from '../../platform/budget';
import { scopeTrace, traceHeaders } from '../../platform/tracing';
import { currentRequestScope } from './request-scope';

/**
 * A shard asking the hub, as a service of its own institution, for data other shards own (a memorandum
 * it is party to, public units). The call is signed with the shard's own private key, addressed to the hub;
 * the gateway checks it with the public key the registry lists for this shard, and the service acts as a
 * viewer of the shard's institution.
 */
export interface HubClient {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<{ data: T | null; errors: GraphQLError[] }>;
}

export interface HubClientOptions {
  /** The hub's GraphQL endpoint. */
  url: string;
  institution: string;
  kind: string;
  /** The shard's own key (SHARD_SERVICE_PRIVATE_KEY). */
  key: HopSigningKey;
  /** @default 5000 */
  timeoutMs?: number;
}

export function serviceCaller(institution: string, kind: string): Caller {
  return { institution, roles: ['viewer'], learnerId: null, subject: serviceIssuer(kind, institution) };
}

export function createHubClient(options: HubClientOptions): HubClient {
  const caller = serviceCaller(options.institution, options.kind);
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}) {
      const headers = await signHop({
        key: options.key,
        issuer: caller.subject,
        audience: HUB_ISSUER,
        caller,
        requestId: randomUUID(),
        operation: { query, variables },
      });
      // Asked while answering a request: the hub continues that request's trace, and answers inside what is
      // left of the gateway's wait for it, less what this shard keeps to build its own answer afterwards.
      const trace = scopeTrace();
      const budget = currentRequestScope()?.budget;
      const timeoutMs = Math.min(
        options.timeoutMs ?? 5_000,
        budget ? budgetLeft(budget, keepForOwnAnswer(budget.ms)) : Infinity,
      );
      // The hub is told a little less than this shard waits, so that its answer (cut partners named) arrives
      // before this shard gives up on it.
      const told = Math.max(0, timeoutMs - Math.min(100, Math.floor(timeoutMs / 10)));
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...headers,
            ...(trace ? traceHeaders(trace) : {}),
            ...(budget ? { [BUDGET_HEADER]: String(told) } : {}),
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // A read through the hub that ran out of time is an outage of what it reads, said as one.
        if (error instanceof Error && error.name === 'TimeoutError') {
          throw new GraphQLError(`The hub did not answer within ${timeoutMs} ms`, {
            extensions: { code: ErrorCode.GATEWAY_TIMEOUT },
          });
        }
        throw error;
      }
      const body = (await response.json()) as {
        data?: T | null;
        errors?: Array<{
          message: string;
          path?: ReadonlyArray<string | number>;
          extensions?: Record<string, unknown>;
        }>;
      };
      return {
        data: body.data ?? null,
        // The path tells which aliased field of a batched read an error belongs to.
        errors: (body.errors ?? []).map((e) => new GraphQLError(e.message, { extensions: e.extensions, path: e.path })),
      };
    },
  };
}

/**
 * What a shard keeps of its gateway's wait to build its answer once the hub has answered, and for the hops' own
 * cost (signing, verifying, a busy event loop): a fifth, at most 500 ms.
 */
function keepForOwnAnswer(budgetMs: number): number {
  return Math.min(500, Math.floor(budgetMs / 5));
}
