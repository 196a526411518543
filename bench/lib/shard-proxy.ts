import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a proxy answers in its shard's stead (JSON, 200); null passes the request on to the shard. */
export type Intercept = (incoming: IncomingMessage, body: Buffer) => Buffer | string | null;

/**
 * A member's shard behind a proxy on another port of 127.0.0.1: each request, read whole, goes to `intercept`, which
 * answers it or passes it on to the shard as it came (its signed hop included), the shard's answer coming back as it
 * is. `url` is the shard's URL at the proxy's port, to register in the shard's stead.
 */
export async function startShardProxy(
  shardUrl: string,
  intercept: Intercept,
): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(shardUrl);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = intercept(incoming, body);
      if (answer !== null) {
        outgoing.writeHead(200, { 'content-type': 'application/json' }).end(answer);
        return;
      }
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (reply) => {
          outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.writeHead(502).end());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(shardUrl);
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
