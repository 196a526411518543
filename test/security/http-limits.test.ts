import { createHash } from 'node:crypto';
import { startGatewayOver } from '../faults';
import { expectOnly, RENAME, shardState, unitId, useAttemptHub, type Answer } from './http-attempts';

/**
 * Operation and payload limits on HTTP, as an outside scanner (GraphQL Cop) and a hostile client try them: each
 * refusal has its exact code, comes before any shard is called, and a refused write changes nothing.
 */
const target = useAttemptHub();

async function send(
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
  url = target.hub.url,
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
}

async function refusedUntouched(attempt: () => Promise<Answer>, gatewayUrl = target.hub.url): Promise<Answer> {
  const before = await shardState(target.hub, gatewayUrl);
  const answer = await attempt();
  expect(await shardState(target.hub, gatewayUrl)).toEqual(before);
  expect(answer.body.data ?? null).toBeNull();
  return answer;
}

const renameWith = (selection: string) =>
  JSON.stringify({
    query: RENAME.replace('{ id title }', `{ id title ${selection} }`),
    variables: { id: unitId(), title: 'Renamed by an attacker' },
  });

test('alias overloading: 101 `__typename` aliases are counted and refused (GraphQL Cop)', async () => {
  const aliases = Array.from({ length: 101 }, (_, i) => `t${i}: __typename`).join(' ');
  const answer = await refusedUntouched(() => send(JSON.stringify({ query: `{ ${aliases} }` })));
  expectOnly(
    answer,
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { limit: 'aliases', max: 30, found: 101 },
    /^Query alias count 101 exceeds the limit of 30$/,
  );
  const write = await refusedUntouched(() =>
    send(renameWith(Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')), {
      authorization: `Bearer ${target.coordinator}`,
    }),
  );
  expectOnly(write, 400, 'OPERATION_LIMIT_EXCEEDED', { limit: 'aliases', found: 31 });
});

