import Redis from 'ioredis';

/** The Redis the tests that need one use: a local one by default, as `.ci/run` starts it. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Fails, naming what is missing and how to get it, when no Redis answers at {@link TEST_REDIS_URL}. These tests
 * are part of the suite (CI runs them): without Redis they fail once, here, instead of timing out somewhere inside.
 */
export async function requireRedis(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The connection's own error (ECONNREFUSED …) says more than the rejected connect ("Connection is closed").
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new Error(
      `This test file needs Redis, and none answers at ${TEST_REDIS_URL} (${reason}). ` +
        'Start one (`redis-server --port 6379`, or `docker run -d -p 6379:6379 redis:7`), or point TEST_REDIS_URL at one.',
    );
  } finally {
    redis.disconnect();
  }
}
