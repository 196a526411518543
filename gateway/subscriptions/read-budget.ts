import type { Duplex } from 'node:stream';

/** Bytes read from all sockets together in one event-loop turn before every socket stops reading. */
export const READ_BYTES_PER_TURN = 1_048_576;

/** The part of a net.Socket's libuv handle that starts and stops reading (Node's own `pause`/`resume` use it). */
interface StreamHandle {
  reading: boolean;
  readStart: () => number;
  readStop: () => number;
}

/**
 * Backpressure across all sockets. libuv reads every readable socket in one poll phase, so a thousand sockets
 * whose messages arrive together are read, unmasked and assembled by ws in one turn (24 MB took 194 ms of CPU).
 * Once a turn has read its budget, every socket stops reading, and reading resumes when the messages read so far
 * are handled: each turn reads about a budget's worth, and bytes not yet handled wait in the kernel, not here.
 */
export class ReadBudget {
  private readonly streams = new Set<Duplex>();
  /** The streams this budget paused, each with whether it also stopped the handle's reading. */
  private readonly held = new Map<Duplex, boolean>();
  private bytes = 0;
  private counting = false;
  private stopped = false;

  /** `handled` says whether every message read so far has been handled. */
  constructor(
    private readonly bytesPerTurn: number,
    private readonly handled: () => boolean,
  ) {}

  /** Counts what `stream` reads; it reads only while the budget allows. */
  track(stream: Duplex): void {
    this.streams.add(stream);
    stream.on('data', (chunk: Buffer) => this.read(chunk.length));
    stream.once('close', () => {
      this.streams.delete(stream);
      this.held.delete(stream);
    });
    if (this.stopped) this.hold(stream);
  }

  /** Lets every socket read again, if the budget had stopped them. */
  resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const [stream, handleStopped] of this.held) startReading(stream, handleStopped);
    this.held.clear();
  }

  private hold(stream: Duplex): void {
    this.held.set(stream, stopReading(stream));
  }

  private read(bytes: number): void {
    this.bytes += bytes;
    if (!this.counting) {
      this.counting = true;
      // Runs right after this poll phase: the next turn starts a new budget.
      setImmediate(this.turnEnded);
    }
    if (this.stopped || this.bytes <= this.bytesPerTurn) return;
    this.stopped = true;
    for (const stream of this.streams) this.hold(stream);
  }

  private readonly turnEnded = (): void => {
    this.counting = false;
    this.bytes = 0;
    if (this.handled()) this.resume();
  };
}

function handleOf(stream: Duplex): StreamHandle | undefined {
  const handle = (stream as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (
    typeof handle?.reading !== 'boolean' ||
    typeof handle.readStart !== 'function' ||
    typeof handle.readStop !== 'function'
  )
    return undefined;
  return handle as StreamHandle;
}

/**
 * `pause()` alone only stops the stream emitting: libuv would still read each socket once more in this poll
 * phase. Stopping the handle too keeps the rest of the phase from reading it. Without such a handle (another
 * Node), the pause still holds once each socket's buffer fills.
 */
function stopReading(stream: Duplex): boolean {
  stream.pause();
  const handle = handleOf(stream);
  if (!handle?.reading || stream.destroyed) return false;
  handle.reading = false;
  handle.readStop();
  return true;
}

/** Undoes `stopReading`; the handle restarts only if it was reading before (not at the end of its input). */
function startReading(stream: Duplex, handleStopped: boolean): void {
  const handle = handleOf(stream);
  if (handleStopped && handle && !handle.reading && !stream.destroyed) {
    handle.reading = true;
    handle.readStart();
  }
  stream.resume();
}
