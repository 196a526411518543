import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Process entry: stand-ins for many institutions' mobilities and recognition shards in one process, answering the
 * hub's statistics fan-out with base cells counted beforehand by the shards' own counting code over seeded databases
 * (bench/scenarios/statistics.ts). So 30 institutions' worth of base cells reach the hub without 60 shard processes:
 * what is measured is the hub's fan-out, merge and suppression; the shards' counting is not (the scenario with real
 * shard processes measures it).
 *
 * CELL_SHARDS_FILE names a JSON list of { port, batch }: `batch` is the StatisticsBaseBatch one shard answers. Any
 * POST is answered with it under the alias or field the query asks (mobilityStatisticsBase or
 * recognitionStatisticsBase); GET (the hub's /health probe) answers ok, naming no shard, which proves nothing either way.
 */
interface CellShard {
  port: number;
  batch: unknown;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const FIELD = /(?:([A-Za-z_]\w*)\s*:\s*)?(mobilityStatisticsBase|recognitionStatisticsBase)\b/;

function serve(shard: CellShard): Promise<void> {
  const batches = JSON.stringify([shard.batch]);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (request.method !== 'POST') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"ok"}');
        return;
      }
      const body = JSON.parse(await readBody(request)) as { query?: string };
      const match = FIELD.exec(body.query ?? '');
      const answer = match
        ? `{"data":{${JSON.stringify(match[1] ?? match[2])}:${batches}}}`
        : JSON.stringify({ errors: [{ message: 'cell shard: only the statistics base cells are served here' }] });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: `cell shard: ${(error as Error).message}` }] }));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(shard.port, '127.0.0.1', () => resolve());
  });
}

async function main(): Promise<void> {
  const file = process.env.CELL_SHARDS_FILE;
  if (!file) throw new Error('CELL_SHARDS_FILE names no file of base cells');
  const shards = JSON.parse(readFileSync(file, 'utf8')) as CellShard[];
  if (shards.length === 0) throw new Error(`${file} lists no shards`);
  await Promise.all(shards.map(serve));
  console.log(`serving the base cells of ${shards.length} shards`);
  const stop = () => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
