import 'reflect-metadata';
import { readEnvironment } from '../subgraphs/shared/config';
import { gatewayEnvironment, readText } from './config';
import { loadRegistry, startGateway } from '.';

/** Process entry of the hub. */
async function main(): Promise<void> {
  const env = readEnvironment(gatewayEnvironment);
  const registry = loadRegistry(env.REGISTRY_PATH);
  for (const name of new Set(registry.institutions.flatMap((entry) => (entry.hopSecretEnv ? [entry.hopSecretEnv] : [])))) {
    const secret = process.env[name];
    if (secret !== undefined && secret.length < 16) throw new Error(`${name} must be at least 16 characters`);
  }
  const gateway = await startGateway({
    supergraphSdl: readText(env.SUPERGRAPH_PATH, 'the supergraph'),
    registry,
    port: env.PORT,
    host: env.HOST,
    hopSecretFor: (shard) => (shard.hopSecretEnv ? process.env[shard.hopSecretEnv] : undefined) ?? env.HUB_HOP_SECRET ?? null,
    demoTokenSecret: env.HUB_DEMO_TOKEN_SECRET ?? null,
    shardTimeoutMs: env.SHARD_TIMEOUT_MS,
    connectionsPerShard: env.CONNECTIONS_PER_SHARD,
    production: env.NODE_ENV === 'production',
  });
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
