import type { ExecutionResult } from 'graphql';
import type { Shard } from '../registry/registry';
import type { Resolution, ShardOutage } from './hold';
import type { UpstreamEvent } from './upstream';

/** Where a feed's events come from and how each payload is resolved (as the feed's caller). */
export interface FeedSource {
  shards: readonly Shard[];
  /** Opens one upstream subscription on `shard`, resuming after `after` (null: from the shard's first event). */
  open(shard: Shard, after: string | null, onEvent: (event: UpstreamEvent) => void): () => void;
  /**
   * Resolves an event's payload through the supergraph, holding it while a shard cannot answer (hold.ts); never
   * rejects. `signal` is aborted when no subscriber waits for it any more.
   */
  resolve(event: UpstreamEvent, signal: AbortSignal): Promise<Resolution>;
}

/** One subscriber of a feed; `positions` are its own, reached through the events delivered so far. */
export interface Subscriber {
  /** Hands over one event; `positions` include it. */
  deliver(
    shard: Shard,
    event: UpstreamEvent,
    answer: ExecutionResult | null,
    positions: Readonly<Record<string, string>>,
  ): void;
  /** The next event on `shard` could not be completed within the hold: nothing more is delivered, the member has left. */
  end(shard: Shard, outage: ShardOutage, positions: Readonly<Record<string, string>>): void;
}

const CURSOR = /^e1\.(\d+)$/;

/**
 * The order of a shard's event cursors: the reference outbox's `e1.<seq>` (subgraphs/shared/outbox). No
 * cursor is position 0 (the shard's first event); null for a cursor of another form, which is never shared.
 */
export function cursorSeq(cursor: string | null | undefined): number | null {
  if (cursor == null || cursor === '') return 0;
  const match = CURSOR.exec(cursor);
  return match ? Number(match[1]) : null;
}

/** True when `cursor` comes after `position` (unknown forms always do: nothing is dropped on a guess). */
function isAfter(cursor: string, position: string | undefined): boolean {
  const a = cursorSeq(cursor);
  const b = cursorSeq(position);
  return a === null || b === null || a > b;
}

interface CatchUp {
  /** The feed's position on the shard when the member joined: once reached, the feed has the rest. */
  target: number;
  /** Feed events of the shard that came meanwhile, delivered after the catch-up in order. */
  buffer: Array<{ event: UpstreamEvent; resolution: Resolution }>;
  /** The catch-up's events are resolved one after another, so they go out in order. */
  chain: Promise<void>;
  stop: () => void;
}

/** Runs `task` after the ones queued before it under `key`: each shard's events in order, shards independent. */
function enqueue(chains: Map<string, Promise<void>>, key: string, task: () => Promise<void>): void {
  chains.set(key, (chains.get(key) ?? Promise.resolve()).then(task));
}

/** One subscriber on a feed: its own positions, and a private catch-up per shard where it started behind. */
export class FeedMember {
  readonly positions: Record<string, string>;
  private readonly catchUps = new Map<string, CatchUp>();
  /** Aborted when the member leaves: its catch-ups stop holding events for it. */
  private readonly left = new AbortController();
  private ended = false;

  constructor(
    private readonly feed: Feed,
    start: Readonly<Record<string, string>>,
    private readonly subscriber: Subscriber,
  ) {
    this.positions = { ...start };
  }

  /** Starts a private upstream on `shard` from the member's position; the feed's events wait meanwhile. */
  catchUp(shard: Shard, target: number, source: FeedSource): void {
    const catchUp: CatchUp = { target, buffer: [], chain: Promise.resolve(), stop: () => undefined };
    this.catchUps.set(shard.institution, catchUp);
    catchUp.stop = source.open(shard, this.positions[shard.institution] ?? null, (event) => {
      catchUp.chain = catchUp.chain.then(async () => {
        if (this.catchUps.get(shard.institution) !== catchUp) return;
        const resolution = await source.resolve(event, this.left.signal);
        if (this.catchUps.get(shard.institution) !== catchUp) return;
        this.take(shard, event, resolution);
        const reached = cursorSeq(this.positions[shard.institution]);
        if (this.ended || reached === null || reached < catchUp.target) return;
        catchUp.stop();
        this.catchUps.delete(shard.institution);
        for (const buffered of catchUp.buffer) this.take(shard, buffered.event, buffered.resolution);
      });
    });
  }

