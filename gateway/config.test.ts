import { gatewayEnvironment, gatewayOptionsFrom } from './config';

test('an empty environment gives the documented defaults', () => {
  const env = gatewayEnvironment.parse({});
  const options = gatewayOptionsFrom(env);
  expect(options.production).toBe(false);
  expect(options.limits).toEqual({
    maxDepth: 12,
    maxAliases: 30,
    maxTokens: 2_000,
    maxDirectives: 50,
    maxFieldRepeats: 10,
    maxRootFields: 20,
    maxCost: 50_000,
    defaultListSize: 20,
    maxBodyBytes: 1_000_000,
    maxBatchSize: 0,
  });
  expect(options.cors).toEqual({ origins: [] });
  expect(options.resilience).toEqual({
    retries: 2,
    breakerThreshold: 5,
    halfOpenAfterMs: 10_000,
    maxConcurrentPerShard: 32,
    maxQueuedPerShard: 32,
  });
  expect(options.rateLimit).toEqual({
    perIp: 1_200,
    perInstitution: 6_000,
    windowSeconds: 60,
    redisUrl: null,
    trustProxyHops: 0,
  });
  expect(options.webSockets).toEqual({
    maxAnonymousMessageBytes: 65_536,
    maxAnonymousPerIp: 32,
    maxAnonymous: 2_000,
    initTimeoutMs: 3_000,
  });
  expect(options.shutdownTimeoutMs).toBe(10_000);
  expect(options.liveEventHoldMs).toBe(30_000);
  expect(options.catalogue).toEqual({
    url: null,
    unfollowedRefreshMs: 60_000,
    maxItemsPerInstitution: 100_000,
    memberReadBudget: { bytes: 67_108_864, bytesPerMinute: 16_777_216 },
    operatorToken: null,
  });
});

test('the catalogue reads its settings, and refuses a refresh bound out of range', () => {
  const env = gatewayEnvironment.parse({
    CATALOG_URL: 'postgres://hub@db:5432/catalogue',
    CATALOG_UNFOLLOWED_REFRESH_MS: '5000',
  });
  expect(gatewayOptionsFrom(env).catalogue).toEqual(
    expect.objectContaining({ url: 'postgres://hub@db:5432/catalogue', unfollowedRefreshMs: 5_000 }),
  );
  expect(gatewayOptionsFrom(gatewayEnvironment.parse({ CATALOG: 'off' })).catalogue).toBe(false);
  const bad = gatewayEnvironment.safeParse({ CATALOG_UNFOLLOWED_REFRESH_MS: '10' });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues[0]?.path).toEqual(['CATALOG_UNFOLLOWED_REFRESH_MS']);
});

test("the catalogue's bound on one institution's items is read, and anything but a whole number from 1 is refused by name", () => {
  const env = gatewayEnvironment.parse({ CATALOG_MAX_ITEMS_PER_INSTITUTION: '250000' });
  expect(gatewayOptionsFrom(env).catalogue).toEqual(expect.objectContaining({ maxItemsPerInstitution: 250_000 }));
  for (const value of ['0', '-5', '2.5', 'lots', '', '10000001']) {
    const bad = gatewayEnvironment.safeParse({ CATALOG_MAX_ITEMS_PER_INSTITUTION: value });
    expect(bad.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['CATALOG_MAX_ITEMS_PER_INSTITUTION', 'must be a whole number of items from 1 to 10000000'],
    ]);
  }
});

test("the catalogue's read budget per member is read, and a bad value refused by name", () => {
  const env = gatewayEnvironment.parse({
    CATALOG_MEMBER_READ_BYTES: '50000000',
    CATALOG_MEMBER_READ_BYTES_PER_MINUTE: '5000000',
  });
  expect(gatewayOptionsFrom(env).catalogue).toEqual(
    expect.objectContaining({ memberReadBudget: { bytes: 50_000_000, bytesPerMinute: 5_000_000 } }),
  );
  for (const value of ['0', '100', '2.5', 'lots']) {
    const bad = gatewayEnvironment.safeParse({ CATALOG_MEMBER_READ_BYTES_PER_MINUTE: value });
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['CATALOG_MEMBER_READ_BYTES_PER_MINUTE']);
  }
});

