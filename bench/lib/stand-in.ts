import { createServer, type IncomingHttpHeaders } from 'node:http';

/** What a stand-in answers a POST with (200, JSON unless told otherwise). */
export interface StandInAnswer {
  status?: number;
  contentType?: string;
  body: string | Buffer;
}

/**
 * One of the bench's stand-in servers (the floor, replayed shards, cell shards) on 127.0.0.1:`port`. GET (the hub's
 * health probe) answers `health`'s answer, or ok; a POST's whole body goes to `answer`, and an answer that fails
 * becomes a GraphQL error naming the stand-in, with `errorStatus`.
 */
export function serveStandIn(
  port: number,
  name: string,
  errorStatus: number,
  answer: (body: Buffer, headers: IncomingHttpHeaders) => Promise<StandInAnswer> | StandInAnswer,
  health: () => Promise<string> | string = () => '{"status":"ok"}',
): Promise<void> {
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST') {
        const text = await health();
        response.writeHead(200, { 'content-type': 'application/json' }).end(text);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const answered = await answer(Buffer.concat(chunks), request.headers);
      response.writeHead(answered.status ?? 200, {
        'content-type': answered.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(answered.body),
      });
      response.end(answered.body);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(errorStatus, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: `${name}: ${(error as Error).message}` }] }));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** A stand-in process's entry: `main` starts its servers; SIGTERM or SIGINT ends it, a failed start exits 1. */
export function runStandIn(main: () => Promise<void>): void {
  const stop = () => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
