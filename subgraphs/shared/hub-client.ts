import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Caller } from '../../platform/caller';
import type { HopSigningKey } from '../../platform/hop-keys';
import { HUB_ISSUER, serviceIssuer, signHop } from '../../platform/signed-hop';
import { scopeTrace, traceHeaders } from '../../platform/tracing';

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
      // Asked while answering a request: the hub continues that request's trace.
      const trace = scopeTrace();
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers, ...(trace ? traceHeaders(trace) : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
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