test('settings are read from the environment and checked', () => {
  const env = gatewayEnvironment.parse({
    NODE_ENV: 'production',
    HUB_HOP_PRIVATE_KEY: '{"kty":"OKP"}',
    MAX_DEPTH: '8',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    REDIS_URL: 'redis://redis:6379',
    RATE_LIMIT_PER_IP: '0',
  });
  const options = gatewayOptionsFrom(env);
  expect(options.production).toBe(true);
  expect(options.limits?.maxDepth).toBe(8);
  expect(options.cors?.origins).toEqual(['https://a.example', 'https://b.example']);
  expect(options.rateLimit).toEqual(expect.objectContaining({ perIp: 0, redisUrl: 'redis://redis:6379' }));
  expect(gatewayOptionsFrom(gatewayEnvironment.parse({ LIVE_EVENT_HOLD_MS: '1500' })).liveEventHoldMs).toBe(1_500);
  const bad = gatewayEnvironment.safeParse({
    CORS_ORIGINS: 'evil',
    REDIS_URL: 'localhost:6379',
    MAX_DEPTH: '0',
    LIVE_EVENT_HOLD_MS: '-1',
  });
  expect(bad.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
    'CORS_ORIGINS',
    'LIVE_EVENT_HOLD_MS',
    'MAX_DEPTH',
    'REDIS_URL',
  ]);
});

test('the entity cache is on by default, in memory, with the documented types; its settings are checked', () => {
  const options = gatewayOptionsFrom(gatewayEnvironment.parse({}));
  expect(options.entityCache).toEqual(
    expect.objectContaining({
      redisUrl: null,
      feedWaitMs: 10_000,
      feedGraceMs: 2_000,
      clientMaxAgeSeconds: 0,
      operatorToken: null,
    }),
  );
  expect(options.entityCache && [...(options.entityCache.types ?? new Map()).keys()]).toEqual([
    'Institution',
    'Qualification',
    'Unit',
    'LearningOutcome',
  ]);
  expect(gatewayOptionsFrom(gatewayEnvironment.parse({ ENTITY_CACHE: 'off' })).entityCache).toBe(false);
  const bad = gatewayEnvironment.safeParse({
    ENTITY_CACHE_TYPES: 'Unit:32MB,Qualification:lots',
    HUB_OPERATOR_TOKEN: 'short',
  });
  expect(bad.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
    ['ENTITY_CACHE_TYPES', '"Qualification:lots" is not Type:size (e.g. Unit:32MB)'],
    ['HUB_OPERATOR_TOKEN', 'must be at least 16 characters'],
  ]);
});

test('production needs the hop signing key: without it no shard would believe any caller', () => {
  const result = gatewayEnvironment.safeParse({ NODE_ENV: 'production' });
  expect(result.success).toBe(false);
  expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
    [
      'HUB_HOP_PRIVATE_KEY',
      'must be set when NODE_ENV=production: the key the gateway signs its calls to shards with (npm run hop-keys prints one)',
    ],
  ]);
});

test('statistics: 5 learners and 30 s of reuse by default; a threshold under 1 is refused', () => {
  expect(gatewayOptionsFrom(gatewayEnvironment.parse({})).statistics).toEqual({
    suppressionThreshold: 5,
    cacheMs: 30_000,
  });
  expect(
    gatewayOptionsFrom(gatewayEnvironment.parse({ STATISTICS_SUPPRESSION_THRESHOLD: '10', STATISTICS_CACHE_MS: '0' }))
      .statistics,
  ).toEqual({ suppressionThreshold: 10, cacheMs: 0 });
  const bad = gatewayEnvironment.safeParse({ STATISTICS_SUPPRESSION_THRESHOLD: '0' });
  expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['STATISTICS_SUPPRESSION_THRESHOLD']);
});
