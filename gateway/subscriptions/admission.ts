/** Why an anonymous socket was refused at the upgrade, as the HTTP answer says it. */
export interface Refusal {
  status: 429 | 503;
  message: string;
  /** Seconds to wait before trying again. @default 1 */
  retryAfterSeconds?: number;
}

/** An admitted anonymous socket's place; giving it back (signed in, or closed) is idempotent. */
export interface Ticket {
  release(): void;
}

/**
 * Counts sockets that have not yet shown a valid token, per client IP and in all. A socket holds its place
 * from the upgrade until it signs in or closes, so one address cannot hold more than `maxPerIp` sockets
 * that cost the hub memory without naming who opened them, nor all addresses together more than `maxTotal`.
 */
export class AnonymousAdmission {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerIp: number,
    private readonly maxTotal: number,
  ) {}

  /** Null when a socket from `address` may open now. */
  refusal(address: string): Refusal | null {
    if ((this.perIp.get(address) ?? 0) >= this.maxPerIp) {
      return {
        status: 429,
        message: `Too many anonymous WebSocket connections from this IP address (limit ${this.maxPerIp}): send a token in connection_init on the open ones`,
      };
    }
    if (this.total >= this.maxTotal)
      return {
        status: 503,
        message: `The hub holds its limit of ${this.maxTotal} anonymous WebSocket connections; retry later`,
      };
    return null;
  }

  /** Takes a place for a socket from `address` (after `refusal` said none). */
  admit(address: string): Ticket {
    this.perIp.set(address, (this.perIp.get(address) ?? 0) + 1);
    this.total += 1;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.total -= 1;
        const left = (this.perIp.get(address) ?? 1) - 1;
        if (left > 0) this.perIp.set(address, left);
        else this.perIp.delete(address);
      },
    };
  }

  /** Anonymous sockets open now (all addresses). */
  get size(): number {
    return this.total;
  }
}
