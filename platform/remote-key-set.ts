import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { createRemoteJWKSet, type JWTVerifyGetKey, type RemoteJWKSetOptions } from 'jose';

/** Most bytes read of a key set's answer: a JWKS of a few keys is a few KiB. */
export const MAX_KEY_SET_BYTES = 256 * 1024;
/** Longest a key set's answer may take, whole (jose's own timeout is on an idle socket only). */
export const KEY_SET_FETCH_MS = 5_000;

/**
 * Cuts the connection once it has read more than MAX_KEY_SET_BYTES or been open KEY_SET_FETCH_MS: jose reads a key
 * set's answer to its end, so a member's key server that answers without end, or one byte at a time, would
 * otherwise fill the process's memory or hold every token check of that member. One answer per connection (the
 * agents keep none alive), so the count is the answer's.
 */
function bounded(socket: Duplex | null | undefined): Duplex | null | undefined {
  if (!socket) return socket;
  let read = 0;
  const timer = setTimeout(
    () => socket.destroy(new Error(`the key set was not read within ${KEY_SET_FETCH_MS} ms`)),
    KEY_SET_FETCH_MS,
  );
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > MAX_KEY_SET_BYTES) socket.destroy(new Error(`the key set's answer is over ${MAX_KEY_SET_BYTES} bytes`));
  });
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

class BoundedHttpAgent extends http.Agent {
  override createConnection(
    ...args: Parameters<http.Agent['createConnection']>
  ): ReturnType<http.Agent['createConnection']> {
    return bounded(super.createConnection(...args));
  }
}

class BoundedHttpsAgent extends https.Agent {
  override createConnection(
    ...args: Parameters<https.Agent['createConnection']>
  ): ReturnType<https.Agent['createConnection']> {
    return bounded(super.createConnection(...args));
  }
}

const agents = { 'http:': new BoundedHttpAgent(), 'https:': new BoundedHttpsAgent() };

/** jose's remote key set (cached, refetched on an unknown key id within its cooldown), read through bounded connections. */
export function remoteKeySet(url: URL, options: Omit<RemoteJWKSetOptions, 'agent'> = {}): JWTVerifyGetKey {
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  return createRemoteJWKSet(url, { ...options, agent });
}
