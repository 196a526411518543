import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Pool } from 'undici';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop } from '../../platform/signed-hop';
import { traceHeaders } from '../../platform/tracing';
import type { HubContext } from '../context';
import { BUDGET_HEADER } from '../../platform/budget';
import { deadlineOf, timeLeft } from '../resilience/deadline';
import type { ShardIdentity } from '../health/shard-identity';
import type { Shard } from '../registry/registry';
import { MalformedAnswer } from './shard-errors';

/** `GraphQLDataSourceRequestKind` is a type only: the incoming-operation branch is picked by its string. */
export type IncomingOptions = Extract<GraphQLDataSourceProcessOptions<HubContext>, { incomingRequestContext: unknown }>;

/** A fetch made for a client's operation (not the gateway's own health check or schema load). */
export function isIncomingOperation(options: GraphQLDataSourceProcessOptions<HubContext>): options is IncomingOptions {
  return (options.kind as string) === 'incoming operation';
}

export interface ShardClientOptions {
  /**
   * The request's deadline, counted from its arrival (`HubContext.receivedAt`): a shard call gets what is left of
   * it, then its data is given up (GATEWAY_TIMEOUT). Health checks and schema loads get all of it.
   */
  timeoutMs: number;
  /** Most connections kept open to one shard. */
  connectionsPerShard: number;
  /** The hub's private key that signs hops; null sends calls unsigned (public data only). */
  hopKey: HopSigningKey | null;
  /** Checks that a registry shard is the one this hub was configured for before calling it; without it, no check. */
  identity?: ShardIdentity;
}

export const DEFAULT_SHARD_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECTIONS_PER_SHARD = 32;

/**
 * A shard's non-2xx answer, in the shape RemoteGraphQLDataSource gives it (`extensions.response`): the
 * resilience policies read the status, and the routing reads GraphQL errors from the body.
 */
export class ShardHttpError extends Error {
  readonly extensions: { response: { status: number; body: unknown } };

  constructor(status: number, body: unknown) {
    super(`${status}: the shard answered HTTP ${status}`);
    this.name = 'ShardHttpError';
    this.extensions = { response: { status, body } };
  }
}

/**
 * One shard's data source: a POST on an undici connection pool, signed for the caller (the gateway half of
 * the hop). Written for the hub's hot path rather than on RemoteGraphQLDataSource: no WHATWG
 * Request/Headers/streams per call, the body written in one piece.
 */
class ShardSource implements GraphQLDataSource<HubContext> {
  private readonly path: string;

  constructor(
    private readonly pool: Pool,
    url: URL,
    private readonly hopKey: HopSigningKey | null,
    private readonly audience: string,
    private readonly timeoutMs: number,
    /** The registry shard behind this source and its identity check; null for a kind without shards. */
    private readonly checked: { shard: Shard; identity: ShardIdentity } | null,
  ) {
    this.path = `${url.pathname}${url.search}`;
  }

  async process(options: GraphQLDataSourceProcessOptions<HubContext>): Promise<GatewayGraphQLResponse> {
    if (!this.checked) return this.send(options);
    await this.checked.identity.assert(this.checked.shard);
    try {
      return await this.send(options);
    } catch (error) {
      // A failing shard may have been replaced by another at its URL: ask who it is before the next call.
      this.checked.identity.forget(this.checked.shard);
      throw error;
    }
  }

  private async send(options: GraphQLDataSourceProcessOptions<HubContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = isIncomingOperation(options) ? options.context : null;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(context?.trace ? traceHeaders(context.trace.context) : {}),
    };
    if (this.hopKey) {
      Object.assign(
        headers,
        await signHop({
          key: this.hopKey,
          audience: this.audience,
          caller: context?.caller ?? null,
          requestId: context?.requestId ?? 'health',
          operation: { query: request.query ?? '', variables: request.variables ?? null },
          idempotency: context?.idempotency ?? null,
        }),
      );
    }
    const timeoutMs = context ? timeLeft(deadlineOf(context, this.timeoutMs)) : this.timeoutMs;
    // The shard learns how long this call will be waited for: what it asks the hub in turn ends inside it.
    headers[BUDGET_HEADER] = String(timeoutMs);
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers,
      body: JSON.stringify({
        query: request.query,
        variables: request.variables,
        operationName: request.operationName,
      }),
      // The deadline covers the whole call, waiting for a pooled connection included (undici's own timers
      // start only once the request is on a socket), and whatever the request waited before it.
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (response.statusCode >= 200 && response.statusCode < 300) throw new MalformedAnswer();
      body = text;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) throw new ShardHttpError(response.statusCode, body);
    return body as GatewayGraphQLResponse;
  }
}

/**
 * One data source per shard URL, on one undici pool per shard origin with a cap on connections, and a
 * deadline on every call: a shard that hangs costs its data, not the gateway's sockets.
 */
export function createShardClients(options: ShardClientOptions): {
  sourceFor: (shard: Shard) => GraphQLDataSource<HubContext>;
  close: () => Promise<void>;
} {
  const pools = new Map<string, Pool>();
  const sources = new Map<string, ShardSource>();
  return {
    sourceFor: (shard) => {
      const key = `${shard.url}\u0000${shard.institution}`;
      let source = sources.get(key);
      if (!source) {
        const url = new URL(shard.url);
        let pool = pools.get(url.origin);
        if (!pool) {
          pool = new Pool(url.origin, {
            connections: options.connectionsPerShard,
            keepAliveTimeout: 30_000,
            pipelining: 1,
          });
          pools.set(url.origin, pool);
        }
        const checked = options.identity && shard.institution !== '' ? { shard, identity: options.identity } : null;
        source = new ShardSource(
          pool,
          url,
          options.hopKey,
          hopAudience(shard.kind, shard.institution),
          options.timeoutMs,
          checked,
        );
        sources.set(key, source);
      }
      return source;
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
