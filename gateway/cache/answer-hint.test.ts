import type { GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { HubContext } from '../context';
import { createAnswerHint } from './answer-hint';

/** Runs the plugin's willSendResponse for one answer and returns the headers it set. */
async function headersOf(
  hint: ReturnType<typeof createAnswerHint>,
  context: HubContext,
  operation: 'query' | 'mutation' = 'query',
  errors = false,
) {
  const listener = (await hint.plugin.requestDidStart?.({} as never)) as GraphQLRequestListener<HubContext>;
  const headers = new HeaderMap();
  const response = {
    http: { headers },
    body: { kind: 'single', singleResult: errors ? { errors: [{ message: 'shard down' }] } : { data: {} } },
  };
  await listener.willSendResponse?.({
    contextValue: context,
    response,
    operation: { operation },
  } as unknown as GraphQLRequestContextWillSendResponse<HubContext>);
  return Object.fromEntries(headers);
}

const context = (): HubContext => ({ requestId: 'r', caller: null, receivedAt: 0 });

test('an answer served only from cached types is public, with what the cache did', async () => {
  const hint = createAnswerHint(30);
  const hits = context();
  hint.tallyOf(hits).hits += 2;
  expect(await headersOf(hint, hits)).toEqual({ 'cache-control': 'public, max-age=30', 'x-hub-cache': 'hit' });
  const mixed = context();
  hint.tallyOf(mixed).hits += 1;
  hint.tallyOf(mixed).misses += 1;
  expect((await headersOf(hint, mixed))['x-hub-cache']).toBe('partial');
});

test('one bypassed call, a partial answer or an answer without cache calls is private; mutations get no hint', async () => {
  const hint = createAnswerHint(0);
  const bypassed = context();
  hint.tallyOf(bypassed).misses += 1;
  hint.tallyOf(bypassed).bypassed += 1;
  expect(await headersOf(hint, bypassed)).toEqual({ 'cache-control': 'private, no-store', 'x-hub-cache': 'bypass' });
  const failed = context();
  hint.tallyOf(failed).hits += 1;
  expect((await headersOf(hint, failed, 'query', true))['x-hub-cache']).toBe('bypass');
  const none = context();
  hint.tallyOf(none);
  expect((await headersOf(hint, none))['cache-control']).toBe('private, no-store');
  const write = context();
  hint.tallyOf(write).hits += 1;
  expect(await headersOf(hint, write, 'mutation')).toEqual({});
  expect(await headersOf(hint, context())).toEqual({});
});
