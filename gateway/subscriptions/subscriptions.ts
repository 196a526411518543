import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode } from '../../schema/errors';
import type { Caller } from '../../subgraphs/shared/caller';
import { moduleLogger } from '../../subgraphs/shared/logger';
import type { HubContext } from '../context';
import type { Registry, Shard } from '../registry/registry';
import { decodeHubCursor, encodeHubCursor } from '../routing/cursor';
import { parseFetch, rootFields, subOperation } from '../routing/operation';
import { AsyncQueue } from './async-queue';
import { subscriptionRoutes, type SubscriptionRoute } from './routes';
import { subscribeUpstream, type UpstreamEvent } from './upstream';

export interface SubscriptionsOptions {
  /** The gateway's HTTP server: subscriptions share its port and its /graphql path (WebSocket upgrade). */
  server: Server;
  supergraphSdl: string;
  registry: Registry;
  /** The gateway's API schema once loaded, to validate subscriptions against. */
  schema: () => GraphQLSchema | undefined;
  /** Checks the token sent in `connection_init` (`{ authorization: "Bearer …" }`). */
  authenticate: (authorization: string | undefined) => Promise<Caller | null>;
  secretFor: (shard: Shard) => string | null;
  /** Runs a query through the supergraph as the subscriber: how each event's payload is resolved. */
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  /** Browser origins allowed to open a socket besides the hub's own pages; `*` or null allows any. @default null */
  allowedOrigins?: readonly string[] | null;
  /** @default 20 */
  maxSubscriptionsPerConnection?: number;
  /** @default 1000 */
  maxConnectionsPerInstitution?: number;
}

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;
export const DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION = 1_000;

interface ConnectionState {
  context: HubContext;
  subscriptions: number;
}

const idVariable = (field: string) => `__hub_${field}`;

function variableDefinition(name: string): VariableDefinitionNode {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  };
}

/**
 * The query that resolves one event's payload through the supergraph: each entity field the client selected
 * becomes the by-ID root field of its type, with the client's own selection (aliases, fragments, variables).
 */
export function payloadQuery(document: ExecutionArgs['document'], operation: OperationDefinitionNode, route: SubscriptionRoute, field: FieldNode) {
  const selected = (field.selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const entityFields = selected.flatMap((s) => {
    const entity = route.entities.find((e) => e.field === s.name.value);
    if (!entity) return [];
    const node: FieldNode = {
      ...s,
      alias: { kind: Kind.NAME, value: s.alias?.value ?? s.name.value },
      name: { kind: Kind.NAME, value: entity.rootField },
      arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable(entity.field) } } }],
    };
    return [{ node, entity: entity.field }];
  });
  const asQuery: OperationDefinitionNode = { ...operation, operation: 'query' as OperationDefinitionNode['operation'], name: { kind: Kind.NAME, value: 'HubEventPayload' } };
  const fetch = { ...parseFetch('{ __typename }'), document, operation: asQuery, type: 'query' as const, fragments: new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))) };
  const usedEntities = [...new Set(entityFields.map((e) => e.entity))];
  const cut = subOperation(fetch, entityFields.map((e) => e.node), usedEntities.map((e) => variableDefinition(idVariable(e))));
  return { query: entityFields.length > 0 ? cut.query : null, variableNames: cut.variableNames };
}

/**
 * Federated, lossless subscriptions at the gateway over graphql-ws. A subscription opens one upstream
 * subscription on every shard of the kind that emits it, resuming each from its position in the client's
 * cursor; each event's payload is then resolved through the supergraph as a query by the subscriber, so
 * access rules and cross-kind fields work exactly as for queries.
 */
