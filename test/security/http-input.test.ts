import { expectOnly, RENAME, shardState, unitId, useAttemptHub, type Answer } from './http-attempts';

/**
 * Malformed HTTP input — encodings, content types, operation names, cursors, a reused Idempotency-Key — is
 * refused with its exact code, and nothing is written: the shard's units and audit trail are as they were.
 */
const target = useAttemptHub();

async function send(
  body: string | Buffer | null,
  headers: Record<string, string> = {},
  path = '/graphql',
  method = body === null ? 'GET' : 'POST',
): Promise<Answer> {
  const response = await fetch(new URL(path, target.hub.url), {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.coordinator}`, ...headers },
    ...(body === null ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
}

const rename = (title: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query: RENAME, variables: { id: unitId(), title }, ...extra });

/** The attempt is refused with one error of `code` (and `extensions`), nothing changed, `shardCalls` shards called. */
async function refused(
  attempt: () => Promise<Answer>,
  status: number,
  code: string,
  extensions: Record<string, unknown> = {},
  message?: RegExp,
  shardCalls = 0,
): Promise<Answer> {
  const before = await shardState(target.hub);
  const answer = await attempt();
  expect(await shardState(target.hub)).toEqual({ ...before, shardCalls: before.shardCalls + shardCalls });
  expect(answer.body.data ?? null).toBeNull();
  expectOnly(answer, status, code, extensions, message);
  return answer;
}

describe('encodings', () => {
  test('a body that is not UTF-8 is refused, not stored with U+FFFD', async () => {
    const json = Buffer.from(rename('Welding XX'), 'utf8');
    const at = json.indexOf('XX');
    for (const bad of [
      [0xff, 0xfe],
      [0xc0, 0xaf],
      [0xed, 0xa0],
    ]) {
      const body = Buffer.from(json);
      body[at] = bad[0] as number;
      body[at + 1] = bad[1] as number;
      await refused(
        () => send(body),
        400,
        'BAD_USER_INPUT',
        { field: 'body' },
        /^The request body is not valid UTF-8$/,
      );
    }
  });

  test('a lone surrogate in the body (a \\uD800 escape) is refused, naming where it is', async () => {
    const answer = await refused(
      () => send(rename('Welding \ud800 unit')),
      400,
      'BAD_USER_INPUT',
      { field: 'body.variables.title' },
      /lone surrogate/,
    );
    expect(answer.text).not.toContain('Welding');
    await refused(
      () => send(JSON.stringify({ query: '{ __typename }', variables: { ['\udc00']: 1 } })),
      400,
      'BAD_USER_INPUT',
      { field: 'body.variables' },
    );
  });

  test('bad percent-encoding or a lone surrogate in the URL is 400, not 500 (downloads included)', async () => {
    await refused(
      () => send(null, {}, '/documents/transcript/%E0%A4%A.xml'),
      400,
      'BAD_USER_INPUT',
      { field: 'URL path' },
      /not valid percent-encoded UTF-8/,
    );
    await refused(() => send(null, {}, '/documents/transcript/rvt.lv%3AT-%ED%A0%80.xml'), 400, 'BAD_USER_INPUT', {
      field: 'URL path',
    });
    await refused(
      () => send(null, { 'apollo-require-preflight': 'true' }, '/graphql?query=%E0%A4%A'),
      400,
      'BAD_USER_INPUT',
      { field: 'query string' },
    );
    await refused(
      () =>
        send(
          null,
          { 'apollo-require-preflight': 'true' },
          `/graphql?query=${encodeURIComponent('{ __typename }')}&x=%ED%A0%80`,
        ),
      400,
      'BAD_USER_INPUT',
      { field: 'query string' },
    );
    await refused(() => send(rename('By POST'), {}, '/graphql?%zz'), 400, 'BAD_USER_INPUT', { field: 'query string' });
    const escaped = `/graphql?query=${encodeURIComponent('query($t: String) { __typename }')}&variables=${encodeURIComponent('{"t":"\\ud800"}')}`;
    await refused(
      () => send(null, { 'apollo-require-preflight': 'true' }, escaped),
      400,
      'BAD_USER_INPUT',
      { field: 'query string.variables.t' },
      /lone surrogate/,
    );
  });
});

describe('content types', () => {
  test('JSON is read only as application/json in UTF-8', async () => {
    for (const type of ['text/plain', 'application/graphql', 'application/json; charset=latin1', '']) {
      await refused(
        () => send(rename('Typed wrongly'), { 'content-type': type, 'apollo-require-preflight': 'true' }),
        400,
        'BAD_USER_INPUT',
        { field: 'content-type' },
      );
    }
    const typed = await send(JSON.stringify({ query: '{ __typename }' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(typed.body).toEqual({ data: { __typename: 'Query' } });
  });

  test('a body that is not JSON is refused before anything runs', async () => {
    await refused(() => send('{"query": "mutation {"'), 400, 'BAD_REQUEST', {}, /^Request body is not valid JSON$/);
  });
});

describe('operations', () => {
  test('an operationName the document does not define is BAD_USER_INPUT naming operationName', async () => {
    await refused(
      () => send(rename('Renamed', { operationName: 'Other' })),
      400,
      'BAD_USER_INPUT',
      { field: 'operationName' },
      /^operationName "Other" names no operation of the document$/,
    );
    const two = JSON.stringify({
      query: `${RENAME} query Read { __typename }`,
      variables: { id: unitId(), title: 'Renamed' },
    });
    await refused(
      () => send(two),
      400,
      'BAD_USER_INPUT',
      { field: 'operationName' },
      /^operationName is required: the document holds 2 operations$/,
    );
  });

  test('parse and validation errors carry GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED', async () => {
    await refused(() => send(JSON.stringify({ query: 'mutation { updateUnit(id: "x" ' })), 400, 'GRAPHQL_PARSE_FAILED');
    await refused(
      () => send(rename('Renamed').replace('{ id title }', '{ id secret }')),
      400,
      'GRAPHQL_VALIDATION_FAILED',
      {},
      /Cannot query field "secret"/,
    );
  });
});

describe('cursors', () => {
  const QUALIFICATIONS = 'query($after: String) { qualifications(first: 1, after: $after) { edges { node { id } } } }';

  test('a cursor from one list is refused by another, naming both', async () => {
    const units = await target.hub.request('{ units(first: 1) { pageInfo { endCursor } } }');
    const cursor = (units.body.data?.units as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    expect(cursor).toMatch(/^hub1\.units\./);
    const answer = await target.hub.request(QUALIFICATIONS, { after: cursor });
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        message: 'after is a cursor of `units`, not of `qualifications`: a cursor pages only the list that issued it',
        path: ['qualifications'],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
      }),
    ]);
  });

  test('a cursor the target.hub did not issue is BAD_USER_INPUT', async () => {
    for (const after of ['garbage', 'hub1.x.y.z', `hub1.${Buffer.from('[1]').toString('base64url')}`]) {
      const answer = await target.hub.request(QUALIFICATIONS, { after });
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

test('an Idempotency-Key reused with another body is CONFLICT and writes nothing', async () => {
  const headers = { 'idempotency-key': `rename-${Date.now()}` };
  const first = await send(rename('Welding, first name'), headers);
  expect(first.body.errors).toBeUndefined();
  // The owner's shard holds the key's claim, so it is the one that refuses.
  const answer = await refused(
    () => send(rename('Welding, second name'), headers),
    200,
    'CONFLICT',
    { institution: 'rvt.lv' },
    /Idempotency-Key .* was used for a different request/,
    1,
  );
  expect(answer.text).not.toContain('first name');
  const unit = await target.hub.request('query($id: ID!) { unit(id: $id) { title } }', { id: unitId() });
  expect(unit.body.data).toEqual({ unit: { title: 'Welding, first name' } });
});
