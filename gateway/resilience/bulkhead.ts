import { DeadlinePassed, timeLeft } from './deadline';

interface Waiting {
  admit: () => void;
  timer: NodeJS.Timeout | undefined;
}

/** Refused at once: every slot is taken and the queue is full. */
export class BulkheadFull extends Error {
  constructor() {
    super('every slot and queue place of this shard is taken');
    this.name = 'BulkheadFull';
  }
}

/**
 * A cap on calls in flight to one shard plus a small queue for more. Unlike cockatiel's bulkhead, a call leaves
 * the queue the moment its deadline passes (rejected with `DeadlinePassed`), so a slow shard cannot keep a
 * request waiting past its deadline nor fill the queue with calls nobody waits for.
 */
export class Bulkhead {
  private active = 0;
  private readonly queue: Waiting[] = [];

  constructor(
    private readonly capacity: number,
    private readonly queueCapacity: number,
  ) {}

  /** Runs `call` in a slot, waiting in the queue until `deadline` (performance.now() clock) at most; none: no limit. */
  async run<T>(call: () => Promise<T>, deadline?: number): Promise<T> {
    if (deadline !== undefined && timeLeft(deadline) === 0) throw new DeadlinePassed();
    if (this.active < this.capacity) this.active += 1;
    else await this.wait(deadline);
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  /** A freed slot goes straight to the longest-waiting call, so the count of calls in flight never dips. */
  private release(): void {
    const next = this.queue.shift();
    if (next) next.admit();
    else this.active -= 1;
  }

  private wait(deadline: number | undefined): Promise<void> {
    if (this.queue.length >= this.queueCapacity) return Promise.reject(new BulkheadFull());
    return new Promise<void>((resolve, reject) => {
      const waiting: Waiting = {
        admit: () => {
          clearTimeout(waiting.timer);
          resolve();
        },
        timer: undefined,
      };
      if (deadline !== undefined) {
        waiting.timer = setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiting), 1);
          reject(new DeadlinePassed());
        }, timeLeft(deadline));
      }
      this.queue.push(waiting);
    });
  }
}
