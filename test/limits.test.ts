import { request as httpRequest } from 'node:http';
import { metricSum, startGatewayOver, type ExtraGateway } from './faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Hostile operations are refused at the gateway, with the limit named, before any shard is called. */
let hub: TestHub;
let production: ExtraGateway;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  production = await startGatewayOver(hub, {}, { production: true, rateLimit: false });
});
afterAll(async () => {
  await production?.close();
  await hub?.dispose();
});

const unitId = () => seedUnits(['rvt.lv'])[0]?.id as string;
const shardCalls = () => metricSum(hub.url, 'hub_shard_calls_total');

async function refusedBeforeAnyShard(answer: Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
  const before = await shardCalls();
  const result = await answer;
  expect(await shardCalls()).toBe(before);
  return result;
}

function expectLimit(answer: GraphQLAnswer, limit: string, message: RegExp | string): void {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  // Every limit an operation breaks is reported (a depth bomb is usually a cost bomb too).
  expect(answer.body.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        message: typeof message === 'string' ? message : expect.stringMatching(message),
        extensions: expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit, requestId: expect.any(String) }),
      }),
    ]),
  );
}

test('a depth bomb is refused with the depth and the limit', async () => {
  const nest = (levels: number): string => (levels === 0 ? 'id' : `qualification { units { ${nest(levels - 1)} } }`);
  const answer = await refusedBeforeAnyShard(hub.request(`{ unit(id: "${unitId()}") { ${nest(11)} } }`));
  expectLimit(answer, 'depth', 'Query depth 24 exceeds the limit of 12');
});

