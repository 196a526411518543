import 'reflect-metadata';
import { readEnvironment } from '../subgraphs/shared/config';
import { moduleLogger } from '../subgraphs/shared/logger';
import { explainStartupError } from '../subgraphs/shared/startup-errors';
import { gatewayEnvironment, gatewayOptionsFrom, readText } from './config';
import { loadRegistry, startGateway } from '.';

/** Process entry of the hub. */
async function main(): Promise<void> {
  const log = moduleLogger('gateway');
  const env = readEnvironment(gatewayEnvironment);
  const registry = loadRegistry(env.REGISTRY_PATH);
  for (const name of new Set(registry.institutions.flatMap((entry) => (entry.hopSecretEnv ? [entry.hopSecretEnv] : [])))) {
    const secret = process.env[name];
    if (secret !== undefined && secret.length < 16) throw new Error(`${name} must be at least 16 characters`);
  }
  const gateway = await startGateway({
    ...gatewayOptionsFrom(env),
    supergraphSdl: readText(env.SUPERGRAPH_PATH, 'the supergraph'),
    registry,
    hopSecretFor: (shard) => (shard.hopSecretEnv ? process.env[shard.hopSecretEnv] : undefined) ?? env.HUB_HOP_SECRET ?? null,
    demoTokenSecret: env.HUB_DEMO_TOKEN_SECRET ?? null,
    logger: log,
  });
  // Graceful shutdown: readiness fails, no new connections, in-flight requests finish (up to
  // SHUTDOWN_TIMEOUT_MS), sockets close; a second signal stops at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    gateway.close().then(
      () => {
        log.info('gateway stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main().catch((error: unknown) => {
  const env = readEnvironment(gatewayEnvironment);
  console.error(explainStartupError(error, { what: 'The gateway', port: env.PORT, host: env.HOST }) ?? (error instanceof Error ? error.message : error));
  process.exit(1);
});
