import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Agent, fetch as undiciFetch } from 'undici';
import { signHop } from '../../subgraphs/shared/signed-hop';
import type { HubContext } from '../context';
import type { Shard } from '../registry/registry';

export interface ShardClientOptions {
  /** How long one shard call may take before its data is given up (GATEWAY_TIMEOUT). */
  timeoutMs: number;
  /** Most connections kept open to one shard. */
  connectionsPerShard: number;
  /** The secret shared with a shard for signed hops; null sends calls unsigned (public data only). */
  secretFor: (shard: Shard) => string | null;
}

export const DEFAULT_SHARD_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECTIONS_PER_SHARD = 32;

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'];

/** A stock RemoteGraphQLDataSource that signs the caller into every call (the gateway half of the hop). */
class SignedShardDataSource extends RemoteGraphQLDataSource<HubContext> {
  constructor(
    url: string,
    fetcher: Fetcher,
    private readonly secret: string | null,
  ) {
    super({ url, fetcher });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<HubContext>): void {
    if (!this.secret || !options.request.http) return;
    const context = options.kind === 'incoming operation' ? (options.context as HubContext) : null;
    const headers = signHop({
      secret: this.secret,
      caller: context?.caller ?? null,
      requestId: context?.requestId ?? 'health',
      operation: { query: options.request.query ?? '', variables: options.request.variables ?? null },
    });
    for (const [name, value] of Object.entries(headers)) options.request.http.headers.set(name, value);
  }
}

/**
 * One data source per shard URL, each on an undici connection pool with a cap, and a deadline on every
 * call: the default fetcher opens a socket per concurrent call and waits forever.
 */
export function createShardClients(options: ShardClientOptions): { sourceFor: (shard: Shard) => GraphQLDataSource<HubContext>; close: () => Promise<void> } {
  const agent = new Agent({ connections: options.connectionsPerShard, keepAliveTimeout: 30_000, pipelining: 1 });
  const fetcher = ((url: string, init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(url, { ...init, dispatcher: agent, signal: AbortSignal.timeout(options.timeoutMs) })) as unknown as Fetcher;
  const sources = new Map<string, GraphQLDataSource<HubContext>>();
  return {
    sourceFor: (shard) => {
      const key = `${shard.url}\u0000${shard.institution}`;
      let source = sources.get(key);
      if (!source) {
        source = new SignedShardDataSource(shard.url, fetcher, options.secretFor(shard));
        sources.set(key, source);
      }
      return source;
    },
    close: () => agent.close(),
  };
}
