import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop, SUBSCRIPTION_HOP_OPERATION } from '../../platform/signed-hop';
import type { Caller } from '../../platform/caller';
import { ownerOf } from '../../schema/ids';
import type { ShardIdentity } from '../health/shard-identity';
import type { Shard } from '../registry/registry';
import type { SubscriptionRoot } from '../routing/routing-table';

export interface UpstreamEvent {
  cursor: string;
  type: string;
  occurredAt: string;
  /** Hub IDs of the records the event carries, by field name (e.g. assessment, learningAgreement). */
  ids: Record<string, string>;
}

export interface UpstreamOptions {
  shard: Shard;
  hopKey: HopSigningKey | null;
  /** Refuses a shard that proves to be another hub's before a socket is opened on it (retried like a shard that is down). */
  identity?: ShardIdentity;
  caller: Caller;
  requestId: string;
  field: string;
  /** The field's arguments and entity fields (each asked for with `{ id }`), from the routing table. */
  root: SubscriptionRoot;
  /** The filter argument's value, passed on as the subscriber gave it. */
  filter: unknown;
  /** The shard's own cursor to resume after. */
  after: string | null;
  onEvent: (event: UpstreamEvent) => void;
  /** A shard that cannot be reached is retried; this reports each failure. */
  onError: (error: unknown) => void;
  /** An event dropped because it names a record of another institution than the shard's (own-items). */
  onForeignEvent: (event: { cursor: string; type: string; field: string; id: string }) => void;
  /** @default 500 ms, doubling up to 10 s */
  retryDelayMs?: number;
}

/**
 * What the hub asks a shard for: the events after a cursor, through the filter the subscriber gave (its argument
 * and input type as the supergraph names them), with only the IDs of the event's entities.
 */
export function upstreamQuery(field: string, root: SubscriptionRoot): string {
  const filter = root.filter
    ? { definition: `, $filter: ${root.filter.type}`, argument: `, ${root.filter.argument}: $filter` }
    : { definition: '', argument: '' };
  const entities = root.entities.map((entity) => `${entity.field} { id }`).join(' ');
  return `subscription HubEvents($after: String${filter.definition}) {
    ${field}(${root.cursorArgument}: $after${filter.argument}) { cursor type occurredAt ${entities} }
  }`;
}

/**
 * Most bytes of one message from a shard's socket: an event is a cursor, a type, a time and a few IDs. ws allows
 * 100 MiB by default; a longer message closes the socket (1009), and the subscription resumes as after a drop.
 */
export const MAX_UPSTREAM_MESSAGE_BYTES = 64 * 1024;

/** Most characters of a dropped event's values that its log line shows. */
const SHOWN_CHARS = 200;

/** The socket the hub opens on a shard, its messages bounded (graphql-ws constructs it with a URL and protocol). */
class ShardSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { maxPayload: MAX_UPSTREAM_MESSAGE_BYTES });
  }
}

/**
 * One subscription on one shard, resumed from the last cursor received whenever the connection drops:
 * the shard replays what was missed, so nothing is lost and nothing repeats.
 */
export function subscribeUpstream(options: UpstreamOptions): () => void {
  let after = options.after;
  let closed = false;
  let client: Client | null = null;
  let stop: (() => void) | null = null;
  let delay = options.retryDelayMs ?? 500;
  const { root } = options;
  const entityFields = root.entities.map((entity) => entity.field);
  const query = upstreamQuery(options.field, root);

  const connect = async () => {
    if (closed) return;
    try {
      await options.identity?.assert(options.shard);
    } catch (error) {
      options.onError(error);
      retry();
      return;
    }
    if (closed) return;
    const url = options.shard.url.replace(/^http/, 'ws');
    client = createClient({
      url,
      webSocketImpl: ShardSocket,
      lazy: false,
      retryAttempts: 0,
      // The subscription's `error` below reports the same failure (to the hub's log); graphql-ws would also print it.
      onNonLazyError: () => undefined,
      connectionParams: async () =>
        options.hopKey
          ? signHop({
              key: options.hopKey,
              audience: hopAudience(options.shard.kind, options.shard.institution),
              caller: options.caller,
              requestId: options.requestId,
              operation: SUBSCRIPTION_HOP_OPERATION,
            })
          : {},
    });
    stop = client.subscribe<Record<string, Record<string, unknown>>>(
      { query, variables: { ...(root.filter ? { filter: options.filter ?? null } : {}), after } },
      {
        next: (result) => {
          const event = result.data?.[options.field];
          if (!event) {
            options.onError(new Error(result.errors?.map((e) => e.message).join('; ') ?? 'empty event'));
            return;
          }
          delay = options.retryDelayMs ?? 500;
          after = String(event.cursor);
          const ids: Record<string, string> = {};
          for (const field of entityFields) {
            const id = (event[field] as { id?: unknown } | undefined)?.id;
            ids[field] = typeof id === 'string' ? id : '';
          }
          // A shard's events are about its own institution's records (an agreement and its assessments live with
          // the sending institution, a decision with the decider): one naming another member's would tell that
          // member's partners of a change it never made. It is dropped, and the feed goes on after it.
          const foreign = Object.entries(ids).find(([, id]) => id !== '' && ownerOf(id) !== options.shard.institution);
          if (foreign) {
            // What the shard sent, cut short: a hostile one is not to fill the hub's log.
            const shown = (value: string) => value.slice(0, SHOWN_CHARS);
            const [field, id] = foreign;
            options.onForeignEvent({ cursor: shown(after), type: shown(String(event.type)), field, id: shown(id) });
            return;
          }
          options.onEvent({ cursor: after, type: String(event.type), occurredAt: String(event.occurredAt), ids });
        },
        error: (error) => {
          options.onError(error);
          options.identity?.forget(options.shard);
          retry();
        },
        complete: () => retry(),
      },
    );
  };

  const retry = () => {
    void client?.dispose();
    client = null;
    if (closed) return;
    setTimeout(() => void connect(), delay).unref();
    delay = Math.min(delay * 2, 10_000);
  };

  void connect();
  return () => {
    if (closed) return;
    closed = true;
    stop?.();
    void client?.dispose();
  };
}
