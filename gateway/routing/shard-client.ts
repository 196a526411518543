import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Pool } from 'undici';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop } from '../../platform/signed-hop';
import { traceHeaders } from '../../platform/tracing';
import type { HubContext } from '../context';
import { BUDGET_HEADER } from '../../platform/budget';
import { deadlineOf, timeLeft, withDeadline } from '../resilience/deadline';
import { isTimeout } from '../resilience/resilience';
import type { ShardIdentity } from '../health/shard-identity';
import type { Shard } from '../registry/registry';
import { MalformedAnswer } from './shard-errors';
import { readWithinCaps, type AnswerCaps } from '../resilience/json-values';
import { ONE_STEP_VALUES, parseInTurns } from '../resilience/json-turns';

/** `GraphQLDataSourceRequestKind` is a type only: the incoming-operation branch is picked by its string. */
export type IncomingOptions = Extract<GraphQLDataSourceProcessOptions<HubContext>, { incomingRequestContext: unknown }>;

/** A fetch made for a client's operation (not the gateway's own health check or schema load). */
export function isIncomingOperation(options: GraphQLDataSourceProcessOptions<HubContext>): options is IncomingOptions {
  return (options.kind as string) === 'incoming operation';
}

export interface ShardClientOptions {
  /**
   * The request's deadline, counted from its arrival (`HubContext.receivedAt`): a shard call gets what is left of
   * it, then its data is given up (GATEWAY_TIMEOUT). Health checks and schema loads get all of it.
   */
  timeoutMs: number;
  /** Most connections kept open to one shard. */
  connectionsPerShard: number;
  /** The hub's private key that signs hops; null sends calls unsigned (public data only). */
  hopKey: HopSigningKey | null;
  /** Checks that a registry shard is the one this hub was configured for before calling it; without it, no check. */
  identity?: ShardIdentity;
  /**
   * Whether a query sent to a shard while the very same one (same shard, caller, text and variables) is on its
   * way there waits for that one's answer instead of being sent again (see {@link ShardSource}). @default true
   */
  shareInflight?: boolean;
  /** Most bytes read of one answer; past them the call fails (cause `too-large`). @default 8 MiB */
  maxAnswerBytes?: number;
  /** Most JSON values parsed of one answer (as resilience/json-values.ts counts them); past them the call fails (cause `too-large`). @default 100,000 */
  maxAnswerValues?: number;
}

export const DEFAULT_SHARD_TIMEOUT_MS = 5_000;
/** What an expired `AbortSignal.timeout` says, as the platform words it. */
const TIMEOUT_MESSAGE = 'The operation was aborted due to timeout';
export const DEFAULT_CONNECTIONS_PER_SHARD = 32;
/**
 * Most bytes the hub reads of one shard's answer (`MAX_SHARD_ANSWER_BYTES`): a member's shard that answers without
 * end (broken, or hostile) costs its data, cut at this size, not the hub's memory. Even a string costs some 5 ms a
 * MiB to copy and parse, so this bounds a parse's share of bytes too.
 * Generous: the demo's 37 units with every field, outcome and criterion are 141 KB.
 */
export const DEFAULT_MAX_SHARD_ANSWER_BYTES = 8 * 1024 * 1024;
/**
 * Most JSON values the hub parses of one shard's answer (`MAX_SHARD_ANSWER_VALUES`), counted as the answer arrives.
 * A parse's cost is its values more than its bytes: 100,000 values of the costliest shapes measured (small objects
 * each under a key of its own, one object of as many keys, objects nested in one another) take 30–40 ms to parse, 70
 * at worst of five runs, on a 2-core Intel Xeon, where 16 MiB of such JSON held the event loop 2 s; an answer just
 * under both caps held it 75–85 ms (npm run bench -- hostile-answers). A legitimate answer holds about one value per
 * field of each object it returns: the demo's 37 units with every field, outcome and criterion hold 4,122 (111 a
 * unit), and no answer in the tests holds 2,000. A page of 100 agreements of four units each has one entity call
 * bring 400 units, some 45,000 values at that rate (npm run bench -- nested reads such pages without an error).
 */
export const DEFAULT_MAX_SHARD_ANSWER_VALUES = 100_000;

/** How the hub connects to one shard origin: kept alive, one request per connection at a time, answers bounded. */
export function shardPoolOptions(
  connections: number,
  maxAnswerBytes: number = DEFAULT_MAX_SHARD_ANSWER_BYTES,
): Pool.Options {
  return { connections, keepAliveTimeout: 30_000, pipelining: 1, maxResponseSize: maxAnswerBytes };
}

/**
 * A shard's non-2xx answer, in the shape RemoteGraphQLDataSource gives it (`extensions.response`): the
 * resilience policies read the status, and the routing reads GraphQL errors from the body.
 */
