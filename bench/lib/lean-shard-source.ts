import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Pool } from 'undici';
import type { HubContext } from '../../gateway/context';
import { signHop } from '../../subgraphs/shared/signed-hop';

/**
 * BENCH PROTOTYPE, not used by the hub: a shard data source on `undici` Pool.request() instead of
 * RemoteGraphQLDataSource + undici fetch. No WHATWG Request/Headers/streams, no AbortSignal per call (the
 * deadline is undici's headers/body timeouts), the body written in one piece. The shard-client scenario
 * measures its CPU per call next to the hub's current client, to size the lever before anyone adopts it.
 */
export class LeanShardSource implements GraphQLDataSource<HubContext> {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    url: string,
    private readonly secret: string | null,
    private readonly timeoutMs: number,
    connections: number,
  ) {
    const parsed = new URL(url);
    this.pool = new Pool(parsed.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.path = `${parsed.pathname}${parsed.search}`;
  }

  async process(options: GraphQLDataSourceProcessOptions<HubContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = options.kind === 'incoming operation' ? options.context : null;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.secret) {
      Object.assign(
        headers,
        signHop({
          secret: this.secret,
          caller: context?.caller ?? null,
          requestId: context?.requestId ?? 'health',
          operation: { query: request.query ?? '', variables: request.variables ?? null },
        }),
      );
    }
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers,
      body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200 && !text.startsWith('{')) throw new Error(`HTTP ${response.statusCode} from ${this.path}`);
    return JSON.parse(text) as GatewayGraphQLResponse;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
