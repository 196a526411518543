import 'reflect-metadata';
import { readEnvironment } from '../platform/config';
import { readPublicKeys, readSigningKey } from '../platform/hop-keys';
import { moduleLogger } from '../platform/logger';
import { explainStartupError } from '../platform/startup-errors';
import { startTracingFromEnv } from '../platform/tracing';
import { gatewayEnvironment, gatewayOptionsFrom, readText } from './config';
import { loadRegistry, startGateway } from '.';

/** Process entry of the hub. */
async function main(): Promise<void> {
  const log = moduleLogger('gateway');
  const env = readEnvironment(gatewayEnvironment);
  const registry = loadRegistry(env.REGISTRY_PATH);
  // Exported when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing of the SDK is loaded otherwise.
  const stopTracing = startTracingFromEnv('ecvet-hub-gateway');
  const gateway = await startGateway({
    ...gatewayOptionsFrom(env),
    supergraphSdl: readText(env.SUPERGRAPH_PATH, 'the supergraph'),
    registry,
    hopKey: env.HUB_HOP_PRIVATE_KEY ? await readSigningKey(env.HUB_HOP_PRIVATE_KEY, 'HUB_HOP_PRIVATE_KEY') : null,
    hopRolloverKeys: env.HUB_HOP_ROLLOVER_PUBLIC_KEYS
      ? await readPublicKeys(env.HUB_HOP_ROLLOVER_PUBLIC_KEYS, 'HUB_HOP_ROLLOVER_PUBLIC_KEYS')
      : undefined,
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
    gateway
      .close()
      .then(stopTracing)
      .then(
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
  console.error(
    explainStartupError(error, { what: 'The gateway', port: env.PORT, host: env.HOST }) ??
      (error instanceof Error ? error.message : error),
  );
  process.exit(1);
});
