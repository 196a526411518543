import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Process entry: recording/replaying stand-ins for shards, so that the fan-out scenario can measure the hub's
 * own cost per shard without 32 real shards competing for the same CPU cores.
 *
 * REPLAY_SHARDS is a JSON list of { port, upstream }. Each server forwards a request body it has not seen
 * to its upstream shard (headers included, so the signed hop verifies), keeps the answer, and from then on
 * answers that body from memory. The hub's sub-requests of one query are byte-identical from one request to
 * the next (the hop signature travels in headers), so after the first request every answer is replayed.
 * With `delayMs`, every GraphQL answer is held that long: a slow partner.
 */
interface Replay {
  port: number;
  upstream: string;
  delayMs?: number;
}

interface Recorded {
  status: number;
  contentType: string;
  body: Buffer;
}

const MAX_RECORDINGS = 1_000;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function serve(replay: Replay): Promise<void> {
  const recordings = new Map<string, Recorded>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (request.method !== 'POST') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"ok"}');
        return;
      }
      const body = await readBody(request);
      if (replay.delayMs) await new Promise((resolve) => setTimeout(resolve, replay.delayMs));
      const key = body.toString('utf8');
      let recorded = recordings.get(key);
      if (!recorded) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (value !== undefined && !['host', 'content-length', 'connection', 'keep-alive'].includes(name))
            headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const answer = await fetch(replay.upstream, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        recorded = {
          status: answer.status,
          contentType: answer.headers.get('content-type') ?? 'application/json',
          body: Buffer.from(await answer.arrayBuffer()),
        };
        if (answer.status === 200 && recordings.size < MAX_RECORDINGS) recordings.set(key, recorded);
      }
      response.writeHead(recorded.status, {
        'content-type': recorded.contentType,
        'content-length': recorded.body.length,
      });
      response.end(recorded.body);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: `replay: ${(error as Error).message}` }] }));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(replay.port, '127.0.0.1', () => resolve());
  });
}

async function main(): Promise<void> {
  const replays = JSON.parse(process.env.REPLAY_SHARDS ?? '[]') as Replay[];
  if (replays.length === 0) throw new Error('REPLAY_SHARDS lists no shards');
  await Promise.all(replays.map(serve));
  console.log(`replaying ${replays.length} shards`);
  const stop = () => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
