import { mkdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { projectRoot } from '../../platform/project-root';
import type { Scenario } from '../lib/context';
import { expectData, requestBody, runLoad, type RunStats } from '../lib/load';
import { startHub, startReplayShards, startShards, writeRegistry } from '../lib/processes';
import { fmt } from '../lib/report';
import { UNIT_BY_ID } from '../queries';
import { OVERHEAD_INSTITUTION, OVERHEAD_UNIT } from './single-shard';

const CONNECTIONS = 200;
const SHARD_TIMEOUT_MS = 5_000;
/** How long the slow shard takes per call: two calls in a row do not fit in one deadline. */
const SHARD_DELAY_MS = 3_000;
/** The bound: no answer later than the deadline plus this. */
const LATE_MS = 100;

/**
 * From the hub's /metrics: its shard calls so far by outcome (ok, timeout, overloaded…), and its answers by how
 * long they took on its own clock, from the request's arrival (`le:5`, `le:10`, `le:+Inf` of its histogram).
 */
async function hubCounts(hubUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', hubUrl))).text();
  const counts = new Map<string, number>();
  const add = (key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  for (const line of text.split('\n')) {
    const call = /^hub_shard_calls_total\{.*outcome="([^"]+)".*\} (\d+)$/.exec(line);
    if (call) add(call[1] as string, Number(call[2]));
    const answer = /^hub_graphql_request_duration_seconds_bucket\{le="(5|10|\+Inf)".*\} (\d+)$/.exec(line);
    if (answer) add(`le:${answer[1] as string}`, Number(answer[2]));
    // The longest event-loop pause since the last scrape (prom-client resets it on every scrape).
    const pause = /^nodejs_eventloop_lag_max_seconds (\S+)$/.exec(line);
    if (pause) add('pauseMs', Math.round(Number(pause[1]) * 1_000));
  }
  return counts;
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
      [
        {
          institution: OVERHEAD_INSTITUTION,
          databaseUrl: `sqlite:${join(dir, 'rvt.lv.sqlite')}`,
          seedFile: join(root, 'demo', 'institutions', `${OVERHEAD_INSTITUTION}.json`),
        },
      ],
      context.hopKeys.publicKeys,
    );
    if (!shard) throw new Error('shard did not start');
    // A replaying stand-in in its own process, holding every answer: the slow partner costs the hub's machine little CPU.
    const slow = await startReplayShards(context.cleanup, [shard.url], SHARD_DELAY_MS);
    const slowUrl = slow.urls[0] ?? '';
    const demo = JSON.parse(readFileSync(join(root, 'demo', 'registry.json'), 'utf8')) as {
      institutions: Array<{ code: string; names: Array<{ lang: string; value: string }>; country: string }>;
    };
    const entry = demo.institutions.find((i) => i.code === OVERHEAD_INSTITUTION);
    if (!entry) throw new Error(`${OVERHEAD_INSTITUTION} is not in demo/registry.json`);
    const registryPath = writeRegistry(dir, 'hub', [
      { code: entry.code, names: entry.names, country: entry.country, shardUrl: slowUrl },
    ]);
    const hub = await startHub(context.cleanup, {
      name: 'hub',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      // Every request must reach the slow shard; the breaker must not skip it (a skipped call answers at once).
      // Each refused call logs a warning: thousands a second through a pipe to this busy process would measure the pipe.
      env: {
        ENTITY_CACHE: 'off',
        SHARD_TIMEOUT_MS: String(SHARD_TIMEOUT_MS),
        BREAKER_THRESHOLD: '1000',
        LOG_LEVEL: 'error',
      },
    });
    const body = requestBody(UNIT_BY_ID, { id: OVERHEAD_UNIT });
    await expectData(hub.url, body, 'the hub through the slow shard');
    const seconds = Math.max(15, settings.seconds * 3);
    context.log(`  ${settings.rounds} rounds × ${seconds} s, ${CONNECTIONS} connections`);
    const runs: Array<RunStats & { hub: Record<string, number>; loadPauseMs: number }> = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      const before = await hubCounts(hub.url);
      // autocannon times answers in this process: a pause here lengthens them as much as one in the hub.
      const loadPauses = monitorEventLoopDelay({ resolution: 10 });
      loadPauses.enable();
      const stats = await runLoad(
        { name: 'hub', url: hub.url, body, connections: CONNECTIONS, processes: { gateway: [hub.pid] } },
        seconds,
      );
      loadPauses.disable();
      const loadPauseMs = loadPauses.max / 1e6;
      const after = await hubCounts(hub.url);
      const counts = Object.fromEntries(
        [...after].map(([key, n]) => [key, key === 'pauseMs' ? n : n - (before.get(key) ?? 0)]),
      );
      runs.push({ ...stats, hub: counts, loadPauseMs });
      context.log(
        `  round ${round + 1}/${settings.rounds}  ${stats.rps.toFixed(0)} req/s  p50 ${stats.p50.toFixed(1)} ms  p99 ${stats.p99.toFixed(1)} ms  p100 ${stats.max.toFixed(1)} ms  ` +
          `(established connections ${stats.maxEstablished.toFixed(1)} ms, first request of a connection ${stats.maxFirstOnConnection.toFixed(1)} ms)  ` +
          `${stats.timeouts} unanswered after 10 s  load generator's longest pause ${loadPauseMs.toFixed(0)} ms  hub ${JSON.stringify(counts)}`,
      );
    }
    const bound = SHARD_TIMEOUT_MS + LATE_MS;
    const worst = Math.max(...runs.map((r) => r.maxEstablished));
    const worstFirst = Math.max(...runs.map((r) => r.maxFirstOnConnection));
    const unanswered = runs.reduce((sum, r) => sum + r.timeouts, 0);
    const hubCount = (r: (typeof runs)[number], key: string) => r.hub[key] ?? 0;
    const hubOver10s = runs.reduce((sum, r) => sum + hubCount(r, 'le:+Inf') - hubCount(r, 'le:10'), 0);
    return {
      settings: {
        query: `unit(id: "${OVERHEAD_UNIT}")`,
        connections: CONNECTIONS,
        shardDelayMs: SHARD_DELAY_MS,
        shardTimeoutMs: SHARD_TIMEOUT_MS,
        bulkhead: '32 in flight, 32 queued (defaults)',
        rounds: settings.rounds,
        secondsPerRun: seconds,
      },
      tables: [
        {
          caption: `every answer, per round (bound: SHARD_TIMEOUT_MS + ${LATE_MS} ms = ${bound} ms)`,
          columns: [
            'round',
            'answers',
            'req/s',
            'p50 ms',
            'p99 ms',
            'p100 ms',
            'p100 established ms',
            'p100 first on connection ms',
            'unanswered',
            'load generator longest pause ms',
            'hub CPU cores',
            'hub longest pause ms',
            'hub > 5 s',
            'hub > 10 s',
            'shard calls ok',
            'timeout',
            'overloaded',
          ],
          rows: runs.map((r, i) => [
            String(i + 1),
            fmt.int(r.requests),
            fmt.int(r.rps),
            fmt.ms(r.p50),
            fmt.ms(r.p99),
            fmt.ms(r.max),
            fmt.ms(r.maxEstablished),
            fmt.ms(r.maxFirstOnConnection),
            String(r.timeouts),
            fmt.int(r.loadPauseMs),
            (((r.cpuMsPerRequest.gateway ?? Number.NaN) * r.rps) / 1_000).toFixed(2),
            fmt.int(hubCount(r, 'pauseMs')),
            fmt.int(hubCount(r, 'le:+Inf') - hubCount(r, 'le:5')),
            fmt.int(hubCount(r, 'le:+Inf') - hubCount(r, 'le:10')),
            fmt.int(hubCount(r, 'ok')),
            fmt.int(hubCount(r, 'timeout')),
            fmt.int(hubCount(r, 'overloaded')),
          ]),
        },
      ],
      targets: [
        {
          target: `p100 ≤ SHARD_TIMEOUT_MS + ${LATE_MS} ms (${bound} ms) on established connections, every request answered (load generator's clock)`,
          measured: `${fmt.ms(worst)} ms, ${unanswered} unanswered`,
          met: worst <= bound && unanswered === 0,
        },
        // Informational: the hub cannot bound the time before it accepts a connection.
        {
          target: 'slowest first request of a connection, from connecting to the answer',
          measured: `${fmt.ms(worstFirst)} ms`,
          met: null,
        },
        // Informational: the histogram holds only the answers the hub gave, not a request it never finished.
        {
          target: 'answers the hub gave later than 10 s after arrival (its own clock, its latency histogram)',
          measured: `${hubOver10s}`,
          met: null,
        },
      ],
      notes: [
        "Every round opens its 200 connections at once. autocannon times a connection's first request from the moment it starts connecting, so that answer also holds the wait until the hub accepts the connection: measured at up to 3.4 s: the handshakes complete at once, but the hub, saturated by the refused requests of the connections already open, takes the rest from its listen queue (up to 102 waiting) about one per event-loop turn, every 45-100 ms (no SYN retransmitted, no listen queue overflow). A deadline counts from the request's arrival, which the hub cannot see before it accepts the connection, so the target is taken on established connections and the first requests are shown apart.",
        "Latencies are autocannon's, from the load generator on the same machine: they include its own queueing and the time a request waits in the hub's socket before the hub reads it, so they bound the hub's from above.",
        '"hub longest pause" is the longest event-loop delay in the hub during the round (nodejs_eventloop_lag_max_seconds): a deadline timer fires that much late at worst.',
        '"hub > 5 s" and "hub > 10 s" count answers by the hub\'s own request-duration histogram (from arrival to answer; its buckets are 5 s and 10 s, so an answer at 5.0x s counts over 5 s): the shard calls cut at the deadline land there.',
        'Calls refused by the full bulkhead answer at once (SHARD_UNAVAILABLE, overloaded) and their connections ask again, so most answers are fast refusals; p100 is the figure that matters here.',
      ],
      raw: runs,
    };
  },
};
