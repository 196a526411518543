import { z } from 'zod';
import { isInstitutionCode } from '../../schema/ids';

/** pino's levels; the logger itself reads the variable, this rejects a typo at start. */
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional();

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
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://host:port').optional(),
  LOG_LEVEL: logLevel,
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
});
export type ShardEnvironment = z.infer<typeof shardEnvironment>;

/** What each variable without a default is for, said when it is missing. */
const REQUIRED: Record<string, string> = {
  INSTITUTION: 'the code of the institution this shard serves, e.g. INSTITUTION=rvt.lv',
  DATABASE_URL: 'where its data lives, e.g. DATABASE_URL=sqlite:data/rvt.lv/qualifications.sqlite or mysql://user:password@host:3306/database',
};

/** Parses the environment or stops the process with one line per bad variable. */
export function readEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    // A variable that is simply not set gets its purpose, not zod's "expected string, received undefined".
    if (issue.code === 'invalid_type' && env[name] === undefined) return `  ${name} is not set: ${REQUIRED[name] ?? 'this process needs it'}`;
    return `  ${name}: ${issue.message}`;
  });
  console.error(`Invalid configuration:\n${lines.join('\n')}`);
  process.exit(78);
}
