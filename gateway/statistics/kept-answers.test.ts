import { ApolloServer } from '@apollo/server';
import { keepAnswers } from './kept-answers';

interface Context {
  agency: string;
}

/** A server whose `count` answers how often it was resolved, resting on `current` unless asked not to keep it. */
async function server(state: { current: boolean; resolved: number }) {
  const answers = keepAnswers<Context>({
    keyOf: ({ contextValue, queryHash, request }) =>
      JSON.stringify([contextValue.agency, queryHash, request.variables ?? {}]),
  });
  const apollo = new ApolloServer<Context>({
    typeDefs: 'type Query { count(keep: Boolean = true, fail: Boolean = false, slow: Boolean = false): Int }',
    resolvers: {
      Query: {
        count: async (_root: unknown, args: { keep: boolean; fail: boolean; slow: boolean }, context: Context) => {
          if (args.fail) throw new Error('no count');
          // Still being made when the same request comes again.
          if (args.slow) await new Promise((resolve) => setTimeout(resolve, 50));
          state.resolved += 1;
          answers.restsOn(context, () => state.current);
          if (!args.keep) answers.notKept(context);
          return state.resolved;
        },
      },
    },
    plugins: [answers.plugin],
  });
  await apollo.start();
  const ask = async (query: string, agency = 'viaa.gov.lv') => {
    const response = await apollo.executeOperation({ query }, { contextValue: { agency } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { apollo, answers, ask };
}

describe('keepAnswers', () => {
  it('answers an operation asked again with the data it had while its basis is current', async () => {
    const state = { current: true, resolved: 0 };
    const { apollo, answers, ask } = await server(state);
    const first = await ask('{ count }');
    expect(first.data).toEqual({ count: 1 });
    const again = await ask('{ count }');
    expect(again.data).toBe(first.data);
    expect(state.resolved).toBe(1);
    expect(answers.json({ data: again.data })).toBe('{"data":{"count":1}}\n');
    // Another agency, another answer.
    expect((await ask('{ count }', 'other.example')).data).toEqual({ count: 2 });
    state.current = false;
    expect((await ask('{ count }')).data).toEqual({ count: 3 });
    await apollo.stop();
  });

  it('shares an answer being made with the same requests meanwhile', async () => {
    const state = { current: true, resolved: 0 };
    const { apollo, ask } = await server(state);
    const [first, second] = await Promise.all([ask('{ count(slow: true) }'), ask('{ count(slow: true) }')]);
    expect(second.data).toBe(first.data);
    expect(state.resolved).toBe(1);
    await apollo.stop();
  });

  it('keeps no answer with an error, refused by its resolver, or whose data was never kept', async () => {
    const state = { current: true, resolved: 0 };
    const { apollo, answers, ask } = await server(state);
    expect((await ask('{ count(keep: false) }')).data).toEqual({ count: 1 });
    expect((await ask('{ count(keep: false) }')).data).toEqual({ count: 2 });
    const failed = await ask('{ count(fail: true) }');
    expect(failed.errors).toHaveLength(1);
    expect((await ask('{ a: count b: count(fail: true) }')).errors).toHaveLength(1);
    expect((await ask('{ a: count b: count(fail: true) }')).data).toEqual({ a: 4, b: null });
    expect(answers.json({ data: { count: 2 } })).toBeUndefined();
    await apollo.stop();
  });
});
