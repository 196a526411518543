import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { HubContext } from '../context';
import { AsyncQueue } from '../subscriptions/async-queue';

export const LIVE_FIELD = 'ecvetStatisticsChanged';
/** @default for `debounceMs`: writes within this long of each other cost one recount. */
export const DEFAULT_STATISTICS_DEBOUNCE_MS = 500;
/** @default for `refreshMs`: the recount that also catches writes made through another gateway replica. */
export const DEFAULT_STATISTICS_REFRESH_MS = 30_000;

export interface StatisticsLiveOptions {
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  /** @default DEFAULT_STATISTICS_DEBOUNCE_MS */
  debounceMs?: number;
  /** @default DEFAULT_STATISTICS_REFRESH_MS */
  refreshMs?: number;
  /** Told of every mutation this gateway answers, before the recount it schedules. */
  onWrite?: () => void;
}

/** The gateway's own subscriptions: graphql-ws `subscribe` asks this first for every root field (see subscribe.ts). */
export type LocalSubscribe = (
  field: string,
  args: ExecutionArgs,
  context: HubContext,
) => AsyncIterableIterator<ExecutionResult> | ExecutionResult | undefined;

interface LiveFeed {
  query: string;
  variables: Record<string, unknown>;
  context: HubContext;
  subscribers: Set<AsyncQueue<ExecutionResult>>;
  /** The last answer pushed, as JSON: an equal recount pushes nothing. */
  last: string | null;
  /** Subscribers that have had nothing yet: the next recount is theirs whether or not it changed. */
  fresh: Set<AsyncQueue<ExecutionResult>>;
  running: Promise<void> | null;
  again: boolean;
}

const forbidden = (message: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } })],
});

/** The subscription as the query it repeats: `ecvetStatisticsChanged` read as `ecvetStatistics`, under the same key. */
function asQuery(document: DocumentNode): string {
  return print(
    visit(document, {
      OperationDefinition: (node) => ({ ...node, operation: OperationTypeNode.QUERY }),
      Field: (node) =>
        node.name.value === LIVE_FIELD
          ? {
              ...node,
              alias: node.alias ?? { kind: Kind.NAME, value: LIVE_FIELD },
              name: { kind: Kind.NAME, value: 'ecvetStatistics' },
            }
          : undefined,
    }),
  );
}

/**
 * `ecvetStatisticsChanged`: the subscriber's `ecvetStatistics`, pushed when it starts and again whenever a write
 * through this gateway changed it. Every mutation the gateway answers schedules one recount of every live feed
 * `debounceMs` after the first (a burst of decisions costs one); a recount every `refreshMs` catches writes made through other
 * replicas. Subscribers with the same institution, query and variables share a feed and its recounts. Also refuses
 * agency tokens every subscription to records, as the statistics gate refuses their queries.
 */
export function useStatisticsLive(options: StatisticsLiveOptions): {
  subscribe: LocalSubscribe;
  plugin: ApolloServerPlugin<HubContext>;
  stop(): void;
} {
  const debounceMs = options.debounceMs ?? DEFAULT_STATISTICS_DEBOUNCE_MS;
  const feeds = new Map<string, LiveFeed>();
  let pending: NodeJS.Timeout | null = null;

  const recount = (feed: LiveFeed): Promise<void> => {
    if (feed.running) {
      feed.again = true;
      return feed.running;
    }
    feed.running = (async () => {
      do {
        feed.again = false;
        const answer = await options
          .execute(feed.query, feed.variables, feed.context)
          .catch((error: unknown): ExecutionResult => ({ errors: [new GraphQLError(String(error))] }));
        const json = JSON.stringify(answer);
        const changed = json !== feed.last;
        feed.last = json;
        for (const subscriber of changed ? feed.subscribers : feed.fresh) subscriber.push(answer);
        feed.fresh.clear();
      } while (feed.again);
    })().finally(() => {
      feed.running = null;
    });
    return feed.running;
  };
  const recountAll = () => {
    for (const feed of feeds.values()) void recount(feed);
  };
  const refresh = setInterval(recountAll, options.refreshMs ?? DEFAULT_STATISTICS_REFRESH_MS);
  refresh.unref();

  const subscribe: LocalSubscribe = (field, args, context) => {
    const agency = context.caller?.roles.includes('agency') ?? false;
    if (field !== LIVE_FIELD)
      return agency ? forbidden(`An agency token reads aggregates only (${LIVE_FIELD}), not ${field}`) : undefined;
    if (!agency) return forbidden(`Only a national agency subscribes to ${LIVE_FIELD}`);
    const query = asQuery(args.document);
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const key = JSON.stringify([context.caller?.institution, query, variables]);
    let feed = feeds.get(key);
    if (!feed) {
      feed = {
        query,
        variables,
        context,
        subscribers: new Set(),
        fresh: new Set(),
        last: null,
        running: null,
        again: false,
      };
      feeds.set(key, feed);
    }
    const joined = feed;
    const queue: AsyncQueue<ExecutionResult> = new AsyncQueue(() => {
      joined.subscribers.delete(queue);
      joined.fresh.delete(queue);
      if (joined.subscribers.size === 0 && feeds.get(key) === joined) feeds.delete(key);
    });
    joined.subscribers.add(queue);
    // The current aggregates first, for this subscriber alone unless they changed for everyone.
    if (joined.last !== null && !joined.running) queue.push(JSON.parse(joined.last) as ExecutionResult);
    else {
      joined.fresh.add(queue);
      void recount(joined);
    }
    return queue;
  };

  const plugin: ApolloServerPlugin<HubContext> = {
    requestDidStart: async () => ({
      async willSendResponse({ operation }) {
        if (operation?.operation !== OperationTypeNode.MUTATION) return;
        options.onWrite?.();
        if (feeds.size === 0) return;
        // The first write of a burst schedules the recount; the rest of the burst rides on it.
        if (pending) return;
        pending = setTimeout(() => {
          pending = null;
          recountAll();
        }, debounceMs);
      },
    }),
  };

  return {
    subscribe,
    plugin,
    stop: () => {
      clearInterval(refresh);
      if (pending) clearTimeout(pending);
      feeds.clear();
    },
  };
}
