import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { logLevel } from '../platform/config';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../platform/http';
import { DEFAULT_CACHED_TYPES, DEFAULT_FEED_GRACE_MS, DEFAULT_FEED_WAIT_MS, parseCachedTypes } from './cache';
import {
  DEFAULT_MAX_ITEMS_PER_INSTITUTION,
  DEFAULT_MEMBER_READ_BUDGET,
  DEFAULT_UNFOLLOWED_REFRESH_MS,
} from './catalogue';
import { parseOrigins } from './cors/cors';
import type { GatewayOptions } from './index';
import {
  DEFAULT_LIST_SIZE,
  DEFAULT_MAX_ALIASES,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_COST,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_DIRECTIVES,
  DEFAULT_MAX_FIELD_REPEATS,
  DEFAULT_MAX_ROOT_FIELDS,
  DEFAULT_MAX_TOKENS,
} from './limits/limits';
import {
  DEFAULT_WS_INIT_TIMEOUT_MS,
  DEFAULT_WS_MAX_ANONYMOUS,
  DEFAULT_WS_MAX_ANONYMOUS_MESSAGE_BYTES,
  DEFAULT_WS_MAX_ANONYMOUS_PER_IP,
} from './subscriptions/subscriptions';
import { DEFAULT_LIVE_EVENT_HOLD_MS } from './subscriptions/hold';
import { DEFAULT_MAX_SHARD_ANSWER_BYTES, DEFAULT_MAX_SHARD_ANSWER_VALUES } from './routing/shard-client';
import { SUPPRESSION_THRESHOLD } from './statistics/merge';
import { DEFAULT_STATISTICS_CACHE_MS } from './statistics/statistics';
import {
  DEFAULT_RATE_LIMIT_PER_INSTITUTION,
  DEFAULT_RATE_LIMIT_PER_IP,
  DEFAULT_RATE_LIMIT_WINDOW_SECONDS,
} from './rate-limit/rate-limit';
import {
  DEFAULT_BREAKER_THRESHOLD,
  DEFAULT_HALF_OPEN_AFTER_MS,
  DEFAULT_MAX_CONCURRENT_PER_SHARD,
  DEFAULT_MAX_QUEUED_PER_SHARD,
  DEFAULT_RETRIES,
} from './resilience/resilience';

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Far above any school's catalogue, and still a bound on the memory one institution's read may take. */
const MAX_ITEMS_CEILING = 10_000_000;
const MAX_ITEMS_RULE = `must be a whole number of items from 1 to ${MAX_ITEMS_CEILING}`;

