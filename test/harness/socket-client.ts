import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A graphql-ws client of the hub at `httpUrl` (its WebSocket is on the same path), signed in with `token` when one is
 * given, that never reconnects on its own: a test sees every close.
 */
export function socketClient(httpUrl: string, token?: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    ...options,
  });
}
