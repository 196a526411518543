import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../schema/errors';
import type { Route } from '../../platform/http';
import { moduleLogger, type Logger } from '../../platform/logger';
import type { GatewayPart } from '../part';

export interface RateLimitOptions {
  /** Requests per window from one client IP address; 0 turns the per-IP limit off. @default 1200 */
  perIp?: number;
  /** Requests per window from one institution's callers (verified tokens; a batch counts each operation); 0 turns it off. @default 6000 */
  perInstitution?: number;
  /** The window, in seconds. @default 60 */
  windowSeconds?: number;
  /** Redis holding the counters, shared by every gateway replica (`redis://host:6379`); none: in memory, per process. */
  redisUrl?: string | null;
  /** Prefix of the counters' Redis keys. @default 'hub:rate' */
  keyPrefix?: string;
  /** Proxies in front of the gateway whose `X-Forwarded-For` entries are trusted; 0 uses the socket's address. @default 0 */
  trustProxyHops?: number;
  /** @default the `rate-limit` module logger */
  log?: Logger;
}

export const DEFAULT_RATE_LIMIT_PER_IP = 1_200;
export const DEFAULT_RATE_LIMIT_PER_INSTITUTION = 6_000;
export const DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60;
export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'hub:rate';

/** As a gateway part: start waits for the Redis counter (or its failure to connect), stop disconnects it. */
export interface RateLimit extends GatewayPart {
  /** Refuses a request over its IP's limit (429 RATE_LIMITED, `Retry-After`) before its body is read. */
  routes: readonly [Route];
  /** Counts `points` requests from a client address (as `clientAddress` gives it); throws RateLimitedError over the limit. */
  consumeIp(address: string, points?: number): Promise<void>;
  /** Counts `points` requests of an institution's callers; throws RateLimitedError over the limit. */
  consumeInstitution(institution: string, points?: number): Promise<void>;
  /** Settles once the Redis counter is connected (or has failed to within its connect timeout); at once without Redis. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The client's address: the socket's, or the entry `hops` from the right of X-Forwarded-For (what the nearest trusted proxy saw). */
export function clientAddress(request: IncomingMessage, hops: number): string {
  const socket = request.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return socket;
  const header = request.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return list[list.length - hops] ?? socket;
}

/**
 * Rate limits per client IP and per institution (`rate-limiter-flexible`): counters in memory, or in Redis when
 * `redisUrl` is set so that every replica counts together. If Redis fails, each replica counts in memory
 * until it is back (the limit is then per replica), rather than refusing or waving everything through.
 */
export function useRateLimit(options: RateLimitOptions = {}): RateLimit {
  const log = options.log ?? moduleLogger('rate-limit');
  const duration = options.windowSeconds ?? DEFAULT_RATE_LIMIT_WINDOW_SECONDS;
  const perIp = options.perIp ?? DEFAULT_RATE_LIMIT_PER_IP;
  const perInstitution = options.perInstitution ?? DEFAULT_RATE_LIMIT_PER_INSTITUTION;
  const prefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX;
  const hops = options.trustProxyHops ?? 0;

  let redis: Redis | null = null;
  let ready: Promise<void> = Promise.resolve();
  if (options.redisUrl) {
    // No offline queue: while Redis is away, a call fails at once and the in-memory insurance counts instead.
    redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // Only a client that is not connected is disconnected (stop() quits a ready one): it has no socket to wait for,
      // and ioredis's wait for one would hold the process open.
      disconnectTimeout: 50,
    });
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) log.warn({ err: error.message }, 'Redis for rate limits unavailable: counting in memory');
      down = true;
    });
    redis.on('ready', () => {
      if (down) log.info('Redis for rate limits is back');
      down = false;
    });
    const client = redis;
    // Counting in memory until Redis answers would let each replica's first requests through uncounted;
    // a first connection error means Redis is away for now: start, counting in memory.
    ready = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, 3_000);
      client.once('ready', done);
      client.once('error', done);
    });
  }
  const limiter = (name: string, points: number): RateLimiterAbstract | null => {
    if (points <= 0) return null;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: `${prefix}:${name}` });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration,
          keyPrefix: `${prefix}:${name}`,
          insuranceLimiter: memory,
        })
      : memory;
  };
  const byIp = limiter('ip', perIp);
  const byInstitution = limiter('institution', perInstitution);

  /** Resolves when allowed; throws RateLimitedError when over; lets the request through if the counter itself fails. */
  const consume = async (
    counter: RateLimiterAbstract,
    key: string,
    points: number,
    refusal: (retryAfter: number) => RateLimitedError,
  ): Promise<void> => {
    try {
      await counter.consume(key, points);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) throw refusal(Math.max(1, Math.ceil(outcome.msBeforeNext / 1_000)));
      log.error({ err: outcome }, 'rate limit counter failed; request let through');
    }
  };

  const consumeIp = async (address: string, points = 1): Promise<void> => {
    if (!byIp) return;
    await consume(
      byIp,
      address,
      points,
      (retryAfter) =>
        new RateLimitedError(
          `Too many requests from this IP address (limit ${perIp} per ${duration} s); retry in ${retryAfter} s`,
          'ip',
          retryAfter,
        ),
    );
  };

  return {
    name: 'rate-limit',
    routes: [
      (request) => {
        if (!byIp || request.method === 'OPTIONS') return false;
        return consumeIp(clientAddress(request, hops)).then(() => false);
      },
    ],
    consumeIp,
    consumeInstitution: async (institution, points = 1) => {
      if (!byInstitution) return;
      await consume(
        byInstitution,
        institution,
        points,
        (retryAfter) =>
          new RateLimitedError(
            `Too many requests from ${institution} (limit ${perInstitution} per ${duration} s); retry in ${retryAfter} s`,
            'institution',
            retryAfter,
          ),
      );
    },
    start: () => ready,
    stop: async () => {
      if (!redis) return;
      // quit() waits for pending replies; a client that is not connected has none and only needs to stop reconnecting.
      if (redis.status === 'ready') await redis.quit().catch(() => redis?.disconnect());
      else redis.disconnect();
    },
  };
}