test('an alias bomb is refused with the alias count and the limit', async () => {
  const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: id`).join(' ');
  expectLimit(
    await refusedBeforeAnyShard(hub.request(`{ unit(id: "${unitId()}") { ${aliases} } }`)),
    'aliases',
    'Query alias count 500 exceeds the limit of 30',
  );
});

test('too many root fields, directives or tokens are refused', async () => {
  const roots = Array.from({ length: 25 }, (_, i) => `u${i}: unit(id: "${unitId()}") { id }`).join(' ');
  expectLimit(
    await refusedBeforeAnyShard(hub.request(`{ ${roots} }`)),
    'rootFields',
    'Query root field count 25 exceeds the limit of 20',
  );
  // On inline fragments: sixty `id` fields side by side would be refused as repeats first.
  const directives = Array.from({ length: 60 }, () => '... @include(if: true) { id }').join(' ');
  expectLimit(
    await refusedBeforeAnyShard(hub.request(`{ unit(id: "${unitId()}") { ${directives} } }`)),
    'directives',
    'Query directive count 60 exceeds the limit of 50',
  );
  const tokens = `{ unit(id: "${unitId()}") { ${'id '.repeat(3_000)} } }`;
  expectLimit(
    await refusedBeforeAnyShard(hub.request(tokens)),
    'tokens',
    'Query token count exceeds the limit of 2000',
  );
});

test('`first: 1000000` is refused by the cost limit, as a literal and as a variable, before any shard call', async () => {
  const literal = await refusedBeforeAnyShard(
    hub.request('{ units(first: 1000000) { nodes { id learningOutcomes { id } } } }'),
  );
  expectLimit(literal, 'cost', /^Query cost 22000000 exceeds the limit of 50000/);
  const query = 'query Page($n: Int!) { units(first: $n) { nodes { id } } }';
  expectLimit(
    await refusedBeforeAnyShard(hub.request(query, { n: 1_000_000 })),
    'cost',
    /^Query cost 2000000 exceeds the limit of 50000/,
  );
  // The same document with a fair page size is served (its cost is checked per request).
  const fair = await hub.request(query, { n: 3 });
  expect(fair.body.errors).toBeUndefined();
  expect((fair.body.data?.units as { nodes: unknown[] }).nodes).toHaveLength(3);
});

test('the same refused operation is refused every time it is sent, however much of it the hub keeps', async () => {
  const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(' ');
  const overLimit = `{ unit(id: "${unitId()}") { ${aliases} } }`;
  const unknownDirective = `{ unit(id: "${unitId()}") { id @cached } }`;
  const invalid = `{ unit(id: "${unitId()}") { titel } }`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    expectLimit(
      await refusedBeforeAnyShard(hub.request(overLimit)),
      'aliases',
      'Query alias count 40 exceeds the limit of 30',
    );
    const directive = await refusedBeforeAnyShard(hub.request(unknownDirective));
    expect({ attempt, status: directive.status, error: directive.body.errors?.[0] }).toEqual({
      attempt,
      status: 400,
      error: expect.objectContaining({
        message: expect.stringMatching(/^Unknown directive "@cached"/),
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    });
    const typo = await refusedBeforeAnyShard(hub.request(invalid));
    expect({ attempt, status: typo.status, error: typo.body.errors?.[0] }).toEqual({
      attempt,
      status: 400,
      error: expect.objectContaining({
        message: expect.stringContaining('Cannot query field "titel" on type "Unit".'),
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    });
  }
  // A query that passed is kept as passed by its text only: the same text with one more alias is checked anew.
  const fair = `{ unit(id: "${unitId()}") { ${Array.from({ length: 30 }, (_, i) => `a${i}: id`).join(' ')} } }`;
  expect((await hub.request(fair)).body.errors).toBeUndefined();
  expectLimit(
    await refusedBeforeAnyShard(hub.request(fair.replace('a0: id', 'a0: id a30: id'))),
    'aliases',
    'Query alias count 31 exceeds the limit of 30',
  );
});

test('a fragment cycle is refused as invalid, quickly', async () => {
  const answer = await refusedBeforeAnyShard(
    hub.request(
      `{ unit(id: "${unitId()}") { ...A } } fragment A on Unit { qualification { units { ...B } } } fragment B on Unit { ...A }`,
    ),
  );
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringContaining('Cannot spread fragment "A" within itself'),
      extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
    }),
  );
});

/** A raw POST whose body is sent as given (with or without a content-length), read to the end. */
function rawPost(
  url: string,
  body: Buffer,
  chunked: boolean,
): Promise<{ status: number; text: string; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(body.length) }) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text,
            requestId: response.headers['x-request-id'] as string | undefined,
          }),
        );
      },
    );
    request.on('error', reject);
    if (chunked)
      for (let offset = 0; offset < body.length; offset += 64 * 1024)
        request.write(body.subarray(offset, offset + 64 * 1024));
    else request.write(body);
    request.end();
  });
}

test('a 10 MB body is answered 413 PAYLOAD_TOO_LARGE (declared or streamed), and the gateway keeps serving', async () => {
  const body = Buffer.from(
    JSON.stringify({ query: `{ __typename }`, variables: { junk: 'x'.repeat(10 * 1024 * 1024) } }),
  );
  for (const chunked of [false, true]) {
    const answer = await rawPost(hub.url, body, chunked);
    expect({ chunked, status: answer.status }).toEqual({ chunked, status: 413 });
    expect(JSON.parse(answer.text)).toEqual({
      errors: [
        {
          message: 'Request body exceeds the limit of 1000000 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'bodyBytes', max: 1_000_000, requestId: answer.requestId },
        },
      ],
    });
  }
  const after = await hub.request('{ institutions { id } }');
  expect(after.body.errors).toBeUndefined();
});

test('a batched request is refused (batches are off by default)', async () => {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ query: '{ institutions { id } }' }, { query: '{ institutions { id } }' }]),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as GraphQLAnswer['body']).errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/^Batched operations are not accepted/),
      extensions: expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'batch' }),
    }),
  );
});

test('introspection and field suggestions: on in development, off in production', async () => {
  const introspection = '{ __schema { queryType { name } } }';
  expect((await hub.request(introspection)).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  const closed = await production.request(introspection);
  expect(closed.body.errors?.[0]?.message).toMatch(/introspection/i);

  const typo = `{ unit(id: "${unitId()}") { titel } }`;
  expect((await hub.request(typo)).body.errors?.[0]?.message).toMatch(/Did you mean "title"/);
  const hidden = await production.request(typo);
  expect(hidden.body.errors?.[0]?.message).toBe('Cannot query field "titel" on type "Unit".');
});
