import { randomBytes } from 'node:crypto';
import { startGatewayOver, type ExtraGateway } from './faults';
import { startTestHub, type TestHub } from './harness/hub';
import { requireRedis, TEST_REDIS_URL } from './harness/redis';

/** Floods are cut per IP and per institution: 429 RATE_LIMITED with Retry-After; in memory, or in Redis across replicas. */
let hub: TestHub;
const gateways: ExtraGateway[] = [];
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await hub?.dispose();
});

async function gatewayWith(
  rateLimit: NonNullable<Parameters<typeof startGatewayOver>[2]>['rateLimit'],
): Promise<ExtraGateway> {
  const gateway = await startGatewayOver(hub, {}, { rateLimit });
  gateways.push(gateway);
  return gateway;
}

const QUERY = JSON.stringify({ query: '{ institutions { id } }' });
async function send(url: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: QUERY,
  });
  const body = (await response.json()) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    requestId: response.headers.get('x-request-id'),
    body,
  };
}
async function flood(url: string, count: number, token?: string) {
  const answers = [];
  for (let i = 0; i < count; i += 1) answers.push(await send(url, token));
  return answers;
}

test('a flood from one IP is cut at the limit with 429 RATE_LIMITED and Retry-After; health answers throughout', async () => {
  const gateway = await gatewayWith({ perIp: 10, perInstitution: 0 });
  const answers = await flood(gateway.url, 15);
  expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(200), ...Array(5).fill(429)]);
  const refused = answers[14];
  expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(refused?.retryAfter)).toBeLessThanOrEqual(60);
  expect(refused?.body.errors).toEqual([
    {
      message: expect.stringMatching(/^Too many requests from this IP address \(limit 10 per 60 s\); retry in \d+ s$/),
      extensions: {
        code: 'RATE_LIMITED',
        limit: 'ip',
        retryAfterSeconds: Number(refused?.retryAfter),
        requestId: refused?.requestId,
      },
    },
  ]);
  expect((await fetch(new URL('/health/live', gateway.url))).status).toBe(200);
});

test("an institution's callers share one budget; anonymous callers and other institutions are not counted in it", async () => {
  const gateway = await gatewayWith({ perIp: 0, perInstitution: 5 });
  const rvt = await gateway.token('rvt.lv', ['viewer']);
  const answers = await flood(gateway.url, 7, rvt);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
  expect(answers[6]?.body.errors?.[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'RATE_LIMITED', limit: 'institution' }),
  );
  expect(answers[6]?.body.errors?.[0]?.message).toMatch(/^Too many requests from rvt\.lv/);
  expect((await send(gateway.url)).status).toBe(200);
  expect((await send(gateway.url, await gateway.token('omnia.fi', ['viewer']))).status).toBe(200);
});

test('with Redis, replicas count together', async () => {
  // Without Redis each replica would count alone: say so rather than fail on the counts.
  await requireRedis();
  const shared = {
    perIp: 10,
    perInstitution: 0,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: `hub-test:${randomBytes(6).toString('hex')}`,
  };
  const [a, b] = [await gatewayWith(shared), await gatewayWith(shared)];
  const statuses = [];
  for (let i = 0; i < 6; i += 1) {
    statuses.push((await send(a.url)).status);
    statuses.push((await send(b.url)).status);
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(10);
  expect(statuses.slice(10)).toEqual([429, 429]);
});

test('when Redis is unreachable, each replica still counts in memory', async () => {
  const gateway = await gatewayWith({
    perIp: 3,
    perInstitution: 0,
    redisUrl: 'redis://127.0.0.1:1',
    keyPrefix: 'hub-test:down',
  });
  const answers = await flood(gateway.url, 4);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
});
