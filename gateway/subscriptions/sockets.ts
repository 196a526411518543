import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, type Server as ProtocolServer } from 'graphql-ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../platform/logger';
import type { AnonymousAdmission, Refusal, Ticket } from './admission';
import { READ_BYTES_PER_TURN, ReadBudget } from './read-budget';

/** What each graphql-ws callback gets about its socket (`ctx.extra`). */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** The client's address, as the rate limits see it. */
  address: string;
  /** The socket's anonymous place: released once it signs in, or when it closes. */
  ticket: Ticket;
}

export interface SocketServerOptions {
  server: Server;
  path: string;
  protocol: ProtocolServer<SocketExtra>;
  admission: AnonymousAdmission;
  addressOf: (request: IncomingMessage) => string;
  /** Counts the upgrade request as an HTTP request of its address: a refusal answers it instead. */
  countUpgrade: (address: string) => Promise<Refusal | null>;
  /** Largest message before a valid token, in bytes. */
  anonymousMaxPayload: number;
  /** A socket that answers no ping within this long is cut. @default 12_000 */
  keepAliveMs?: number;
  log: Logger;
}

export const DEFAULT_KEEP_ALIVE_MS = 12_000;
/** How long a socket closed for a protocol error (an oversized message) may take to read its close frame before it is cut. */
const CUT_AFTER_ERROR_MS = 200;
/** Longest stretch of message handling before the event loop gets a turn. */
const TURN_MS = 5;

/**
 * Runs tasks in arrival order, a few milliseconds' worth at a time, yielding to the event loop in between.
 * A thousand sockets whose messages arrive together would otherwise be decoded and parsed in one go (64 MB of
 * JSON at the anonymous cap), stalling every timer and request for that long; paced, the same work is spread.
 */
class Turns {
  private readonly queue: Array<() => void> = [];
  private next = 0;
  private scheduled = false;

  /** `drained` runs each time the last queued task has run. */
  constructor(private readonly drained: () => void) {}

  /** Whether every task pushed so far has run. */
  get idle(): boolean {
    return !this.scheduled;
  }

  push(task: () => void): void {
    this.queue.push(task);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    const until = performance.now() + TURN_MS;
    while (this.next < this.queue.length && performance.now() < until) {
      const task = this.queue[this.next];
      this.next += 1;
      task?.();
    }
    if (this.next < this.queue.length) {
      setImmediate(this.run);
      return;
    }
    this.queue.length = 0;
    this.next = 0;
    this.scheduled = false;
    this.drained();
  };
}

/**
 * graphql-ws over `ws`, as `graphql-ws/use/ws` does it, with what the hub needs before and around the protocol:
 * the admission of anonymous sockets at the upgrade (refused with an HTTP status, before any socket exists),
 * the small message cap until a socket signs in, and socket errors logged instead of printed.
 */
export function serveSockets(options: SocketServerOptions): { dispose: () => Promise<void> } {
  const keepAlive = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  // Every socket starts with the anonymous cap; `raiseMaxPayload` lifts it for one socket once it signs in.
  // ws unmasks client frames with the bufferutil addon (a dependency for this reason); in plain JS, the 64 MB of
  // a thousand anonymous messages at the cap took 400 ms of one core, in the read path (which only the read budget paces).
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.anonymousMaxPayload, handleProtocols });
  const budget = new ReadBudget(READ_BYTES_PER_TURN, () => turns.idle);
  const turns = new Turns(() => budget.resume());

  const onUpgrade = async (request: IncomingMessage, stream: Duplex, head: Buffer) => {
    if (pathOf(request) !== options.path) return refuse(stream, { status: 404, message: 'No WebSocket endpoint here' });
    stream.on('error', () => stream.destroy());
    const address = options.addressOf(request);
    const refusal = (await options.countUpgrade(address)) ?? options.admission.refusal(address);
    if (refusal) return refuse(stream, refusal);
    // ws completes an upgrade without verifyClient in this same tick, so no other upgrade can take the place meanwhile.
    sockets.handleUpgrade(request, stream, head, (socket) => {
      budget.track(stream);
      accept(socket, request, address);
    });
  };

  const accept = (socket: WebSocket, request: IncomingMessage, address: string) => {
    const ticket = options.admission.admit(address);
    // An oversized message (1009) or a broken frame: ws has already sent the close frame with the right code, and
    // would go on reading (and discarding) the rest of the message until the peer's close frame, up to 30 s.
    socket.on('error', (error) => {
      options.log.debug({ address, error: error.message }, 'socket error');
      setTimeout(() => socket.terminate(), CUT_AFTER_ERROR_MS).unref();
    });
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, keepAlive);
    pinger.unref();
    const closed = options.protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data: RawData) =>
            turns.push(() => {
              if (socket.readyState !== socket.OPEN) return;
              handle(textOf(data)).catch((error: unknown) => {
                options.log.error({ address, error: String(error) }, 'message handling failed');
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              });
            }),
          ),
      },
      { socket, request, address, ticket },
    );
    socket.once('close', (code, reason) => {
      clearInterval(pinger);
      ticket.release();
      void closed(code, String(reason));
    });
  };

  const upgrade = (request: IncomingMessage, stream: Duplex, head: Buffer): void => {
    onUpgrade(request, stream, head).catch((error: unknown) => {
      options.log.error({ error: String(error) }, 'upgrade failed');
      stream.destroy();
    });
  };
  options.server.on('upgrade', upgrade);
  return {
    dispose: async () => {
      options.server.off('upgrade', upgrade);
      for (const socket of sockets.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/**
 * ws has no public per-socket message cap: the server's `maxPayload` is handed to each socket's Receiver, which
 * checks every frame's declared length (and a fragmented message's running total) against `_maxPayload` as soon
 * as the frame header arrives, before any of the payload is buffered, then closes with 1009 and discards the
 * rest unread. Raising that field on one socket after its token is verified is the only way to give signed-in
 * callers MAX_BODY_BYTES without letting every anonymous socket buffer as much. Should ws rename the field, the
 * socket keeps the anonymous cap (the safe side) and this says so.
 */
export function raiseMaxPayload(socket: WebSocket, bytes: number): boolean {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') return false;
  receiver._maxPayload = bytes;
  return true;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const REASONS: Record<number, string> = { 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Answers the upgrade request with a plain HTTP error and drops the connection: no WebSocket is made. */
function refuse(stream: Duplex, refusal: Refusal | { status: 404; message: string }): void {
  if (!stream.writable) return void stream.destroy();
  const body = `${refusal.message}\n`;
  const retry = refusal.status === 404 ? '' : `Retry-After: ${refusal.retryAfterSeconds ?? 1}\r\n`;
  stream.once('finish', () => stream.destroy());
  stream.end(
    `HTTP/1.1 ${refusal.status} ${REASONS[refusal.status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `${retry}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** A message's text: ws hands a Buffer by default, fragments as a list, an ArrayBuffer when asked to. */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
