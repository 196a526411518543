import { z } from 'zod';
import { isInstitutionCode } from '../../schema/ids';
import { logLevel, readEnvironment } from '../../platform/config';

/** Settings every shard process reads from its environment, checked once at start. */
export const shardEnvironment = z.object({
  INSTITUTION: z.string().refine(isInstitutionCode, 'must be an institution code such as "rvt.lv"'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, 'must be sqlite:<file> or mysql://user:password@host:port/database'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  HOST: z.string().default('127.0.0.1'),
  /** The hub's public hop keys (a JWKS); or… */
  HUB_HOP_PUBLIC_KEYS: z.string().optional(),
  /** …where the hub publishes them (its /.well-known/hub-hop-keys.json), fetched and cached. */
  HUB_HOP_JWKS_URL: z.url().optional(),
  HUB_HOP_JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** This shard's own Ed25519 private key (PKCS8 PEM or JWK) for its service calls to the hub. */
  SHARD_SERVICE_PRIVATE_KEY: z.string().optional(),
  SEED_FILE: z.string().optional(),
  /** The hub's GraphQL URL, for shards that read what other shards own (mobilities). */
  HUB_URL: z.url().optional(),
  /** Redis, so that replicas of a shard share their events; in-process delivery without it. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be redis://host:port')
    .optional(),
  LOG_LEVEL: logLevel,
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
});
export type ShardEnvironment = z.infer<typeof shardEnvironment>;

/** What each variable without a default is for, said when it is missing. */
export const SHARD_VARIABLE_PURPOSES: Readonly<Record<string, string>> = {
  INSTITUTION: 'the code of the institution this shard serves, e.g. INSTITUTION=rvt.lv',
  DATABASE_URL:
    'where its data lives, e.g. DATABASE_URL=sqlite:data/rvt.lv/qualifications.sqlite or mysql://user:password@host:3306/database',
};

/** Reads a shard's settings from the environment or stops the process saying what is wrong. */
export function readShardEnvironment(env: NodeJS.ProcessEnv = process.env): ShardEnvironment {
  return readEnvironment(shardEnvironment, env, SHARD_VARIABLE_PURPOSES);
}
