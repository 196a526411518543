import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { logLevel } from '../subgraphs/shared/config';

/** Every setting of the gateway process, read from the environment once at start. */
export const gatewayEnvironment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  /** The federation's members and their shards (relative paths from the working directory). */
  REGISTRY_PATH: z.string().default('demo/registry.json'),
  /** The supergraph to serve; any composed supergraph works. */
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  /** Secret shared with shards for signed hops (an institution's `hopSecretEnv` names another variable). */
  HUB_HOP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Secret of HS256 demo tokens; leave unset in production. */
  HUB_DEMO_TOKEN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SHARD_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
  CONNECTIONS_PER_SHARD: z.coerce.number().int().min(1).max(1_024).default(32),
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  LOG_LEVEL: logLevel,
}).refine((env) => !(env.NODE_ENV === 'production' && env.HUB_DEMO_TOKEN_SECRET), {
  message: 'must not be set when NODE_ENV=production: demo tokens are for development only',
  path: ['HUB_DEMO_TOKEN_SECRET'],
});
export type GatewayEnvironment = z.infer<typeof gatewayEnvironment>;

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}
