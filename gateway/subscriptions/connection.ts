import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CloseCode, type Context } from 'graphql-ws';
import type { Caller } from '../../platform/caller';
import type { Logger } from '../../platform/logger';
import type { HubContext } from '../context';
import { raiseMaxPayload, type SocketExtra } from './sockets';
import { atTime, tokenExpiry } from './token-expiry';

/**
 * Why a socket closes when its token expires. 4403 rather than 4401: graphql-ws clients give up on 4401 but
 * reconnect on 4403, so a client whose `connectionParams` fetch a fresh token comes back on its own.
 */
export const TOKEN_EXPIRED = { code: CloseCode.Forbidden, reason: 'token expired' } as const;

export interface AdmissionOptions {
  /** Checks the token sent in `connection_init` (`{ authorization: "Bearer …" }`). */
  authenticate: (authorization: string | undefined) => Promise<Caller | null>;
  /** Browser origins allowed besides the hub's own pages; `*` or null allows any. */
  allowedOrigins: readonly string[] | null;
  maxPerInstitution: number;
  /** The message cap a signed-in socket gets instead of the anonymous one. */
  maxBodyBytes: number;
  log: Logger;
}

/** One admitted socket: its caller's context and what it holds open. */
export interface Connection {
  context: HubContext;
  subscriptions: number;
  /** When its token expires (ms since the epoch); null: anonymous, or a token without `exp`. */
  expiresAt: number | null;
  /** Stops the timer that closes the socket when its token expires. */
  cancelExpiry: (() => void) | null;
}

/**
 * Who may keep a socket at `connection_init`: an allowed origin, a valid (or no) token not yet expired, and a
 * place among its institution's connections. A signed-in socket leaves the anonymous count, gets the larger
 * message cap, and is closed with 4403 when its token expires.
 */
export function createAdmission(options: AdmissionOptions) {
  const perInstitution = new Map<string, number>();
  return {
    /** The connection, or null when the socket is refused (closed with its reason where there is one). */
    admit: async (ctx: Context<Record<string, unknown>, SocketExtra>): Promise<Connection | null> => {
      const { socket, request, ticket } = ctx.extra;
      if (!originAllowed(request, options.allowedOrigins)) return null;
      const params = ctx.connectionParams ?? {};
      const authorization = typeof params.authorization === 'string' ? params.authorization : undefined;
      // Only `authorization` is read: the rest (up to the message cap) would stay in memory as long as the socket.
      (ctx as { connectionParams?: unknown }).connectionParams = undefined;
      let caller: Caller | null;
      let expiresAt: number | null = null;
      try {
        caller = await options.authenticate(authorization);
        if (caller) expiresAt = tokenExpiry(authorization);
      } catch {
        socket.close(CloseCode.Unauthorized, 'Unauthorized');
        return null;
      }
      // The authenticator tolerates clock skew past `exp`; an open socket lives by the hub's own clock.
      if (expiresAt !== null && expiresAt <= Date.now()) {
        socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason);
        return null;
      }
      let cancelExpiry: (() => void) | null = null;
      if (caller) {
        const open = perInstitution.get(caller.institution) ?? 0;
        if (open >= options.maxPerInstitution) {
          socket.close(CloseCode.Forbidden, `Too many connections for ${caller.institution}`);
          return null;
        }
        perInstitution.set(caller.institution, open + 1);
        ticket.release();
        if (!raiseMaxPayload(socket, options.maxBodyBytes))
          options.log.warn('cannot raise the message cap of a signed-in socket: it keeps the anonymous cap');
        if (expiresAt !== null)
          cancelExpiry = atTime(expiresAt, () => socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason));
      }
      return {
        context: { requestId: requestIdOf(request), caller, receivedAt: performance.now() },
        subscriptions: 0,
        expiresAt,
        cancelExpiry,
      };
    },
    /** Gives a closed connection's place back to its institution and stops its expiry timer. */
    release: (connection: Connection): void => {
      const caller = connection.context.caller;
      if (caller)
        perInstitution.set(caller.institution, Math.max(0, (perInstitution.get(caller.institution) ?? 1) - 1));
      connection.cancelExpiry?.();
    },
  };
}

/** Sockets from non-browser clients (no Origin) and from the hub's own pages are always let in. */
function originAllowed(request: IncomingMessage, allowed: readonly string[] | null): boolean {
  const origin = request.headers.origin;
  if (!origin || allowed === null || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' ? header : randomUUID();
}
