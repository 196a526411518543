import type { ChildProcess } from 'node:child_process';
import type { ManagedProcess } from '../../scripts/processes';

/**
 * Everything the benchmark starts or creates is registered here and undone in reverse order: on success,
 * on error, on SIGINT/SIGTERM and when the watchdog fires. Child processes are also SIGKILLed
 * synchronously if the bench process exits any other way.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => Promise<void>; group: string | undefined }> = [];
  private readonly children = new Set<ChildProcess>();
  private running: Promise<void> | null = null;
  /** Aborted when this scope (or its parent) starts undoing: process starts still waiting for health give up. */
  private readonly stopping = new AbortController();
  private readonly starts = new Set<Promise<unknown>>();

  constructor(private readonly parent: Cleanup | null = null) {
    parent?.stopping.signal.addEventListener('abort', () => this.stopping.abort(parent.stopping.signal.reason), {
      once: true,
    });
  }

  /** Whether this scope is being undone (a scenario that fails now was stopped, not broken). */
  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** A nested scope (one scenario): undone by `close()`, or with its parent. */
  scope(what: string): { cleanup: Cleanup; close: () => Promise<void> } {
    const child = new Cleanup(this);
    const close = this.add(what, () => child.run());
    return { cleanup: child, close };
  }

  /**
   * Registers an undo step; returns a function that runs it now (once) and forgets it. Adjacent steps of one
   * `group` (process stops) are undone together.
   */
  add(what: string, undo: () => Promise<void>, group?: string): () => Promise<void> {
    const step = { what, undo, group };
    this.steps.push(step);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const index = this.steps.indexOf(step);
      if (index >= 0) this.steps.splice(index, 1);
      await undo();
    };
  }

  /** A child process to SIGKILL if the bench exits without stopping it. */
  track(child: ChildProcess): void {
    this.parent?.track(child);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /**
   * Starts a process that answers once healthy, and stops it when this scope is undone. Its child is owned from the
   * spawn: a bench stopped while the process is still starting cancels the start, which stops the process, and the
   * undoing waits for that before it goes on (the process has its own process group, so nothing else would).
   */
  async start<T extends ManagedProcess>(start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const starting = start(this.stopping.signal);
    this.starts.add(starting);
    try {
      const started = await starting;
      this.track(started.child);
      const forget = this.add(`stop ${started.name}`, () => started.stop(), 'processes');
      // Stopped early by its scenario: the stop is one (ManagedProcess.stop), and no longer an undo step.
      return {
        ...started,
        stop: (signal?: NodeJS.Signals) => {
          const stopped = started.stop(signal);
          void forget();
          return stopped;
        },
      };
    } finally {
      this.starts.delete(starting);
    }
  }

  /** Undoes every step, newest first; each step gets at most `stepTimeoutMs`. */
  async run(stepTimeoutMs = 20_000): Promise<void> {
    if (this.running) return this.running;
    this.stopping.abort(new DOMException('the bench is stopping', 'AbortError'));
    this.running = (async () => {
      await Promise.allSettled(this.starts);
      while (this.steps.length > 0) {
        const last = this.steps.pop();
        if (!last) break;
        const batch = [last];
        while (last.group !== undefined && this.steps.at(-1)?.group === last.group)
          batch.push(this.steps.pop() as typeof last);
        await Promise.all(
          batch.map(async (step) => {
            let timer: NodeJS.Timeout | undefined;
            try {
              await Promise.race([
                step.undo(),
                new Promise<void>((_, reject) => {
                  timer = setTimeout(() => reject(new Error('timed out')), stepTimeoutMs);
                }),
              ]);
            } catch (error) {
              console.error(`cleanup: ${step.what}: ${(error as Error).message}`);
            } finally {
              clearTimeout(timer);
            }
          }),
        );
      }
      this.killChildren();
    })();
    return this.running;
  }

  killChildren(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  /**
   * Signals and a watchdog end the run through `run()`; a plain exit still kills the children.
   * Returns a function that disarms the handlers.
   */
  install(maxMinutes: number): () => void {
    const stop = (reason: string, code: number) => {
      console.error(`\nbench: ${reason}; stopping everything it started…`);
      void this.run().finally(() => process.exit(code));
    };
    const onSigint = () => stop('interrupted', 130);
    const onSigterm = () => stop('terminated', 143);
    const onExit = () => this.killChildren();
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
    process.on('exit', onExit);
    const watchdog = setTimeout(
      () => stop(`still running after ${maxMinutes} minutes (BENCH_MAX_MINUTES)`, 124),
      maxMinutes * 60_000,
    );
    return () => {
      clearTimeout(watchdog);
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      process.removeListener('exit', onExit);
    };
  }
}