test('directive overloading: unknown directives are one error, however many (GraphQL Cop)', async () => {
  for (const count of [10, 990]) {
    const answer = await refusedUntouched(() =>
      send(JSON.stringify({ query: `query { __typename ${'@aa '.repeat(count)}}` })),
    );
    expectOnly(
      answer,
      400,
      'GRAPHQL_VALIDATION_FAILED',
      {},
      new RegExp(`^Unknown directive "@aa" \\(${count} unknown, misplaced or repeated directives in this operation\\)`),
    );
  }
  const write = await refusedUntouched(() =>
    send(renameWith('@aa @bb'), { authorization: `Bearer ${target.coordinator}` }),
  );
  expectOnly(write, 400, 'GRAPHQL_VALIDATION_FAILED', {}, /^Unknown directive "@aa" \(2 unknown/);
});

test('a non-repeatable directive repeated at one location is one error', async () => {
  const answer = await refusedUntouched(() =>
    send(JSON.stringify({ query: `{ __typename ${'@include(if: true) '.repeat(40)}}` })),
  );
  expectOnly(
    answer,
    400,
    'GRAPHQL_VALIDATION_FAILED',
    {},
    /^The directive "@include" is used more than once at one location \(39 unknown, misplaced or repeated/,
  );
});

test('field duplication: one field repeated past MAX_FIELD_REPEATS is refused (GraphQL Cop)', async () => {
  const answer = await refusedUntouched(() => send(JSON.stringify({ query: `{ ${'__typename '.repeat(500)}}` })));
  expectOnly(
    answer,
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { limit: 'fieldRepeats', max: 10, found: 500 },
    /^Field "__typename" repeated 500 times in one selection exceeds the limit of 10$/,
  );
  const write = await refusedUntouched(() =>
    send(renameWith('id '.repeat(11)), { authorization: `Bearer ${target.coordinator}` }),
  );
  expectOnly(write, 400, 'OPERATION_LIMIT_EXCEEDED', { limit: 'fieldRepeats', found: 12 });
  const fair = await send(JSON.stringify({ query: `{ ${'__typename '.repeat(10)}}` }));
  expect(fair.body).toEqual({ data: { __typename: 'Query' } });
});

test('depth and tokens are refused before any shard, a write with them changes nothing', async () => {
  const nest = (levels: number): string => (levels === 0 ? 'id' : `qualification { units { ${nest(levels - 1)} } }`);
  const deep = await refusedUntouched(() =>
    send(renameWith(`qualification { units { ${nest(6)} } }`), { authorization: `Bearer ${target.coordinator}` }),
  );
  expect(deep.status).toBe(400);
  // A depth bomb is a cost bomb too: both limits are named.
  expect(deep.body.errors?.map((e) => [e.extensions?.code, e.extensions?.limit])).toEqual([
    ['OPERATION_LIMIT_EXCEEDED', 'depth'],
    ['OPERATION_LIMIT_EXCEEDED', 'cost'],
  ]);
  const tokens = await refusedUntouched(() =>
    send(renameWith('__typename '.repeat(2_100)), { authorization: `Bearer ${target.coordinator}` }),
  );
  expectOnly(
    tokens,
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { limit: 'tokens', max: 2_000 },
    /^Query token count exceeds the limit of 2000$/,
  );
});

test('a body over MAX_BODY_BYTES is PAYLOAD_TOO_LARGE (413), declared or streamed, and writes nothing', async () => {
  const big = JSON.stringify({ query: RENAME, variables: { id: unitId(), title: 'x'.repeat(1_100_000) } });
  const answer = await refusedUntouched(() => send(big, { authorization: `Bearer ${target.coordinator}` }));
  expectOnly(answer, 413, 'PAYLOAD_TOO_LARGE', { limit: 'bodyBytes', max: 1_000_000 });
  expect(answer.text).not.toContain('xxxx');
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(big));
      controller.close();
    },
  });
  const streamed = await refusedUntouched(async () => {
    const response = await fetch(target.hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.coordinator}` },
      body: chunks,
      duplex: 'half',
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
  });
  expectOnly(streamed, 413, 'PAYLOAD_TOO_LARGE');
});

test('CSRF: a mutation by GET and a body a page can send without a preflight are refused, nothing written', async () => {
  const query = encodeURIComponent(RENAME);
  const variables = encodeURIComponent(JSON.stringify({ id: unitId(), title: 'By GET' }));
  const get = await refusedUntouched(() =>
    send(
      '',
      { authorization: `Bearer ${target.coordinator}`, 'apollo-require-preflight': 'true' },
      'GET',
      `${target.hub.url}?query=${query}&variables=${variables}`,
    ),
  );
  expect(get.status).toBe(405);
  expect(get.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const form = await refusedUntouched(() =>
      send(renameWith(''), { authorization: `Bearer ${target.coordinator}`, 'content-type': type }),
    );
    expectOnly(
      form,
      400,
      'BAD_USER_INPUT',
      { field: 'content-type' },
      /is not accepted: send the body as application\/json/,
    );
  }
});

describe('automatic persisted queries', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const persisted = (hash: string, query?: string, variables?: Record<string, unknown>) =>
    JSON.stringify({
      ...(query ? { query } : {}),
      ...(variables ? { variables } : {}),
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });

  test("a hash that is not the query's is BAD_USER_INPUT naming the rule, and the write does not run", async () => {
    const variables = { id: unitId(), title: 'Renamed through APQ' };
    const answer = await refusedUntouched(() =>
      send(persisted(sha('{ __typename }'), RENAME, variables), { authorization: `Bearer ${target.coordinator}` }),
    );
    expectOnly(
      answer,
      400,
      'BAD_USER_INPUT',
      { field: 'extensions.persistedQuery.sha256Hash' },
      /does not match query: it must be the SHA-256 of the query text/,
    );
    const malformed = await refusedUntouched(() =>
      send(persisted('not-a-hash', RENAME, variables), { authorization: `Bearer ${target.coordinator}` }),
    );
    expectOnly(
      malformed,
      400,
      'BAD_USER_INPUT',
      { field: 'extensions.persistedQuery.sha256Hash' },
      /64 lowercase hex digits/,
    );
  });

  test('an unknown hash is PERSISTED_QUERY_NOT_FOUND; registered, the hash alone runs the query', async () => {
    const query = '{ institutions { id } }';
    const unknown = await refusedUntouched(() => send(persisted(sha(query))));
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) }),
    ]);
    expect((await send(persisted(sha(query), query))).body.errors).toBeUndefined();
    expect((await send(persisted(sha(query)))).body).toEqual({
      data: { institutions: expect.arrayContaining([{ id: 'rvt.lv' }]) },
    });
  });
});

test('in production the same refusals keep their codes and messages, and reveal no schema', async () => {
  const production = await startGatewayOver(target.hub, {}, { production: true, rateLimit: false });
  try {
    const directives = await refusedUntouched(
      () => send(JSON.stringify({ query: `{ __typename ${'@aa '.repeat(10)}}` }), {}, 'POST', production.url),
      production.url,
    );
    expectOnly(directives, 400, 'GRAPHQL_VALIDATION_FAILED', {}, /^Unknown directive "@aa" \(10 unknown/);
    const aliases = await refusedUntouched(
      () =>
        send(
          JSON.stringify({ query: `{ ${Array.from({ length: 101 }, (_, i) => `t${i}: __typename`).join(' ')} }` }),
          {},
          'POST',
          production.url,
        ),
      production.url,
    );
    expectOnly(aliases, 400, 'OPERATION_LIMIT_EXCEEDED', { limit: 'aliases', found: 101 });
    const hash = createHash('sha256').update('{ __typename }').digest('hex');
    const apq = await refusedUntouched(
      () =>
        send(
          JSON.stringify({
            query: '{ institutions { id } }',
            extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
          }),
          {},
          'POST',
          production.url,
        ),
      production.url,
    );
    expectOnly(apq, 400, 'BAD_USER_INPUT', { field: 'extensions.persistedQuery.sha256Hash' });
  } finally {
    await production.close();
  }
});
