import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Shard } from '../registry/registry';
import type { UpstreamEvent } from './upstream';

/** Where a feed's events come from and how each payload is resolved (as the feed's caller). */
export interface FeedSource {
  shards: readonly Shard[];
  /** Opens one upstream subscription on `shard`, resuming after `after` (null: from the shard's first event). */
  open(shard: Shard, after: string | null, onEvent: (event: UpstreamEvent) => void): () => void;
  /** Resolves an event's payload through the supergraph; null when the subscription selects no entity. */
  resolve(event: UpstreamEvent): Promise<ExecutionResult | null>;
}

/** Hands one event to one subscriber; `positions` are the subscriber's own, this event's included. */
export type Delivery = (shard: Shard, event: UpstreamEvent, answer: ExecutionResult | null, positions: Readonly<Record<string, string>>) => void;

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
  buffer: Array<{ event: UpstreamEvent; answer: ExecutionResult | null }>;
  stop: () => void;
}

/** One subscriber on a feed: its own positions, and a private catch-up per shard where it started behind. */
export class FeedMember {
  readonly positions: Record<string, string>;
  private readonly catchUps = new Map<string, CatchUp>();
  private chain = Promise.resolve();

  constructor(
    private readonly feed: Feed,
    start: Readonly<Record<string, string>>,
    private readonly deliver: Delivery,
  ) {
    this.positions = { ...start };
  }

  /** Starts a private upstream on `shard` from the member's position; the feed's events wait meanwhile. */
  catchUp(shard: Shard, target: number, source: FeedSource): void {
    const catchUp: CatchUp = { target, buffer: [], stop: () => undefined };
    this.catchUps.set(shard.institution, catchUp);
    catchUp.stop = source.open(shard, this.positions[shard.institution] ?? null, (event) => {
      this.chain = this.chain.then(async () => {
        if (this.catchUps.get(shard.institution) !== catchUp) return;
        this.emit(shard, event, await resolveSafely(source, event));
        const reached = cursorSeq(this.positions[shard.institution]);
        if (reached === null || reached < catchUp.target) return;
        catchUp.stop();
        this.catchUps.delete(shard.institution);
        for (const buffered of catchUp.buffer) this.emit(shard, buffered.event, buffered.answer);
      });
    });
  }

  /** An event of the shared upstream, resolved once for every member. */
  fromFeed(shard: Shard, event: UpstreamEvent, answer: ExecutionResult | null): void {
    const catchUp = this.catchUps.get(shard.institution);
    if (catchUp) catchUp.buffer.push({ event, answer });
    else this.emit(shard, event, answer);
  }

  /** Leaves the feed (the last member out closes it) and stops any catch-up. */
  leave(): void {
    for (const catchUp of this.catchUps.values()) catchUp.stop();
    this.catchUps.clear();
    this.feed.remove(this);
  }

  /** Delivers each shard position once: what both the catch-up and the feed carry goes out only the first time. */
  private emit(shard: Shard, event: UpstreamEvent, answer: ExecutionResult | null): void {
    if (!isAfter(event.cursor, this.positions[shard.institution])) return;
    this.positions[shard.institution] = event.cursor;
    this.deliver(shard, event, answer, this.positions);
  }
}

async function resolveSafely(source: FeedSource, event: UpstreamEvent): Promise<ExecutionResult | null> {
  try {
    return await source.resolve(event);
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error))] };
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
 */
export class Feed {
  private readonly members = new Set<FeedMember>();
  /** The feed's delivered position per institution, where a joining member must catch up to. */
  private readonly positions: Record<string, string>;
  private readonly stops: Array<() => void>;
  private chain = Promise.resolve();
  private closed = false;
  /** False once a shard sent a cursor of unknown form: positions could not be compared for late joiners. */
  private joinable = true;

  constructor(
    private readonly source: FeedSource,
    start: Readonly<Record<string, string>>,
    private readonly onClose: () => void,
  ) {
    this.positions = { ...start };
    this.stops = source.shards.map((shard) => source.open(shard, start[shard.institution] ?? null, (event) => this.receive(shard, event)));
  }

  get size(): number {
    return this.members.size;
  }

  /** Adds a subscriber starting at `start`; null when positions cannot be compared (subscribe privately then). */
  join(start: Readonly<Record<string, string>>, deliver: Delivery): FeedMember | null {
    if (this.closed || !this.joinable) return null;
    const behind: Array<{ shard: Shard; target: number }> = [];
    for (const shard of this.source.shards) {
      const reached = cursorSeq(this.positions[shard.institution]);
      const own = cursorSeq(start[shard.institution]);
      if (reached === null || own === null) return null;
      if (own < reached) behind.push({ shard, target: reached });
    }
    const member = new FeedMember(this, start, deliver);
    this.members.add(member);
    for (const { shard, target } of behind) member.catchUp(shard, target, this.source);
    return member;
  }

  /** The first member, which starts the feed at its own position and never needs a catch-up. */
  founder(deliver: Delivery): FeedMember {
    const member = new FeedMember(this, this.positions, deliver);
    this.members.add(member);
    return member;
  }

  remove(member: FeedMember): void {
    this.members.delete(member);
    if (this.members.size > 0 || this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    this.onClose();
  }

  // Events are resolved one after another, so every member sees each shard's events in order.
  private receive(shard: Shard, event: UpstreamEvent): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      const answer = await resolveSafely(this.source, event);
      this.positions[shard.institution] = event.cursor;
      if (cursorSeq(event.cursor) === null) this.joinable = false;
      for (const member of [...this.members]) member.fromFeed(shard, event, answer);
    });
  }
}
