import { bulkhead } from 'cockatiel';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../../schema/errors';
import type { HopSigningKey } from '../../platform/hop-keys';
import type { Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { ShardIdentity } from '../health/shard-identity';
import type { Registry } from '../registry/registry';
import { decodeHubCursor, encodeHubCursor } from '../routing/cursor';
import { parseFetch, rootFields } from '../routing/operation';
import type { RoutingTable } from '../routing/routing-table';
import { AsyncQueue } from './async-queue';
import { Feed, type FeedMember, type FeedSource, type Subscriber } from './feed';
import { heldTooLong, resolveHeld } from './hold';
import { idVariable, payloadQuery } from './payload';
import { subscribeUpstream } from './upstream';

export interface SubscribeOptions {
  routing: RoutingTable;
  registry: Registry;
  hopKey: HopSigningKey | null;
  identity?: ShardIdentity;
  /** Runs a query through the supergraph as the subscriber: how each event's payload is resolved. */
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  /** The gateway's API schema once loaded (the event type's name for `__typename`). */
  schema: () => GraphQLSchema | undefined;
  /** Event payloads resolved at once; more wait their turn. */
  maxConcurrentPayloads: number;
  /** How long an event whose payload a shard cannot complete is held (hold.ts) before its subscribers are ended. */
  liveEventHoldMs: number;
  /** When the connection's token expires (ms since the epoch); no event leaves after it. */
  expiresAt: (context: HubContext) => number | undefined;
  /**
   * Asked first for every subscription: an iterator for a root field the gateway serves itself, an error for one it
   * refuses this caller, or undefined for the shards' own. @default none
   */
  local?: (
    field: string,
    args: ExecutionArgs,
    context: HubContext,
  ) => AsyncIterableIterator<ExecutionResult> | ExecutionResult | undefined;
  log: Logger;
}

/**
 * graphql-ws's `subscribe` for the hub: subscribers with the same caller, field, filter and payload selection
 * share a feed (feed.ts): one upstream subscription on every shard of the kind that emits it, each event's
 * payload resolved once through the supergraph as a query by that caller. Each subscriber keeps its own
 * positions (its `after` cursor, or the shards' first events) and catches up privately before joining the feed.
 * Counts the upstream subscriptions it holds open, for this gateway's metrics.
 */
export function createSubscribe(options: SubscribeOptions) {
  const feeds = new Map<string, Feed>();
  const payloads = bulkhead(options.maxConcurrentPayloads, Number.MAX_SAFE_INTEGER);
  let upstreams = 0;
  const counted = (stop: () => void): (() => void) => {
    upstreams += 1;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      upstreams -= 1;
      stop();
    };
  };

  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as HubContext;
    const operation = args.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const [field] = operation
      ? rootFields(
          {
            ...parseFetch('{ __typename }'),
            document: args.document,
            operation,
            type: 'subscription',
            fragments: new Map(),
          },
          variables,
        )
      : [];
    const local = field ? options.local?.(field.name, args, context) : undefined;
    if (local) return local;
    const route = field ? options.routing.subscription.get(field.name) : undefined;
    if (!operation || !field || !route)
      return {
        errors: [
          new GraphQLError('The hub serves subscriptions to one root field at a time', {
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
        ],
      };
    if (!context.caller)
      return {
        errors: [
          new GraphQLError('Subscriptions need a signed-in caller: send a token in connection_init', {
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          }),
        ],
      };
    const argument = (name: string) => {
      const node = field.node.arguments?.find((a) => a.name.value === name)?.value;
      return node ? valueFromASTUntyped(node, variables) : undefined;
    };
    let positions: Record<string, string>;
    try {
      // Members' positions only: every event's cursor hands the positions back.
      const members = new Set(options.registry.shards(route.kind).map((shard) => shard.institution));
      positions = decodeHubCursor(
        argument(route.cursorArgument) as string | null | undefined,
        'after',
        undefined,
        members,
      );
    } catch (error) {
      return { errors: [error as GraphQLError] };
    }
    const payload = payloadQuery(args.document, operation, route, field.node);
    const caller = context.caller;
    const filter = route.filter ? (argument(route.filter.argument) ?? null) : null;
    const payloadVariables = Object.fromEntries(payload.variableNames.map((n) => [n, variables[n]]));
    const source: FeedSource = {
      shards: options.registry.shards(route.kind),
      open: (shard, after, onEvent) =>
        counted(
          subscribeUpstream({
            shard,
            hopKey: options.hopKey,
            identity: options.identity,
            caller,
            requestId: context.requestId,
            field: field.name,
            root: route,
            filter,
            after,
            onEvent,
            onError: (error) =>
              options.log.warn(
                { institution: shard.institution, kind: shard.kind, error: String(error) },
                'upstream subscription interrupted',
              ),
            onForeignEvent: (event) =>
              options.log.warn(
                { institution: shard.institution, kind: shard.kind, cause: 'foreign-items', ...event },
                "shard event dropped: it names another institution's record",
              ),
          }),
        ),
      resolve: async (event, signal) => {
        const query = payload.query;
        if (!query) return { answer: null };
        const ids = Object.fromEntries(Object.entries(event.ids).map(([entity, id]) => [idVariable(entity), id]));
        const resolution = await resolveHeld(
          () => payloads.execute(() => options.execute(query, { ...payloadVariables, ...ids }, context)),
          {
            holdMs: options.liveEventHoldMs,
            signal,
          },
        );
        if ('outage' in resolution && !signal.aborted) {
          options.log.warn(
            { ...resolution.outage, event: event.cursor, holdMs: options.liveEventHoldMs },
            'live event could not be completed within the hold',
          );
        }
        return resolution;
      },
    };
    let member: FeedMember | null = null;
    const queue = new AsyncQueue<ExecutionResult>(() => member?.leave());
    const subscriber: Subscriber = {
      deliver: (_shard, event, answer, reached) => {
        const expiresAt = options.expiresAt(context);
        if (expiresAt !== undefined && Date.now() >= expiresAt) return;
        const result: Record<string, unknown> = { ...(answer?.data ?? {}) };
        for (const selection of field.node.selectionSet?.selections ?? []) {
          if (selection.kind !== Kind.FIELD) continue;
          const key = selection.alias?.value ?? selection.name.value;
          if (selection.name.value === 'cursor') result[key] = encodeHubCursor(reached);
          else if (selection.name.value === 'type') result[key] = event.type;
          else if (selection.name.value === 'occurredAt') result[key] = event.occurredAt;
          else if (selection.name.value === '__typename') result[key] = getEventTypeName(options.schema(), field.name);
        }
        queue.push({
          data: { [field.responseKey]: result },
          ...(answer?.errors?.length ? { errors: answer.errors } : {}),
        });
      },
      // graphql-ws sends a thrown error as the operation's `error` message: the subscription ends with it.
      end: (_shard, outage, reached) =>
        queue.fail(heldTooLong(outage, options.liveEventHoldMs, encodeHubCursor(reached))),
    };
    // Everything the signed hop says about the caller, the field, its filter and the payload selection:
    // subscribers equal in all of these would receive the same events with the same payloads.
    const key = stableJson([caller, field.name, filter, payload.query, payloadVariables]);
    member = feeds.get(key)?.join(positions, subscriber) ?? null;
    if (!member) {
      const feed: Feed = new Feed(source, positions, () => {
        if (feeds.get(key) === feed) feeds.delete(key);
      });
      // When a live feed refused the join (cursors that cannot be compared), this one stays private.
      if (!feeds.get(key)?.size) feeds.set(key, feed);
      member = feed.founder(subscriber);
    }
    return queue;
  };
  return { subscribe, upstreams: () => upstreams };
}

function getEventTypeName(schema: GraphQLSchema | undefined, field: string): string {
  const type = schema?.getSubscriptionType()?.getFields()[field]?.type;
  return type ? String(type).replace(/[![\]]/g, '') : field;
}

/** JSON with object keys sorted, so equal values give equal keys whatever order their fields were set in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : item,
  );
}