/** Every setting of the gateway process, read from the environment once at start. */
export const gatewayEnvironment = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default('127.0.0.1'),
    /** The federation's members and their shards (relative paths from the working directory). */
    REGISTRY_PATH: z.string().default('demo/registry.json'),
    /** The supergraph to serve; any composed supergraph works. */
    SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
    /** The gateway's Ed25519 private key that signs hops (PKCS8 PEM or JWK); without it shards get unsigned, public-only calls. */
    HUB_HOP_PRIVATE_KEY: z.string().optional(),
    /** Public keys (JWKS) published and accepted besides the signing key's during a rotation: the next key, or the old one. */
    HUB_HOP_ROLLOVER_PUBLIC_KEYS: z.string().optional(),
    /** Secret of HS256 demo tokens; leave unset in production. */
    HUB_DEMO_TOKEN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * A request's deadline for its shard calls, counted from its arrival: a call queued for a slot, retried, standing
     * in or made later in the request gets what is left of it, so no answer waits longer (GATEWAY_TIMEOUT).
     */
    SHARD_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
    CONNECTIONS_PER_SHARD: z.coerce.number().int().min(1).max(1_024).default(32),
    /** Most bytes the hub reads of one shard answer: a shard answering without end costs its data, not the hub's memory. */
    MAX_SHARD_ANSWER_BYTES: count(1_024, 1_000_000_000, DEFAULT_MAX_SHARD_ANSWER_BYTES),
    /** Most JSON values the hub parses of one shard answer: its values, more than its bytes, are what a parse costs. */
    MAX_SHARD_ANSWER_VALUES: count(1_000, 100_000_000, DEFAULT_MAX_SHARD_ANSWER_VALUES),
    /** `off`: every query goes to its shard on its own, even when the very same one is on its way there (see routing/shard-client.ts). */
    SHARD_SHARE_INFLIGHT: z.enum(['on', 'off']).default('on'),
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
    LOG_LEVEL: logLevel,
    // Operation limits (gateway/limits/).
    MAX_DEPTH: count(1, 1_000, DEFAULT_MAX_DEPTH),
    MAX_ALIASES: count(0, 10_000, DEFAULT_MAX_ALIASES),
    MAX_TOKENS: count(10, 1_000_000, DEFAULT_MAX_TOKENS),
    MAX_DIRECTIVES: count(0, 10_000, DEFAULT_MAX_DIRECTIVES),
    MAX_FIELD_REPEATS: count(1, 10_000, DEFAULT_MAX_FIELD_REPEATS),
    MAX_ROOT_FIELDS: count(1, 10_000, DEFAULT_MAX_ROOT_FIELDS),
    MAX_COST: count(1, 1_000_000_000, DEFAULT_MAX_COST),
    /** Items a list counts in the cost when no `first` says how many. */
    COST_LIST_SIZE: count(1, 10_000, DEFAULT_LIST_SIZE),
    MAX_BODY_BYTES: count(1_024, 100_000_000, DEFAULT_MAX_BODY_BYTES),
    /** Operations per batched request; 0 refuses batches. */
    MAX_BATCH_SIZE: count(0, 1_000, DEFAULT_MAX_BATCH_SIZE),
    /** Comma-separated origins whose browser pages may call the hub (`*`: any). */
    CORS_ORIGINS: z
      .string()
      .default('')
      .refine(
        (list) => parseOrigins(list).every((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin)),
        'must be comma-separated origins such as https://dashboard.example.org',
      ),
    // Partners that fail (gateway/resilience/).
    SHARD_RETRIES: count(0, 10, DEFAULT_RETRIES),
    BREAKER_THRESHOLD: count(1, 1_000, DEFAULT_BREAKER_THRESHOLD),
    BREAKER_HALF_OPEN_MS: count(100, 3_600_000, DEFAULT_HALF_OPEN_AFTER_MS),
    SHARD_MAX_CONCURRENT: count(1, 10_000, DEFAULT_MAX_CONCURRENT_PER_SHARD),
    SHARD_MAX_QUEUED: count(0, 100_000, DEFAULT_MAX_QUEUED_PER_SHARD),
    // Rate limits (gateway/rate-limit/); 0 turns one off.
    RATE_LIMIT_PER_IP: count(0, 100_000_000, DEFAULT_RATE_LIMIT_PER_IP),
    RATE_LIMIT_PER_INSTITUTION: count(0, 100_000_000, DEFAULT_RATE_LIMIT_PER_INSTITUTION),
    RATE_LIMIT_WINDOW_SECONDS: count(1, 86_400, DEFAULT_RATE_LIMIT_WINDOW_SECONDS),
    // WebSocket connections (gateway/subscriptions/); signed-in sockets' messages are capped by MAX_BODY_BYTES.
    /** Largest message from a socket before a valid token in connection_init (larger closes it with 1009). */
    WS_MAX_ANONYMOUS_MESSAGE_BYTES: count(1_024, 100_000_000, DEFAULT_WS_MAX_ANONYMOUS_MESSAGE_BYTES),
    /** Sockets without a valid token per client IP (more: HTTP 429 at the upgrade). */
    WS_MAX_ANONYMOUS_PER_IP: count(1, 1_000_000, DEFAULT_WS_MAX_ANONYMOUS_PER_IP),
    /** Sockets without a valid token in all (more: HTTP 503 at the upgrade). */
    WS_MAX_ANONYMOUS: count(1, 10_000_000, DEFAULT_WS_MAX_ANONYMOUS),
    /** How long a socket may take to send connection_init (then closed with 4408). */
    WS_INIT_TIMEOUT_MS: count(100, 600_000, DEFAULT_WS_INIT_TIMEOUT_MS),
    /** How long a live event a shard cannot complete is held and retried before its subscribers are ended (0: not held). */
    LIVE_EVENT_HOLD_MS: count(0, 600_000, DEFAULT_LIVE_EVENT_HOLD_MS),
    /** ecvetStatistics: fewest learners a base cell needs to count in any figure (see statistics/merge.ts). */
    STATISTICS_SUPPRESSION_THRESHOLD: count(1, 1_000, SUPPRESSION_THRESHOLD),
    /** ecvetStatistics: how long the shards' base cells are reused when no write passed through this gateway; 0: never. */
    STATISTICS_CACHE_MS: count(0, 3_600_000, DEFAULT_STATISTICS_CACHE_MS),
    /** Redis for rate-limit counters shared by every gateway replica. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be redis://host:port (or rediss://)')
      .optional(),
    /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted. */
    TRUST_PROXY_HOPS: count(0, 10, 0),
    // Entity cache for public types (gateway/cache/); Redis (REDIS_URL) shares it between replicas.
    ENTITY_CACHE: z.enum(['on', 'off']).default('on'),
    /** Cached types with their byte budget, e.g. "Unit:32MB,Qualification:8MB"; types not listed are not cached. */
    ENTITY_CACHE_TYPES: z
      .string()
      .default([...DEFAULT_CACHED_TYPES].map(([type, bytes]) => `${type}:${bytes}`).join(','))
      .superRefine((text, context) => {
        try {
          parseCachedTypes(text);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    ENTITY_CACHE_FEED_WAIT_MS: count(100, 60_000, DEFAULT_FEED_WAIT_MS),
    ENTITY_CACHE_FEED_GRACE_MS: count(100, 60_000, DEFAULT_FEED_GRACE_MS),
    /** max-age of the Cache-Control hint on answers made only of public entities. */
    ENTITY_CACHE_CLIENT_MAX_AGE: count(0, 86_400, 0),
    // The catalogue that answers lists and searches (gateway/catalogue/): SQLite in the process, or CATALOG_URL.
    CATALOG: z.enum(['on', 'off']).default('on'),
    /** A PostgreSQL shared by every gateway replica (postgres://user@host:port/database); unset: embedded SQLite. */
    CATALOG_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be postgres://user@host:port/database')
      .optional(),
    /** How often the catalogue reads again whole an institution whose shard serves no change feed. */
    CATALOG_UNFOLLOWED_REFRESH_MS: count(1_000, 86_400_000, DEFAULT_UNFOLLOWED_REFRESH_MS),
    /** Most units, and most qualifications, the catalogue reads of one institution; a shard sending more fails its read. */
    CATALOG_MAX_ITEMS_PER_INSTITUTION: z.coerce
      .number({ error: MAX_ITEMS_RULE })
      .int(MAX_ITEMS_RULE)
      .min(1, MAX_ITEMS_RULE)
      .max(MAX_ITEMS_CEILING, MAX_ITEMS_RULE)
      .default(DEFAULT_MAX_ITEMS_PER_INSTITUTION),
    /**
     * Bytes of answers the catalogue may read of one member at once, and a minute after that: a member whose reads
     * send more waits, its part stale, whatever its feed asks for.
     */
    CATALOG_MEMBER_READ_BYTES: count(1_024, 1_000_000_000_000, DEFAULT_MEMBER_READ_BUDGET.bytes),
    CATALOG_MEMBER_READ_BYTES_PER_MINUTE: count(1_024, 1_000_000_000_000, DEFAULT_MEMBER_READ_BUDGET.bytesPerMinute),
    /** Bearer token for operators' POST /cache/flush and /catalogue/rebuild?institution=…; unset: no such routes. */
    HUB_OPERATOR_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** How long a stopping gateway lets in-flight requests finish. */
    SHUTDOWN_TIMEOUT_MS: count(0, 300_000, DEFAULT_SHUTDOWN_TIMEOUT_MS),
  })
  .refine((env) => !(env.NODE_ENV === 'production' && env.HUB_DEMO_TOKEN_SECRET), {
    message: 'must not be set when NODE_ENV=production: demo tokens are for development only',
    path: ['HUB_DEMO_TOKEN_SECRET'],
  })
  // Without it every hop is unsigned and shards serve public data only: no member could use the hub.
  .refine((env) => !(env.NODE_ENV === 'production' && !env.HUB_HOP_PRIVATE_KEY), {
    message:
      'must be set when NODE_ENV=production: the key the gateway signs its calls to shards with (npm run hop-keys prints one)',
    path: ['HUB_HOP_PRIVATE_KEY'],
  });
export type GatewayEnvironment = z.infer<typeof gatewayEnvironment>;

/** The gateway options the environment sets (everything but the registry, supergraph and secrets). */
export function gatewayOptionsFrom(
  env: GatewayEnvironment,
): Omit<GatewayOptions, 'supergraphSdl' | 'registry' | 'hopKey' | 'hopRolloverKeys' | 'demoTokenSecret'> {
  return {
    port: env.PORT,
    host: env.HOST,
    shardTimeoutMs: env.SHARD_TIMEOUT_MS,
    connectionsPerShard: env.CONNECTIONS_PER_SHARD,
    maxShardAnswerBytes: env.MAX_SHARD_ANSWER_BYTES,
    maxShardAnswerValues: env.MAX_SHARD_ANSWER_VALUES,
    shareInflight: env.SHARD_SHARE_INFLIGHT === 'on',
    production: env.NODE_ENV === 'production',
    limits: {
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxTokens: env.MAX_TOKENS,
      maxDirectives: env.MAX_DIRECTIVES,
      maxFieldRepeats: env.MAX_FIELD_REPEATS,
      maxRootFields: env.MAX_ROOT_FIELDS,
      maxCost: env.MAX_COST,
      defaultListSize: env.COST_LIST_SIZE,
      maxBodyBytes: env.MAX_BODY_BYTES,
      maxBatchSize: env.MAX_BATCH_SIZE,
    },
    cors: { origins: parseOrigins(env.CORS_ORIGINS) },
    webSockets: {
      maxAnonymousMessageBytes: env.WS_MAX_ANONYMOUS_MESSAGE_BYTES,
      maxAnonymousPerIp: env.WS_MAX_ANONYMOUS_PER_IP,
      maxAnonymous: env.WS_MAX_ANONYMOUS,
      initTimeoutMs: env.WS_INIT_TIMEOUT_MS,
    },
    liveEventHoldMs: env.LIVE_EVENT_HOLD_MS,
    statistics: { suppressionThreshold: env.STATISTICS_SUPPRESSION_THRESHOLD, cacheMs: env.STATISTICS_CACHE_MS },
    resilience: {
      retries: env.SHARD_RETRIES,
      breakerThreshold: env.BREAKER_THRESHOLD,
      halfOpenAfterMs: env.BREAKER_HALF_OPEN_MS,
      maxConcurrentPerShard: env.SHARD_MAX_CONCURRENT,
      maxQueuedPerShard: env.SHARD_MAX_QUEUED,
    },
    rateLimit: {
      perIp: env.RATE_LIMIT_PER_IP,
      perInstitution: env.RATE_LIMIT_PER_INSTITUTION,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      redisUrl: env.REDIS_URL ?? null,
      trustProxyHops: env.TRUST_PROXY_HOPS,
    },
    entityCache:
      env.ENTITY_CACHE === 'off'
        ? false
        : {
            types: parseCachedTypes(env.ENTITY_CACHE_TYPES),
            redisUrl: env.REDIS_URL ?? null,
            feedWaitMs: env.ENTITY_CACHE_FEED_WAIT_MS,
            feedGraceMs: env.ENTITY_CACHE_FEED_GRACE_MS,
            clientMaxAgeSeconds: env.ENTITY_CACHE_CLIENT_MAX_AGE,
            operatorToken: env.HUB_OPERATOR_TOKEN ?? null,
          },
    catalogue:
      env.CATALOG === 'off'
        ? false
        : {
            url: env.CATALOG_URL ?? null,
            unfollowedRefreshMs: env.CATALOG_UNFOLLOWED_REFRESH_MS,
            maxItemsPerInstitution: env.CATALOG_MAX_ITEMS_PER_INSTITUTION,
            memberReadBudget: {
              bytes: env.CATALOG_MEMBER_READ_BYTES,
              bytesPerMinute: env.CATALOG_MEMBER_READ_BYTES_PER_MINUTE,
            },
            operatorToken: env.HUB_OPERATOR_TOKEN ?? null,
          },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}
