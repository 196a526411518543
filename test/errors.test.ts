import {
  LEAKED,
  memoryLogger,
  startFaultyShard,
  startGatewayOver,
  type ExtraGateway,
  type FaultyShard,
} from './faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Every error has a code and the request id; in production no shard internals or stack traces reach a client. */
let hub: TestHub;
let broken: FaultyShard;
let production: ExtraGateway;
let development: ExtraGateway;
const logs = memoryLogger();
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  broken = await startFaultyShard(hub.shards.get('omnia.fi')?.url ?? '', 'internal-error');
  production = await startGatewayOver(hub, { 'omnia.fi': broken.url }, { production: true, logger: logs.logger });
  development = await startGatewayOver(hub, { 'omnia.fi': broken.url });
});
afterAll(async () => {
  await production?.close();
  await development?.close();
  await broken?.close();
  await hub?.dispose();
});

const omniaUnit = () => seedUnits(['omnia.fi'])[0]?.id as string;

async function raw(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; requestId: string | null; body: GraphQLAnswer['body'] | null }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: GraphQLAnswer['body'] | null = null;
  try {
    body = JSON.parse(text) as GraphQLAnswer['body'];
  } catch {
    body = null;
  }
  return { status: response.status, requestId: response.headers.get('x-request-id'), body };
}
const post = (query: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query }),
});

test('every response has an x-request-id, and every error carries the same id', async () => {
  const answers = await Promise.all([
    raw(hub.url, post('{ institutions { id } }')),
    raw(hub.url, post('{ nope }')),
    raw(hub.url, post('{ institutions { id } }', { authorization: 'Bearer not-a-token' })),
    raw(hub.url, post('{ unit(id: "nowhere.example:U1") { id } }')),
    raw(hub.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }),
    raw(new URL('/health/live', hub.url).toString()),
    raw(new URL('/nothing', hub.url).toString()),
  ]);
  expect(answers.map((a) => a.status)).toEqual([200, 400, 401, 200, 400, 200, 404]);
  for (const answer of answers) {
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const error of answer.body?.errors ?? [])
      expect(error.extensions).toEqual(
        expect.objectContaining({ code: expect.any(String), requestId: answer.requestId }),
      );
  }
  expect(new Set(answers.map((a) => a.requestId)).size).toBe(answers.length);
  expect(answers[4]?.body?.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
});

test("a caller's well-formed x-request-id is kept; anything else is replaced", async () => {
  const kept = await raw(hub.url, post('{ nope }', { 'x-request-id': 'partner-trace.42' }));
  expect(kept.requestId).toBe('partner-trace.42');
  expect(kept.body?.errors?.[0]?.extensions?.requestId).toBe('partner-trace.42');
  const replaced = await raw(hub.url, post('{ nope }', { 'x-request-id': 'a b<script>' }));
  expect(replaced.requestId).toMatch(/^[0-9a-f-]{36}$/);
});

function expectNoLeak(answer: GraphQLAnswer): void {
  const text = JSON.stringify(answer.body);
  for (const secret of LEAKED) expect(text).not.toContain(secret);
}

test("production: a shard's internal error becomes a generic one that keeps the institution; the rest of the data is there", async () => {
  const answer = await production.request(
    `{ units(first: 100) { nodes { id } } one: unit(id: "${omniaUnit()}") { id } }`,
  );
  expectNoLeak(answer);
  const ids = (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
  expect(ids).toHaveLength(seedUnits(['rvt.lv']).length);
  expect(answer.body.data?.one).toBeNull();
  expect(answer.body.errors).toEqual(
    expect.arrayContaining([
      {
        message: 'The qualifications shard of omnia.fi failed to answer; its data is missing from this answer',
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          institution: 'omnia.fi',
          kind: 'qualifications',
          requestId: expect.any(String),
        },
      },
    ]),
  );
});

test('production: the details are in the logs, with the institution and the request id', async () => {
  const answer = await raw(production.url, post(`{ one: unit(id: "${omniaUnit()}") { id } }`));
  const line = logs
    .lines()
    .find((l) => l.requestId === answer.requestId && l.msg === 'shard reported an internal error');
  expect(line).toEqual(
    expect.objectContaining({
      level: 50,
      institution: 'omnia.fi',
      kind: 'qualifications',
      code: 'INTERNAL_SERVER_ERROR',
      message: expect.stringContaining('ER_LOCK_DEADLOCK'),
    }),
  );
});

test('development: the shard message is shown (never a stack trace), with the institution', async () => {
  const answer = await development.request(`{ one: unit(id: "${omniaUnit()}") { id } }`);
  expect(answer.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringContaining('ER_LOCK_DEADLOCK'),
      extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR', institution: 'omnia.fi' }),
    }),
  );
});

test('production: a malformed request is refused with a code and the request id, without a stack trace', async () => {
  // A body whose variables are not an object reaches Apollo's own request checks.
  const answer = await raw(production.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ institutions { id } }', variables: 'x' }),
  });
  expect(answer.status).toBe(400);
  expect(answer.body?.errors?.[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'BAD_REQUEST', requestId: answer.requestId }),
  );
  expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.js:\d+/);
});
