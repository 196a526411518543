import { readFileSync } from 'node:fs';
import { runStandIn, serveStandIn } from './lib/stand-in';

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

const FIELD = /(?:([A-Za-z_]\w*)\s*:\s*)?(mobilityStatisticsBase|recognitionStatisticsBase)\b/;

function serve(shard: CellShard): Promise<void> {
  const batches = JSON.stringify([shard.batch]);
  return serveStandIn(shard.port, 'cell shard', 500, (body) => {
    const match = FIELD.exec((JSON.parse(body.toString('utf8')) as { query?: string }).query ?? '');
    return {
      body: match
        ? `{"data":{${JSON.stringify(match[1] ?? match[2])}:${batches}}}`
        : JSON.stringify({ errors: [{ message: 'cell shard: only the statistics base cells are served here' }] }),
    };
  });
}

async function main(): Promise<void> {
  const file = process.env.CELL_SHARDS_FILE;
  if (!file) throw new Error('CELL_SHARDS_FILE names no file of base cells');
  const shards = JSON.parse(readFileSync(file, 'utf8')) as CellShard[];
  if (shards.length === 0) throw new Error(`${file} lists no shards`);
  await Promise.all(shards.map(serve));
  console.log(`serving the base cells of ${shards.length} shards`);
}

runStandIn(main);
