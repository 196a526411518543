import type { IncomingHttpHeaders } from 'node:http';
import { runStandIn, serveStandIn, type StandInAnswer } from './lib/stand-in';

/**
 * Process entry: recording/replaying stand-ins for shards, so that the fan-out scenario can measure the hub's
 * own cost per shard without 32 real shards competing for the same CPU cores.
 *
 * REPLAY_SHARDS is a JSON list of { port, upstream }. Each server forwards a request body it has not seen
 * to its upstream shard (headers included, so the signed hop verifies), keeps the answer, and from then on
 * answers that body from memory. The hub's sub-requests of one query are byte-identical from one request to
 * the next (the hop signature travels in headers), so after the first request every answer is replayed. Its
 * `/health` is its upstream's, so the hub sees the shard's identity and sends hops as it would to the shard.
 * With `delayMs`, every GraphQL answer is held that long: a slow partner.
 */
interface Replay {
  port: number;
  upstream: string;
  delayMs?: number;
}

const MAX_RECORDINGS = 1_000;

function serve(replay: Replay): Promise<void> {
  const recordings = new Map<string, StandInAnswer>();
  // Its upstream's /health, asked once: the hub learns the shard's identity and what hops it takes, as from the shard.
  let health: Promise<string> | null = null;
  const upstreamHealth = () =>
    (health ??= fetch(new URL('/health', replay.upstream), { signal: AbortSignal.timeout(10_000) })
      .then((answer) => answer.text())
      .catch((error: unknown) => {
        health = null; // asked again next time
        throw error;
      }));
  const replayed = async (body: Buffer, incoming: IncomingHttpHeaders): Promise<StandInAnswer> => {
    if (replay.delayMs) await new Promise((resolve) => setTimeout(resolve, replay.delayMs));
    const key = body.toString('utf8');
    const recorded = recordings.get(key);
    if (recorded) return recorded;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming)) {
      if (value !== undefined && !['host', 'content-length', 'connection', 'keep-alive'].includes(name))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const answer = await fetch(replay.upstream, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const recording = {
      status: answer.status,
      contentType: answer.headers.get('content-type') ?? 'application/json',
      body: Buffer.from(await answer.arrayBuffer()),
    };
    if (answer.status === 200 && recordings.size < MAX_RECORDINGS) recordings.set(key, recording);
    return recording;
  };
  return serveStandIn(replay.port, 'replay', 502, replayed, upstreamHealth);
}

async function main(): Promise<void> {
  const replays = JSON.parse(process.env.REPLAY_SHARDS ?? '[]') as Replay[];
  if (replays.length === 0) throw new Error('REPLAY_SHARDS lists no shards');
  await Promise.all(replays.map(serve));
  console.log(`replaying ${replays.length} shards`);
}

runStandIn(main);
