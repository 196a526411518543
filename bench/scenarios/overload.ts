import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../platform/project-root';
import type { Cleanup } from '../lib/cleanup';
import type { Scenario } from '../lib/context';
import { expectData, requestBody, runLoad, type RunStats } from '../lib/load';
import { startHub, startShards, writeRegistry } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNIT_BY_ID } from '../queries';
import { OVERHEAD_INSTITUTION, OVERHEAD_UNIT } from './single-shard';

const CONNECTIONS = 200;
const SHARD_TIMEOUT_MS = 5_000;
/** How long the slow shard takes per call: two calls in a row do not fit in one deadline. */
const SHARD_DELAY_MS = 3_000;
/** The bound: no answer later than the deadline plus this. */
const LATE_MS = 100;

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A slow partner: a proxy in front of a real shard that holds every GraphQL call `delayMs` before passing it on. */
async function startSlowProxy(cleanup: Cleanup, upstream: string, delayMs: number): Promise<string> {
  const target = new URL(upstream);
  const server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      if (request.method === 'POST') await new Promise((resolve) => setTimeout(resolve, delayMs));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && (name === 'content-type' || name === 'accept' || name.startsWith('x-hub-'))) headers[name] = value;
      }
      const answer = await fetch(new URL(request.url ?? '/', target), { method: request.method, headers, ...(request.method === 'POST' ? { body } : {}) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add('stop the slow proxy', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }), 'processes');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`;
}

/** The hub's shard calls so far, by outcome (ok, timeout, overloaded…), from its /metrics. */
async function shardCallOutcomes(hubUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', hubUrl))).text();
  const outcomes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^hub_shard_calls_total\{.*outcome="([^"]+)".*\} (\d+)$/.exec(line);
    if (match) outcomes.set(match[1] as string, (outcomes.get(match[1] as string) ?? 0) + Number(match[2]));
  }
  return outcomes;
}

/**
 * Issue 17 item 4: 200 connections against a hub whose one shard is slow. The bulkhead (32 in flight, 32
 * queued) refuses most calls at once; the queued ones wait for a slot. Every answer must come by its request's
 * deadline, SHARD_TIMEOUT_MS after it arrived, plus 100 ms — however long it queued.
 */
export const overload: Scenario = {
  name: 'overload',
  title: `Overload: ${CONNECTIONS} connections against a hub whose shard takes ${SHARD_DELAY_MS / 1000} s (deadline ${SHARD_TIMEOUT_MS / 1000} s)`,
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const root = projectRoot();
    const dir = join(context.tmp, 'overload');
    mkdirSync(dir, { recursive: true });
    const [shard] = await startShards(
      context.cleanup,
      [{ institution: OVERHEAD_INSTITUTION, databaseUrl: `sqlite:${join(dir, 'rvt.lv.sqlite')}`, seedFile: join(root, 'demo', 'institutions', `${OVERHEAD_INSTITUTION}.json`) }],
      context.hopKeys.publicKeys,
    );
    if (!shard) throw new Error('shard did not start');
    const slowUrl = await startSlowProxy(context.cleanup, shard.url, SHARD_DELAY_MS);
    const demo = JSON.parse(readFileSync(join(root, 'demo', 'registry.json'), 'utf8')) as {
      institutions: Array<{ code: string; names: Array<{ lang: string; value: string }>; country: string }>;
    };
    const entry = demo.institutions.find((i) => i.code === OVERHEAD_INSTITUTION);
    if (!entry) throw new Error(`${OVERHEAD_INSTITUTION} is not in demo/registry.json`);
    const registryPath = writeRegistry(dir, 'hub', [{ code: entry.code, names: entry.names, country: entry.country, shardUrl: slowUrl }]);
    const hub = await startHub(context.cleanup, {
      name: 'hub',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      // Every request must reach the slow shard; the breaker must not skip it (a skipped call answers at once).
      env: { ENTITY_CACHE: 'off', SHARD_TIMEOUT_MS: String(SHARD_TIMEOUT_MS), BREAKER_THRESHOLD: '1000' },
    });
    const body = requestBody(UNIT_BY_ID, { id: OVERHEAD_UNIT });
    await expectData(hub.url, body, 'the hub through the slow shard');
    const seconds = Math.max(15, settings.seconds * 3);
    context.log(`  ${settings.rounds} rounds × ${seconds} s, ${CONNECTIONS} connections`);
    const runs: Array<RunStats & { outcomes: Record<string, number> }> = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      const before = await shardCallOutcomes(hub.url);
      const stats = await runLoad({ name: 'hub', url: hub.url, body, connections: CONNECTIONS, processes: { gateway: [hub.pid] } }, seconds);
      const after = await shardCallOutcomes(hub.url);
      const outcomes = Object.fromEntries([...after].map(([outcome, n]) => [outcome, n - (before.get(outcome) ?? 0)]));
      runs.push({ ...stats, outcomes });
      context.log(
        `  round ${round + 1}/${settings.rounds}  ${stats.rps.toFixed(0)} req/s  p50 ${stats.p50.toFixed(1)} ms  p99 ${stats.p99.toFixed(1)} ms  p100 ${stats.max.toFixed(1)} ms  ` +
          `${stats.timeouts} unanswered after 10 s  shard calls ${JSON.stringify(outcomes)}`,
      );
    }
    const bound = SHARD_TIMEOUT_MS + LATE_MS;
    const worst = Math.max(...runs.map((r) => r.max));
    const unanswered = runs.reduce((sum, r) => sum + r.timeouts, 0);
    const outcome = (r: (typeof runs)[number], name: string) => fmt.int(r.outcomes[name] ?? 0);
    return {
      settings: { query: `unit(id: "${OVERHEAD_UNIT}")`, connections: CONNECTIONS, shardDelayMs: SHARD_DELAY_MS, shardTimeoutMs: SHARD_TIMEOUT_MS, bulkhead: '32 in flight, 32 queued (defaults)', rounds: settings.rounds, secondsPerRun: seconds },
      tables: [
        {
          caption: `every answer, per round (bound: SHARD_TIMEOUT_MS + ${LATE_MS} ms = ${bound} ms)`,
          columns: ['round', 'answers', 'req/s', 'p50 ms', 'p99 ms', 'p100 ms', 'unanswered', 'shard calls ok', 'timeout', 'overloaded'],
          rows: runs.map((r, i) => [
            String(i + 1),
            fmt.int(r.requests),
            fmt.int(r.rps),
            fmt.ms(r.p50),
            fmt.ms(r.p99),
            fmt.ms(r.max),
            String(r.timeouts),
            outcome(r, 'ok'),
            outcome(r, 'timeout'),
            outcome(r, 'overloaded'),
          ]),
        },
      ],
      targets: [{ target: `p100 ≤ SHARD_TIMEOUT_MS + ${LATE_MS} ms (${bound} ms), every request answered`, measured: `${fmt.ms(worst)} ms, ${unanswered} unanswered`, met: worst <= bound && unanswered === 0 }],
      notes: [
        'Latencies are autocannon\'s, from the load generator on the same machine: they include its own queueing, so they bound the hub\'s from above.',
        'Calls refused by the full bulkhead answer at once (SHARD_UNAVAILABLE, overloaded) and their connections ask again, so most answers are fast refusals; p100 is the figure that matters here.',
      ],
      raw: runs,
    };
  },
};
