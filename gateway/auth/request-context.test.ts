import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { mintDemoToken } from '../../scripts/token';
import { useLimits } from '../limits/limits';
import { parseRegistry } from '../registry/registry';
import { createRequestContexts } from './request-context';

const SECRET = 'a demo secret long enough for HS256 tokens';
const registry = parseRegistry({
  institutions: [{ code: 'rvt.lv', names: [{ lang: 'en', value: 'RVT' }], country: 'LV', shards: {} }],
});
const request = (headers: Record<string, string> = {}, url = '/graphql') =>
  ({ url, method: 'POST', headers, socket: {} }) as unknown as IncomingMessage;

function contexts() {
  const consumed: Array<[string, number]> = [];
  const built = createRequestContexts({
    registry,
    demoTokenSecret: SECRET,
    requestIdOf: () => 'request-1',
    limits: useLimits({ maxBatchSize: 3 }),
    rateLimit: { consumeInstitution: async (institution, points = 1) => void consumed.push([institution, points]) },
    schema: () => undefined,
  });
  return { ...built, consumed };
}

test('an anonymous request gets its id and no caller, and counts against no institution', async () => {
  const { graphql, consumed } = contexts();
  await expect(graphql(request(), { query: '{ __typename }' })).resolves.toMatchObject({
    requestId: 'request-1',
    caller: null,
  });
  expect(consumed).toEqual([]);
});

test("a signed-in batch counts each of its operations against the caller's institution", async () => {
  const { graphql, download, consumed } = contexts();
  const authorization = `Bearer ${await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'], secret: SECRET })}`;
  const context = await graphql(request({ authorization }), [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
  expect(context.caller).toMatchObject({ institution: 'rvt.lv', roles: ['coordinator'] });
  await download(request({ authorization }, '/documents/transcript/x.json'));
  expect(consumed).toEqual([
    ['rvt.lv', 2],
    ['rvt.lv', 1],
  ]);
});

test('a bad token is UNAUTHENTICATED; a batch over the limit is refused before the token is read', async () => {
  const { graphql, consumed } = contexts();
  const refusal = await graphql(request({ authorization: 'Bearer not-a-token' }), { query: '{ __typename }' }).catch(
    (error: unknown) => error,
  );
  expect(refusal).toBeInstanceOf(GraphQLError);
  expect((refusal as GraphQLError).extensions.code).toBe('UNAUTHENTICATED');
  const batch = Array.from({ length: 4 }, () => ({ query: '{ __typename }' }));
  await expect(graphql(request({ authorization: 'Bearer not-a-token' }), batch)).rejects.toThrow(/batch/i);
  expect(consumed).toEqual([]);
});