  /** An event of the shared upstream, resolved once for every member. */
  fromFeed(shard: Shard, event: UpstreamEvent, resolution: Resolution): void {
    const catchUp = this.catchUps.get(shard.institution);
    if (catchUp) catchUp.buffer.push({ event, resolution });
    else this.take(shard, event, resolution);
  }

  /** Leaves the feed (the last member out closes it) and stops any catch-up. */
  leave(): void {
    this.left.abort();
    for (const catchUp of this.catchUps.values()) catchUp.stop();
    this.catchUps.clear();
    this.feed.remove(this);
  }

  /**
   * Delivers each shard position once: what both the catch-up and the feed carry goes out only the first time.
   * An event that could not be completed ends the member there, if it is one the member has not had yet.
   */
  private take(shard: Shard, event: UpstreamEvent, resolution: Resolution): void {
    if (this.ended || !isAfter(event.cursor, this.positions[shard.institution])) return;
    if ('outage' in resolution) {
      this.ended = true;
      this.leave();
      this.subscriber.end(shard, resolution.outage, this.positions);
      return;
    }
    this.positions[shard.institution] = event.cursor;
    this.subscriber.deliver(shard, event, resolution.answer, this.positions);
  }
}

/**
 * One upstream subscription per shard, shared by subscribers with the same caller, field, filter and payload
 * selection (the feed's key): each event's payload is resolved once and handed to every member. Events are
 * filtered per caller at the shard, so sharing among identical callers only keeps visibility exact.
 *
 * A member that joins late starts at its own position (its `after`, or the shard's first event): on each shard
 * where that is behind what the feed has delivered, a private upstream replays the gap while the feed's new
 * events wait, then the member switches to the feed. Positions are compared by sequence, so an event both
 * carry is delivered once: no gap, no repeat. The last member to leave closes the feed.
 *
 * An event a shard cannot complete is held (hold.ts) and the shard's later events wait behind it. If the hold runs
 * out, every member that has not had the event yet ends there; members already past it go on with the feed.
 */
export class Feed {
  private readonly members = new Set<FeedMember>();
  /** The feed's delivered position per institution, where a joining member must catch up to. */
  private readonly positions: Record<string, string>;
  private readonly stops: Array<() => void>;
  /** Per shard, the events being resolved and delivered, one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Aborted when the feed closes: held events are given up. */
  private readonly closing = new AbortController();
  private closed = false;
  /** False once a shard sent a cursor of unknown form: positions could not be compared for late joiners. */
  private joinable = true;

  constructor(
    private readonly source: FeedSource,
    start: Readonly<Record<string, string>>,
    private readonly onClose: () => void,
  ) {
    this.positions = { ...start };
    this.stops = source.shards.map((shard) =>
      source.open(shard, start[shard.institution] ?? null, (event) => this.receive(shard, event)),
    );
  }

  get size(): number {
    return this.members.size;
  }

  /** Adds a subscriber starting at `start`; null when positions cannot be compared (subscribe privately then). */
  join(start: Readonly<Record<string, string>>, subscriber: Subscriber): FeedMember | null {
    if (this.closed || !this.joinable) return null;
    const behind: Array<{ shard: Shard; target: number }> = [];
    for (const shard of this.source.shards) {
      const reached = cursorSeq(this.positions[shard.institution]);
      const own = cursorSeq(start[shard.institution]);
      if (reached === null || own === null) return null;
      if (own < reached) behind.push({ shard, target: reached });
    }
    const member = new FeedMember(this, start, subscriber);
    this.members.add(member);
    for (const { shard, target } of behind) member.catchUp(shard, target, this.source);
    return member;
  }

  /** The first member, which starts the feed at its own position and never needs a catch-up. */
  founder(subscriber: Subscriber): FeedMember {
    const member = new FeedMember(this, this.positions, subscriber);
    this.members.add(member);
    return member;
  }

  remove(member: FeedMember): void {
    this.members.delete(member);
    if (this.members.size > 0 || this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const stop of this.stops) stop();
    this.onClose();
  }

  // Each shard's events are resolved one after another, so every member sees them in order.
  private receive(shard: Shard, event: UpstreamEvent): void {
    enqueue(this.chains, shard.institution, async () => {
      if (this.closed) return;
      const resolution = await this.source.resolve(event, this.closing.signal);
      if (this.closed) return;
      this.positions[shard.institution] = event.cursor;
      if (cursorSeq(event.cursor) === null) this.joinable = false;
      for (const member of [...this.members]) member.fromFeed(shard, event, resolution);
    });
  }
}
