import type { ApolloServerPlugin } from '@apollo/server';
import type { Route } from '../platform/http';
import type { HubContext } from './context';

/**
 * One concern of the gateway in the one shape `startGateway` composes: its Apollo plugins, its HTTP routes, and
 * what it does as the gateway starts and stops. A part that keeps metrics registers them on the gateway's own
 * registry, given to its factory.
 */
export interface GatewayPart {
  /** Names the part in logs and in a failed start. */
  readonly name: string;
  readonly plugins?: readonly ApolloServerPlugin<HubContext>[];
  /** Tried in the order of the parts, then of each part's routes; the first that answers a request wins. */
  readonly routes?: readonly Route[];
  /** Before the gateway takes requests, in the order of the parts. */
  start?(): Promise<void>;
  /** As the gateway closes, before its HTTP server stops: ends what would keep connections open (sockets). */
  drain?(): Promise<void>;
  /** Once the HTTP server has stopped and in-flight requests are over, in reverse order of the parts. */
  stop?(): Promise<void>;
}

/** Parts put together: what Apollo Server and the HTTP server take, and their start, drain and stop in order. */
export interface ComposedParts {
  plugins: ApolloServerPlugin<HubContext>[];
  routes: Route[];
  start(): Promise<void>;
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function composeParts(parts: readonly GatewayPart[]): ComposedParts {
  return {
    plugins: parts.flatMap((part) => part.plugins ?? []),
    routes: parts.flatMap((part) => part.routes ?? []),
    start: async () => {
      for (const part of parts) {
        try {
          await part.start?.();
        } catch (error) {
          throw new Error(`gateway part "${part.name}" failed to start: ${(error as Error).message}`, { cause: error });
        }
      }
    },
    drain: async () => {
      for (const part of parts) await part.drain?.();
    },
    stop: async () => {
      for (const part of [...parts].reverse()) await part.stop?.();
    },
  };
}