export function useSubscriptions(options: SubscriptionsOptions): { close: () => Promise<void> } {
  const log = moduleLogger('subscriptions');
  const routes = subscriptionRoutes(options.supergraphSdl);
  const perInstitution = new Map<string, number>();
  const connections = new WeakMap<object, ConnectionState>();
  const maxPerConnection = options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  const maxPerInstitution = options.maxConnectionsPerInstitution ?? DEFAULT_MAX_CONNECTIONS_PER_INSTITUTION;
  const sockets = new WebSocketServer({ server: options.server, path: '/graphql' });

  const hubSubscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as HubContext;
    const operation = args.document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const [field] = operation ? rootFields({ ...parseFetch('{ __typename }'), document: args.document, operation, type: 'subscription', fragments: new Map() }, variables) : [];
    const route = field ? routes.get(field.name) : undefined;
    if (!operation || !field || !route) return { errors: [new GraphQLError('The hub serves subscriptions to one root field at a time', { extensions: { code: ErrorCode.BAD_USER_INPUT } })] };
    if (!context.caller) return { errors: [new GraphQLError('Subscriptions need a signed-in caller: send a token in connection_init', { extensions: { code: ErrorCode.UNAUTHENTICATED } })] };
    const argument = (name: string) => {
      const node = field.node.arguments?.find((a) => a.name.value === name)?.value;
      return node ? valueFromASTUntyped(node, variables) : undefined;
    };
    let positions: Record<string, string>;
    try {
      positions = decodeHubCursor(argument('after') as string | null | undefined);
    } catch (error) {
      return { errors: [error as GraphQLError] };
    }
    const payload = payloadQuery(args.document, operation, route, field.node);
    const caller = context.caller;
    const stops: Array<() => void> = [];
    const queue = new AsyncQueue<ExecutionResult>(() => stops.forEach((stop) => stop()));
    // Events are resolved one after another, so a subscriber sees each shard's events in order.
    let chain = Promise.resolve();
    const deliver = (shard: Shard, event: UpstreamEvent) => {
      chain = chain.then(async () => {
        positions = { ...positions, [shard.institution]: event.cursor };
        const result: Record<string, unknown> = {};
        let errors: readonly GraphQLError[] | undefined;
        if (payload.query) {
          const ids = Object.fromEntries(Object.entries(event.ids).map(([entity, id]) => [idVariable(entity), id]));
          const answer = await options.execute(payload.query, { ...Object.fromEntries(payload.variableNames.map((n) => [n, variables[n]])), ...ids }, context);
          Object.assign(result, answer.data ?? {});
          errors = answer.errors;
        }
        for (const selection of field.node.selectionSet?.selections ?? []) {
          if (selection.kind !== Kind.FIELD) continue;
          const key = selection.alias?.value ?? selection.name.value;
          if (selection.name.value === 'cursor') result[key] = encodeHubCursor(positions);
          else if (selection.name.value === 'type') result[key] = event.type;
          else if (selection.name.value === 'occurredAt') result[key] = event.occurredAt;
          else if (selection.name.value === '__typename') result[key] = getEventTypeName(options.schema(), field.name);
        }
        queue.push({ data: { [field.responseKey]: result }, ...(errors?.length ? { errors } : {}) });
      });
    };
    for (const shard of options.registry.shards(route.kind)) {
      stops.push(
        subscribeUpstream({
          shard,
          secret: options.secretFor(shard),
          caller,
          requestId: context.requestId,
          field: field.name,
          entityFields: route.entities.map((e) => e.field),
          filter: argument('filter') ?? null,
          after: positions[shard.institution] ?? null,
          onEvent: (event) => deliver(shard, event),
          onError: (error) => log.warn({ institution: shard.institution, kind: shard.kind, error: String(error) }, 'upstream subscription interrupted'),
        }),
      );
    }
    return queue;
  };

  const disposable = useServer<Record<string, unknown>>(
    {
      schema: () => options.schema() as GraphQLSchema,
      onConnect: async (ctx) => {
        if (!originAllowed(ctx.extra.request, options.allowedOrigins ?? null)) return false;
        const params = ctx.connectionParams ?? {};
        let caller: Caller | null;
        try {
          caller = await options.authenticate(typeof params.authorization === 'string' ? params.authorization : undefined);
        } catch {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        if (caller) {
          const open = perInstitution.get(caller.institution) ?? 0;
          if (open >= maxPerInstitution) {
            ctx.extra.socket.close(CloseCode.Forbidden, `Too many connections for ${caller.institution}`);
            return false;
          }
          perInstitution.set(caller.institution, open + 1);
        }
        connections.set(ctx, { context: { requestId: requestIdOf(ctx.extra.request), caller, receivedAt: performance.now() }, subscriptions: 0 });
        return true;
      },
      onClose: (ctx) => {
        const caller = connections.get(ctx)?.context.caller;
        if (caller) perInstitution.set(caller.institution, Math.max(0, (perInstitution.get(caller.institution) ?? 1) - 1));
      },
      onSubscribe: (ctx) => {
        const state = connections.get(ctx);
        if (state && state.subscriptions >= maxPerConnection) {
          return [new GraphQLError(`At most ${maxPerConnection} subscriptions per connection`, { extensions: { code: 'LIMIT_EXCEEDED' } })];
        }
        if (state) state.subscriptions += 1;
        return undefined;
      },
      onComplete: (ctx) => {
        const state = connections.get(ctx);
        if (state) state.subscriptions = Math.max(0, state.subscriptions - 1);
      },
      context: (ctx) => connections.get(ctx)?.context ?? { requestId: randomUUID(), caller: null, receivedAt: performance.now() },
      subscribe: hubSubscribe as never,
    },
    sockets,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/** Sockets from non-browser clients (no Origin) and from the hub's own pages are always let in. */
function originAllowed(request: IncomingMessage, allowed: readonly string[] | null): boolean {
  const origin = request.headers.origin;
  if (!origin || allowed === null || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' ? header : randomUUID();
}

function getEventTypeName(schema: GraphQLSchema | undefined, field: string): string {
  const type = schema?.getSubscriptionType()?.getFields()[field]?.type;
  return type ? String(type).replace(/[!\[\]]/g, '') : field;
}
