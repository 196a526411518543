type Waiter<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void };

/**
 * A push-to-pull bridge: producers push, one consumer iterates. `return()` (the client unsubscribed) runs
 * the cleanup once, so upstream subscriptions close with it; `fail()` ends the iteration with an error after
 * what was pushed before it.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: Array<Waiter<T>> = [];
  private ended = false;
  private failure: { error: Error } | null = null;

  constructor(private readonly cleanup: () => void) {}

  push(value: T): void {
    if (this.ended) return;
    const next = this.waiting.shift();
    if (next) next.resolve({ value, done: false });
    else this.values.push(value);
  }

  /** Ends the iteration: values pushed before are still read, then `next()` rejects with `error` once. */
  fail(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.cleanup();
    const waiters = this.waiting.splice(0);
    if (waiters.length === 0) this.failure = { error };
    for (const waiter of waiters) waiter.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.values.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.ended = true;
      this.cleanup();
      for (const waiter of this.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
    }
    this.failure = null;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
