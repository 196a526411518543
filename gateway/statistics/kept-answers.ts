import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';

/** What a kept answer was made from: it answers again only while every part says it is still current. */
export type Basis = () => boolean;

/** At most this many answers are kept: the ones asked most recently. */
export const DEFAULT_KEPT_ANSWERS = 32;

export interface KeptAnswersOptions<C extends object> {
  /** What names the answer (caller, operation, variables); null: never kept. */
  keyOf: (request: GraphQLRequestContext<C>) => string | null;
  /** @default DEFAULT_KEPT_ANSWERS */
  maxAnswers?: number;
}

interface Answer {
  data: globalThis.Record<string, unknown>;
  bases: Basis[];
}

interface Record {
  bases: Basis[];
  keep: boolean;
  /** What requests asking the same meanwhile wait for, and its settling (by willSendResponse, which always runs). */
  answer: Promise<Answer | null>;
  settle: (made: Answer | null) => void;
}

const current = (answer: Answer) => answer.bases.every((basis) => basis());

const response = (answer: Answer) => ({
  http: { status: undefined, headers: new HeaderMap() },
  body: { kind: 'single' as const, singleResult: { data: answer.data } },
});

/**
 * Whole answers kept while what they were made from is unchanged. A large grouping (thousands of cells) costs far
 * more in GraphQL execution at the statistics subgraph and in the gateway's reshaping of the result than in the
 * merge; an operation asked again over the same base cells is answered with the data it had, skipping both, and
 * requests for an answer on its way wait for it rather than make it again. An
 * answer is kept only when its resolvers named what it rests on (`restsOn`) and none refused (`notKept`), and it
 * has no error.
 */
export function keepAnswers<C extends object>(
  options: KeptAnswersOptions<C>,
): {
  plugin: ApolloServerPlugin<C>;
  /** The answer of this request rests on `basis`. */
  restsOn(context: C, basis: Basis): void;
  /** The answer of this request must be made afresh next time. */
  notKept(context: C): void;
  /** A kept answer's response text, written once for every request it answers; undefined for any other result. */
  json(result: FormattedExecutionResult): string | undefined;
} {
  const maxAnswers = options.maxAnswers ?? DEFAULT_KEPT_ANSWERS;
  // Insertion order is recency, as in kept-periods.ts.
  const answers = new Map<string, Answer>();
  const making = new Map<string, Promise<Answer | null>>();
  const records = new WeakMap<C, Record>();
  // By the kept data itself: Apollo hands the same object to the response text of every request it answers.
  const texts = new WeakMap<object, string>();
  const keptData = new WeakSet<object>();
  /** Keeps a request's answer if it may be: made by resolvers that named its basis, none refusing, without error. */
  const keep = (key: string, record: Record, body: GraphQLResponse['body']): Answer | null => {
    if (!record.keep || record.bases.length === 0 || body.kind !== 'single') return null;
    const { data, errors } = body.singleResult;
    if (errors || !data) return null;
    const answer = { data, bases: record.bases };
    answers.set(key, answer);
    keptData.add(data);
    for (const oldest of answers.keys()) {
      if (answers.size <= maxAnswers) break;
      answers.delete(oldest);
    }
    return answer;
  };
  return {
    json: (result) => {
      const { data } = result;
      if (!data || result.errors !== undefined || result.extensions !== undefined || !keptData.has(data))
        return undefined;
      let text = texts.get(data);
      if (text === undefined) {
        // As Apollo Server writes a result (runHttpQuery.ts, prettyJSONStringify).
        text = `${JSON.stringify({ data })}\n`;
        texts.set(data, text);
      }
      return text;
    },
    restsOn: (context, basis) => records.get(context)?.bases.push(basis),
    notKept: (context) => {
      const record = records.get(context);
      if (record) record.keep = false;
    },
    plugin: {
      requestDidStart: async () => {
        let key: string | null = null;
        return {
          async responseForOperation(request) {
            key = options.keyOf(request);
            if (key === null) return null;
            const kept = answers.get(key);
            if (kept) {
              answers.delete(key);
              if (current(kept)) {
                answers.set(key, kept);
                return response(kept);
              }
            }
            // The same answer on its way for another request (many clients after a recount): that one is shared.
            const made = making.get(key);
            const shared = made ? await made : null;
            if (shared && current(shared)) return response(shared);
            let settle: (made: Answer | null) => void = () => undefined;
            const answer = new Promise<Answer | null>((resolve) => {
              settle = resolve;
            });
            making.set(key, answer);
            records.set(request.contextValue, { bases: [], keep: true, answer, settle });
            return null;
          },
          async willSendResponse(request) {
            const record = records.get(request.contextValue);
            if (!record || key === null) return;
            records.delete(request.contextValue);
            if (making.get(key) === record.answer) making.delete(key);
            const made = keep(key, record, request.response.body);
            record.settle(made);
          },
        };
      },
    },
  };
}