export class ShardHttpError extends Error {
  readonly extensions: { response: { status: number; body: unknown } };

  constructor(status: number, body: unknown) {
    super(`${status}: the shard answered HTTP ${status}`);
    this.name = 'ShardHttpError';
    this.extensions = { response: { status, body } };
  }
}

/** A shard's HTTP answer before it is parsed: each caller that shares it parses its own copy. */
interface RawAnswer {
  statusCode: number;
  text: string;
  /** Its JSON values, as counted while it arrived; for an answer too small to count, its bytes (no fewer). */
  values: number;
}

/** Queries only: a mutation, or any call that carries an Idempotency-Key, is always sent on its own. */
const QUERY_TEXT = /^\s*(?:query\b|\{)/;

function isQuery(text: string | undefined): boolean {
  return text !== undefined && QUERY_TEXT.test(text);
}

/**
 * How many writes this hub has seen answered, over all shards: a write to one shard can change what another
 * answers (a shard reads its partners through the hub), so one count serves them all. Writes are rare beside
 * reads; each one only stops later reads from joining the exchanges already in flight.
 */
interface WriteCounter {
  answered: number;
}

/**
 * What makes two calls to one shard the same call: the caller the hop vouches for (the shard applies its party
 * rules to it), the operation and its variables. Null for a call that is never shared.
 */
function sharingKey(
  context: HubContext | null,
  request: GraphQLDataSourceProcessOptions<HubContext>['request'],
): string | null {
  if (!context || context.idempotency || !isQuery(request.query)) return null;
  const caller = context.caller ? JSON.stringify(context.caller) : '';
  return `${caller}\u0000${request.operationName ?? ''}\u0000${request.query}\u0000${JSON.stringify(request.variables ?? {})}`;
}

/**
 * One shard's data source: a POST on an undici connection pool, signed for the caller (the gateway half of
 * the hop). Written for the hub's hot path rather than on RemoteGraphQLDataSource: no WHATWG
 * Request/Headers/streams per call, the body written in one piece.
 *
 * Identical queries in flight at once share one exchange (as Hive Gateway does by default): a call finds the
 * same query for the same caller already on its way to this shard and waits for that answer, so N clients
 * reading the same thing at the same moment cost the shard one read and the hub one signature. Only the HTTP
 * text is shared; each call parses its own answer, so no request sees another's objects. Each shared call still
 * passes its own bulkhead, breaker, deadline, metrics and span (shard-call.ts): it is the wire exchange that is
 * shared, under the first call's hop, trace context and deadline; a call whose shared exchange is cut at that
 * deadline while it still has time of its own sends its own.
 */
class ShardSource implements GraphQLDataSource<HubContext> {
  private readonly path: string;
  private readonly inflight = new Map<string, { answer: Promise<RawAnswer>; writesSeen: number }>();

  constructor(
    private readonly pool: Pool,
    url: URL,
    private readonly hopKey: HopSigningKey | null,
    private readonly audience: string,
    private readonly timeoutMs: number,
    /** The registry shard behind this source and its identity check; null for a kind without shards. */
    private readonly checked: { shard: Shard; identity: ShardIdentity } | null,
    private readonly shareInflight: boolean,
    /** Writes answered through this hub so far, over every shard (see {@link WriteCounter}). */
    private readonly writes: WriteCounter,
    private readonly caps: AnswerCaps,
  ) {
    this.path = `${url.pathname}${url.search}`;
  }

  async process(options: GraphQLDataSourceProcessOptions<HubContext>): Promise<GatewayGraphQLResponse> {
    if (!this.checked) return this.send(options);
    await this.checked.identity.assert(this.checked.shard);
    try {
      return await this.send(options);
    } catch (error) {
      // A failing shard may have been replaced by another at its URL: ask who it is before the next call.
      this.checked.identity.forget(this.checked.shard);
      throw error;
    }
  }

  private async send(options: GraphQLDataSourceProcessOptions<HubContext>): Promise<GatewayGraphQLResponse> {
    const context = isIncomingOperation(options) ? options.context : null;
    const key = this.shareInflight ? sharingKey(context, options.request) : null;
    const inflight = key === null ? undefined : this.inflight.get(key);
    // A read sent before a write was answered may not have seen it: a call made after that answer never joins it.
    const joined = inflight && inflight.writesSeen === this.writes.answered ? inflight.answer : undefined;
    let raw: RawAnswer;
    if (!joined) raw = await this.start(options, context, key);
    else {
      try {
        raw = await joined;
      } catch (error) {
        // The exchange joined ran out of the first caller's time, not this one's: with time left, it goes itself.
        if (!isTimeout(error) || !context || timeLeft(deadlineOf(context, this.timeoutMs)) === 0) throw error;
        raw = await this.start(options, context, key);
      }
    }
    const { statusCode, text, values } = raw;
    let body: unknown;
    try {
      body = await parseInTurns(text, values);
    } catch {
      if (statusCode >= 200 && statusCode < 300) throw new MalformedAnswer();
      body = text;
    }
    if (statusCode < 200 || statusCode >= 300) throw new ShardHttpError(statusCode, body);
    return body as GatewayGraphQLResponse;
  }

  /** Sends a call, filed for sharing under `key` while it is on its way; a write is counted once answered. */
  private start(
    options: GraphQLDataSourceProcessOptions<HubContext>,
    context: HubContext | null,
    key: string | null,
  ): Promise<RawAnswer> {
    const exchange = this.exchange(options, context);
    if (key !== null) {
      const shared = { answer: exchange, writesSeen: this.writes.answered };
      this.inflight.set(key, shared);
      const forget = () => {
        if (this.inflight.get(key) === shared) this.inflight.delete(key);
      };
      exchange.then(forget, forget);
    } else if (!isQuery(options.request.query)) {
      const counted = () => {
        this.writes.answered += 1;
      };
      exchange.then(counted, counted);
    }
    return exchange;
  }

  /** One signed POST to the shard, read to its end. */
  private async exchange(
    options: GraphQLDataSourceProcessOptions<HubContext>,
    context: HubContext | null,
  ): Promise<RawAnswer> {
    const { request } = options;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(context?.trace ? traceHeaders(context.trace.context) : {}),
    };
    if (this.hopKey) {
      Object.assign(
        headers,
        await signHop({
          key: this.hopKey,
          audience: this.audience,
          caller: context?.caller ?? null,
          requestId: context?.requestId ?? 'health',
          operation: { query: request.query ?? '', variables: request.variables ?? null },
          idempotency: context?.idempotency ?? null,
          batch: this.checked?.identity.acceptsHopBatches(this.checked.shard) ?? false,
        }),
      );
    }
    const timeoutMs = context ? timeLeft(deadlineOf(context, this.timeoutMs)) : this.timeoutMs;
    // The shard learns how long this call will be waited for: what it asks the hub in turn ends inside it.
    headers[BUDGET_HEADER] = String(timeoutMs);
    // The deadline covers the whole call, waiting for a pooled connection included (undici's own timers
    // start only once the request is on a socket), and whatever the request waited before it.
    return withDeadline(
      timeoutMs,
      () => new DOMException(TIMEOUT_MESSAGE, 'TimeoutError'),
      async (signal) => {
        const response = await this.pool.request({
          path: this.path,
          method: 'POST',
          headers,
          body: JSON.stringify({
            query: request.query,
            variables: request.variables,
            operationName: request.operationName,
          }),
          signal,
        });
        const { text, values } = await readWithinCaps(response.body, this.caps);
        return { statusCode: response.statusCode, text, values };
      },
    );
  }
}

