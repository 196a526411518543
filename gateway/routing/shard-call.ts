import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { startSpan } from '../../platform/tracing';
import type { HubContext } from '../context';
import type { Shard } from '../registry/registry';
import { DeadlinePassed, deadlineOf, timeLeft } from '../resilience/deadline';
import type { Resilience } from '../resilience/resilience';
import type { ShardRequest } from './plan';
import type { IncomingOptions } from './shard-client';
import { failureCause, MalformedAnswer, type FailureCause, type ResponseError } from './shard-errors';

/** `shard` is the one the plan filed the call under; `answeredBy` the one that answered, where another stood in. */
export type ShardResult =
  { shard: Shard; response: GatewayGraphQLResponse; answeredBy?: Shard } | { shard: Shard; failure: unknown };

/** What the entity cache did for a call: answered it (`hit`), looked and sent it (`miss`), or had no say (`bypass`). */
export type CacheResult = 'hit' | 'miss' | 'bypass';

/** What a plan runs against: the shards of one request. */
export interface ShardCaller {
  /** Sends one request to one shard; never throws: a call that brought no GraphQL answer comes back as its failure. */
  call(
    shard: Shard,
    request: ShardRequest,
    operation: 'query' | 'mutation',
    cache?: Exclude<CacheResult, 'hit'>,
  ): Promise<ShardResult>;
  /** Tells of a call the entity cache answered in the shard's place (traced as a shard call that hit). */
  cacheHit(shard: Shard): void;
  /** Whether calls to a shard are refused for now (its circuit is open): no stand-in is taken from those. */
  circuitOpen(shard: Shard): boolean;
  /** Whether the request's deadline has passed: no stand-in starts after it. */
  expired(): boolean;
}

/** One finished shard call. */
export interface ShardCallEvent {
  shard: Shard;
  operation: 'query' | 'mutation';
  /** `ok`; `errors` when the shard answered with GraphQL errors; otherwise why its data is missing. */
  outcome: 'ok' | 'errors' | FailureCause;
  durationMs: number;
  requestId: string;
  /** What went wrong, when the call failed. */
  failure?: unknown;
  /** The shard's own GraphQL errors, when it answered with some. */
  errors?: readonly ResponseError[];
}

export interface ShardCallerOptions {
  /** The data source that calls one shard (signing, connection pool, timeout); one per shard. */
  shardSource: (shard: Shard) => GraphQLDataSource<HubContext>;
  /** The request's deadline, counted from its arrival: every shard call of the request, queued or retried, ends by then. */
  timeoutMs: number;
  /** Bulkhead, circuit breaker and retries around every shard call; none: calls go straight out. */
  resilience?: Resilience;
  /** Told about every shard call once it is over (metrics, logs). */
  onShardCall?: (event: ShardCallEvent) => void;
}

/** A body a GraphQL server could have sent: `data` (an object or null) and/or an `errors` list. */
function isGraphQLResponse(response: GatewayGraphQLResponse | null | undefined): boolean {
  if (typeof response !== 'object' || response === null) return false;
  const { data, errors } = response;
  if (data === undefined && errors === undefined) return false;
  return (data === undefined || typeof data === 'object') && (errors === undefined || Array.isArray(errors));
}

const spanAttributes = (shard: Shard) => ({ 'hub.institution': shard.institution, 'hub.kind': shard.kind });

/** The HTTP status a failed call got, when it got one (a shard's non-2xx answer). */
function httpStatusOf(failure: unknown): number | undefined {
  const status = (failure as { extensions?: { response?: { status?: unknown } } } | null)?.extensions?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The real shards for one incoming operation: every call under its shard's bulkhead and breaker (queries
 * retried), by the request's deadline, timed and reported.
 */
export function createShardCaller(options: ShardCallerOptions, incoming: IncomingOptions): ShardCaller {
  const operationName = incoming.request.operationName;
  const deadline = deadlineOf(incoming.context, options.timeoutMs);
  return {
    circuitOpen: (shard) => options.resilience?.circuitOf(shard) === 'open',
    expired: () => timeLeft(deadline) === 0,
    cacheHit: (shard) => {
      const span = startSpan(`${shard.kind} shard call`, {
        kind: 'client',
        parent: incoming.context.trace?.context ?? null,
        attributes: { ...spanAttributes(shard), 'hub.cache': 'hit', 'hub.outcome': 'ok' },
      });
      span.end();
    },
    call: async (shard, { query, variables }, operation, cache = 'bypass') => {
      const source = options.shardSource(shard);
      // The call's span is the parent its shard names (the hop's traceparent).
      const span = startSpan(`${shard.kind} shard call`, {
        kind: 'client',
        parent: incoming.context.trace?.context ?? null,
        attributes: { ...spanAttributes(shard), 'hub.cache': cache },
      });
      const context = { ...incoming.context, trace: span };
      // A fresh request per attempt: RemoteGraphQLDataSource writes `http` (and the signed headers) on the one it gets.
      const attempt = async (): Promise<GatewayGraphQLResponse> => {
        const response = await source.process({ ...incoming, context, request: { query, variables, operationName } });
        if (!isGraphQLResponse(response)) throw new MalformedAnswer();
        return response;
      };
      const started = performance.now();
      let result: ShardResult;
      let status: number | undefined = 200;
      try {
        if (!options.resilience && timeLeft(deadline) === 0) throw new DeadlinePassed();
        result = {
          shard,
          response: options.resilience
            ? await options.resilience.execute(shard, operation, attempt, deadline)
            : await attempt(),
        };
      } catch (error) {
        status = httpStatusOf(error);
        // A shard that answers 4xx/5xx with GraphQL errors still has something to say to the client.
        // Its data counts too: a FORBIDDEN field error can set a 403 on a partly answered request.
        const body = (
          error as { extensions?: { response?: { body?: { data?: unknown; errors?: unknown; extensions?: unknown } } } }
        ).extensions?.response?.body;
        // Its extensions too: a write's change hints must reach the entity cache whatever the status.
        const extensions =
          typeof body?.extensions === 'object' && body.extensions !== null
            ? { extensions: body.extensions as Record<string, unknown> }
            : {};
        result =
          body && Array.isArray(body.errors)
            ? {
                shard,
                response: {
                  data: (body.data as Record<string, unknown> | null | undefined) ?? null,
                  errors: body.errors as ResponseError[],
                  ...extensions,
                },
              }
            : { shard, failure: error };
      }
      const errors = 'response' in result ? (result.response.errors as ResponseError[] | undefined) : undefined;
      const outcome =
        'failure' in result ? failureCause(result.failure) : errors && errors.length > 0 ? 'errors' : 'ok';
      span.setAttributes({
        'hub.outcome': outcome,
        ...(status === undefined ? {} : { 'http.response.status_code': status }),
      });
      span.end('failure' in result ? outcome : undefined);
      if (options.onShardCall) {
        options.onShardCall({
          shard,
          operation,
          outcome,
          durationMs: performance.now() - started,
          requestId: incoming.context.requestId,
          ...('failure' in result ? { failure: result.failure } : {}),
          ...(errors && errors.length > 0 ? { errors } : {}),
        });
      }
      return result;
    },
  };
}
