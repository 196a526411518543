import type { GraphQLDataSource } from '@apollo/gateway';
import type { HopSigningKey } from '../../platform/hop-keys';
import type { Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { ShardIdentity } from '../health/shard-identity';
import type { GatewayPart } from '../part';
import type { Registry, Shard } from '../registry/registry';
import {
  createResilience,
  type CircuitReport,
  type Resilience,
  type ResilienceOptions,
} from '../resilience/resilience';
import { createShardClients, DEFAULT_CONNECTIONS_PER_SHARD, DEFAULT_SHARD_TIMEOUT_MS } from './shard-client';

export interface ShardCallsOptions {
  registry: Registry;
  /** Signs every hop; null sends unsigned calls (public data only). */
  hopKey: HopSigningKey | null;
  /** Checks that a shard is the one this hub was configured for before calling it. */
  identity: ShardIdentity;
  /** @default 5000 */
  timeoutMs?: number;
  /** @default 32 */
  connectionsPerShard?: number;
  /** @default true */
  shareInflight?: boolean;
  /** Most bytes read of one shard answer. @default 8 MiB */
  maxAnswerBytes?: number;
  /** Most JSON values parsed of one shard answer. @default 100,000 */
  maxAnswerValues?: number;
  /** Retries, circuit breakers and bulkheads around every shard call (defaults: see resilience/). */
  resilience?: ResilienceOptions;
  log: Logger;
}

/** As a gateway part: stop closes the connection pools, once no request is left to call a shard. */
export interface ShardCalls extends GatewayPart {
  /** The data source that calls one shard (signing, connection pool, timeout). */
  sourceFor(shard: Shard): GraphQLDataSource<HubContext>;
  resilience: Resilience;
  /** Every registered shard's circuit (closed for those not called yet), for metrics. */
  circuits(): CircuitReport[];
  stop(): Promise<void>;
}

/** How the gateway reaches shards: pooled, signed clients with a deadline, and resilience around each call. */
export function useShardCalls(options: ShardCallsOptions): ShardCalls {
  const clients = createShardClients({
    timeoutMs: options.timeoutMs ?? DEFAULT_SHARD_TIMEOUT_MS,
    connectionsPerShard: options.connectionsPerShard ?? DEFAULT_CONNECTIONS_PER_SHARD,
    hopKey: options.hopKey,
    identity: options.identity,
    shareInflight: options.shareInflight,
    maxAnswerBytes: options.maxAnswerBytes,
    maxAnswerValues: options.maxAnswerValues,
  });
  const resilience = createResilience({
    ...options.resilience,
    onCircuitChange: (shard, state) => {
      options.log.warn(
        { module: 'resilience', institution: shard.institution, kind: shard.kind, state },
        `circuit ${state}`,
      );
      options.resilience?.onCircuitChange?.(shard, state);
    },
  });
  const { registry } = options;
  return {
    name: 'shard-calls',
    sourceFor: clients.sourceFor,
    resilience,
    circuits: () =>
      registry
        .kinds()
        .flatMap((kind) => registry.shards(kind))
        .map((shard) => ({ institution: shard.institution, kind: shard.kind, state: resilience.circuitOf(shard) })),
    stop: clients.close,
  };
}
