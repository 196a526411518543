import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * Process entry of the bench's reference point: a stock `@apollo/gateway` + `@apollo/server` as Apollo's
 * documentation sets it up — static supergraph, default `RemoteGraphQLDataSource` (default fetcher),
 * `startStandaloneServer` — with no owner routing, auth or signed hops. The supergraph names the one
 * subgraph's real URL. Env: SUPERGRAPH_PATH, PORT.
 */
async function main(): Promise<void> {
  const supergraphPath = process.env.SUPERGRAPH_PATH;
  if (!supergraphPath) throw new Error('SUPERGRAPH_PATH is required');
  const port = Number(process.env.PORT ?? 4000);
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  console.log(`stock gateway listening at ${url}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
