import { randomUUID } from 'node:crypto';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { createAuthenticator } from './auth/auth';
import type { HubContext } from './context';
import { healthRoutes } from './health/health';
import { Registry, type Shard } from './registry/registry';
import { OwnerRoutingDataSource } from './routing/data-source';
import { routingRulesFromSupergraph } from './routing/rules';
import { createShardClients, DEFAULT_CONNECTIONS_PER_SHARD, DEFAULT_SHARD_TIMEOUT_MS } from './routing/shard-client';
import { startHttpServer, type RunningHttpServer } from '../subgraphs/shared/http';
import { moduleLogger } from '../subgraphs/shared/logger';

export interface GatewayOptions {
  /** The composed supergraph SDL (the committed schema/supergraph.graphql, or any other). */
  supergraphSdl: string;
  registry: Registry;
  port?: number;
  host?: string;
  /** Secret shared with a shard for signed hops; null sends that shard unsigned calls. */
  hopSecretFor: (shard: Shard) => string | null;
  /** Secret for HS256 demo tokens; null accepts only institutions' RS256/ES256 tokens. */
  demoTokenSecret: string | null;
  /** @default 5000 */
  shardTimeoutMs?: number;
  /** @default 32 */
  connectionsPerShard?: number;
  /** Introspection and the landing page are for development only. @default false */
  production?: boolean;
}

export interface RunningGateway extends RunningHttpServer {
  registry: Registry;
}

/**
 * The hub: Apollo Gateway over a static supergraph, with owner routing for every kind the registry shards.
 * A kind without shards in the registry is served from its supergraph URL exactly as stock Apollo Gateway
 * would.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = moduleLogger('gateway');
  const rules = routingRulesFromSupergraph(options.supergraphSdl);
  const clients = createShardClients({
    timeoutMs: options.shardTimeoutMs ?? DEFAULT_SHARD_TIMEOUT_MS,
    connectionsPerShard: options.connectionsPerShard ?? DEFAULT_CONNECTIONS_PER_SHARD,
    secretFor: options.hopSecretFor,
  });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }): GraphQLDataSource<HubContext> => {
      if (options.registry.shards(name).length > 0) {
        return new OwnerRoutingDataSource({ kind: name, registry: options.registry, rules, shardSource: clients.sourceFor });
      }
      return clients.sourceFor({ institution: '', kind: name, url: url ?? '', hopSecretEnv: undefined });
    },
  });
  const authenticate = createAuthenticator({ registry: options.registry, demoSecret: options.demoTokenSecret });
  const apollo = new ApolloServer<HubContext>({
    gateway,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    plugins: options.production ? [ApolloServerPluginLandingPageDisabled()] : [],
  });
  await apollo.start();
  const http = await startHttpServer<HubContext>({
    apollo,
    port: options.port,
    host: options.host,
    routes: healthRoutes({ registry: options.registry }),
    context: async (request) => {
      const requestId = (request.headers['x-request-id'] as string | undefined) ?? randomUUID();
      try {
        return { requestId, caller: await authenticate(request.headers.authorization) };
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        throw new GraphQLError('Authentication failed', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
    },
  });
  log.info({ url: http.url, institutions: options.registry.institutions.length }, 'gateway listening');
  return {
    ...http,
    registry: options.registry,
    close: async () => {
      await http.close();
      await apollo.stop();
      await clients.close();
    },
  };
}

export { loadRegistry, parseRegistry, Registry } from './registry/registry';