/**
 * One data source per shard URL, on one undici pool per shard origin with a cap on connections, and a
 * deadline on every call: a shard that hangs costs its data, not the gateway's sockets.
 */
export function createShardClients(options: ShardClientOptions): {
  sourceFor: (shard: Shard) => GraphQLDataSource<HubContext>;
  close: () => Promise<void>;
} {
  const pools = new Map<string, Pool>();
  const sources = new Map<string, ShardSource>();
  const writes: WriteCounter = { answered: 0 };
  const caps: AnswerCaps = {
    maxBytes: options.maxAnswerBytes ?? DEFAULT_MAX_SHARD_ANSWER_BYTES,
    maxValues: options.maxAnswerValues ?? DEFAULT_MAX_SHARD_ANSWER_VALUES,
    // Only whether an answer parses in one step matters here, which its bytes tell for most answers.
    uncountedBytes: ONE_STEP_VALUES,
  };
  return {
    sourceFor: (shard) => {
      const key = `${shard.url}\u0000${shard.institution}`;
      let source = sources.get(key);
      if (!source) {
        const url = new URL(shard.url);
        let pool = pools.get(url.origin);
        if (!pool) {
          pool = new Pool(url.origin, shardPoolOptions(options.connectionsPerShard, options.maxAnswerBytes));
          pools.set(url.origin, pool);
        }
        const checked = options.identity && shard.institution !== '' ? { shard, identity: options.identity } : null;
        source = new ShardSource(
          pool,
          url,
          options.hopKey,
          hopAudience(shard.kind, shard.institution),
          options.timeoutMs,
          checked,
          options.shareInflight ?? true,
          writes,
          caps,
        );
        sources.set(key, source);
      }
      return source;
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
