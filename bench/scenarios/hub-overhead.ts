import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cleanup } from '../lib/cleanup';
import type { Scenario } from '../lib/context';
import { alternate, expectData, type LoadTarget, type Summary } from '../lib/load';
import { hopAudience } from '../../platform/signed-hop';
import { baselineEntry, startBareProxy, startHiveGateway, startHub } from '../lib/processes';
import { fmt } from '../lib/report';
import {
  OVERHEAD_INSTITUTION,
  OVERHEAD_UNIT,
  SINGLE_SHARD_COLUMNS,
  singleShardRow,
  startSingleShard,
} from './single-shard';

const CONNECTIONS = 10;
/** The floor's target name (bench/bare-proxy.ts). */
const BARE = 'bare Node proxy (floor)';

/** An OTLP/HTTP collector stand-in that takes every export (POST /v1/traces) and counts the requests. */
async function startTraceSink(cleanup: Cleanup): Promise<{ url: string; exports: () => number }> {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/v1/traces') exports += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanup.add('stop the trace sink', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports: () => exports };
}

/** Scenario 1: what the hub costs over calling the owning shard directly, and over a stock Apollo gateway. */
export const hubOverhead: Scenario = {
  name: 'hub-overhead',
  title: 'Hub overhead: unit(id) with its learning outcomes',
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const { shard, hub, stock, body, registryPath, shardSupergraphPath } = await startSingleShard(
      context,
      context.cleanup,
      {
        tag: 'hub-overhead',
        // The routing cost itself: every request reaches the shard (the entity-cache scenario measures the cache).
        hubEnv: { ENTITY_CACHE: 'off' },
      },
    );
    // The same hub exporting a span per request and per shard call (OTLP/HTTP JSON, batched) to a local stand-in.
    const sink = await startTraceSink(context.cleanup);
    const traced = await startHub(context.cleanup, {
      name: 'hub, tracing on',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { ENTITY_CACHE: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    });
    await expectData(traced.url, body, 'unit(id) via the hub with tracing on');
    // The same hub sending every query on its own: what sharing identical in-flight queries is worth here.
    const unshared = await startHub(context.cleanup, {
      name: 'hub, in-flight sharing off',
      registryPath,
      supergraphPath: context.supergraphPath,
      hopKeys: context.hopKeys,
      env: { ENTITY_CACHE: 'off', SHARD_SHARE_INFLIGHT: 'off' },
    });
    await expectData(unshared.url, body, 'unit(id) via the hub with in-flight sharing off');
    // With BENCH_BASELINE, the same two hubs (sharing on and off) as another build runs them, loaded in turn with these.
    const baseline = baselineEntry();
    const baselineHubs: Array<{ name: string; env: Record<string, string> }> = [
      { name: 'hub (baseline)', env: { ENTITY_CACHE: 'off' } },
      {
        name: 'hub, in-flight sharing off (baseline)',
        env: { ENTITY_CACHE: 'off', SHARD_SHARE_INFLIGHT: 'off' },
      },
    ];
    const baselines = baseline
      ? await Promise.all(
          baselineHubs.map(async ({ name, env }) => {
            const service = await startHub(context.cleanup, {
              name,
              registryPath,
              supergraphPath: context.supergraphPath,
              hopKeys: context.hopKeys,
              env,
              entry: baseline,
            });
            await expectData(service.url, body, `unit(id) via the ${name}`);
            return service;
          }),
        )
      : [];
    const hive = await startHiveGateway(context.cleanup, { supergraphPath: shardSupergraphPath });
    const hiveAnswer = await expectData(hive.url, body, 'unit(id) via Hive Gateway');
    const hubAnswer = await expectData(hub.url, body, 'unit(id) via the hub');
    if (JSON.stringify(hiveAnswer) !== JSON.stringify(hubAnswer))
      throw new Error(
        `Hive Gateway and the hub answer differently:\n${JSON.stringify(hiveAnswer)}\n${JSON.stringify(hubAnswer)}`,
      );
    // The floor: what Node.js costs a gateway that only parses, signs, calls the same shard, parses and writes.
    const bare = await startBareProxy(context.cleanup, {
      name: BARE,
      hopKeys: context.hopKeys,
      upstreams: [{ url: shard.url, audience: hopAudience('qualifications', OVERHEAD_INSTITUTION) }],
    });
    const bareAnswer = await expectData(bare.url, body, `unit(id) via the ${BARE}`);
    if (JSON.stringify(bareAnswer) !== JSON.stringify(hubAnswer))
      throw new Error(`the ${BARE} and the hub answer differently:\n${JSON.stringify(bareAnswer)}`);
    const targets: LoadTarget[] = [
      {
        name: 'direct shard',
        url: shard.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [], shard: [shard.pid] },
      },
      {
        name: 'hub',
        url: hub.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [hub.pid], shard: [shard.pid] },
      },
      {
        name: 'hub, tracing on',
        url: traced.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [traced.pid], shard: [shard.pid] },
      },
      {
        name: 'hub, in-flight sharing off',
        url: unshared.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [unshared.pid], shard: [shard.pid] },
      },
      ...baselines.map((service): LoadTarget => ({
        name: service.name,
        url: service.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [service.pid], shard: [shard.pid] },
      })),
      {
        name: 'stock @apollo/gateway',
        url: stock.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [stock.pid], shard: [shard.pid] },
      },
      {
        name: 'Hive Gateway',
        url: hive.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [hive.pid], shard: [shard.pid] },
      },
      {
        name: BARE,
        url: bare.url,
        body,
        connections: CONNECTIONS,
        processes: { gateway: [bare.pid], shard: [shard.pid] },
      },
    ];
    context.log(
      `  ${targets.length} targets × ${settings.rounds} rounds × ${settings.seconds} s, ${CONNECTIONS} connections`,
    );
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: 2,
      log: context.log,
    });
    const get = (name: string) => summaries.get(name) as Summary;
    const direct = get('direct shard');
    const viaHub = get('hub');
    const viaStock = get('stock @apollo/gateway');
    const viaTraced = get('hub, tracing on');
    const viaHive = get('Hive Gateway');
    const viaUnshared = get('hub, in-flight sharing off');
    const viaBare = get(BARE);
    const bareCpu = viaBare.cpuMsPerRequest.gateway ?? Number.NaN;
    const hubVsHive = viaHub.rps / viaHive.rps;
    const hubCpu = viaHub.cpuMsPerRequest.gateway ?? Number.NaN;
    const row = singleShardRow(direct);
    const hubVsDirect = viaHub.rps / direct.rps;
    const hubVsStock = viaHub.rps / viaStock.rps;
    return {
      settings: {
        query: `unit(id: "${OVERHEAD_UNIT}") with 6 learning outcomes`,
        connections: CONNECTIONS,
        rounds: settings.rounds,
        secondsPerRun: settings.seconds,
        warmupSeconds: 2,
      },
      tables: [
        {
          caption: 'unit(id) — medians over rounds',
          columns: SINGLE_SHARD_COLUMNS,
          rows: [
            row('direct shard', direct),
            row('hub', viaHub),
            row('hub, tracing on', viaTraced),
            row('hub, in-flight sharing off', viaUnshared),
            ...baselines.map((service) => row(service.name, get(service.name))),
            row('stock @apollo/gateway', viaStock),
            row('Hive Gateway', viaHive),
            row(BARE, viaBare),
          ],
        },
        {
          caption: 'ratios',
          columns: ['ratio', 'req/s', 'p50', 'p99'],
          rows: [
            [
              'hub / direct shard',
              fmt.ratio(hubVsDirect),
              fmt.ratio(viaHub.p50 / direct.p50),
              fmt.ratio(viaHub.p99 / direct.p99),
            ],
            [
              'hub / stock @apollo/gateway',
              fmt.ratio(hubVsStock),
              fmt.ratio(viaHub.p50 / viaStock.p50),
              fmt.ratio(viaHub.p99 / viaStock.p99),
            ],
            [
              'hub / Hive Gateway',
              fmt.ratio(hubVsHive),
              fmt.ratio(viaHub.p50 / viaHive.p50),
              fmt.ratio(viaHub.p99 / viaHive.p99),
            ],
            [
              'hub, in-flight sharing off / Hive Gateway',
              fmt.ratio(viaUnshared.rps / viaHive.rps),
              fmt.ratio(viaUnshared.p50 / viaHive.p50),
              fmt.ratio(viaUnshared.p99 / viaHive.p99),
            ],
            [
              'gateway CPU per request, hub / Hive Gateway',
              fmt.ratio(hubCpu / (viaHive.cpuMsPerRequest.gateway ?? Number.NaN)),
              '',
              '',
            ],
            ...baselines.map((service) => {
              const [currentName, current] = service.name.includes('sharing off')
                ? ['hub, in-flight sharing off', viaUnshared]
                : ['hub', viaHub];
              const before = get(service.name);
              return [
                `${currentName} / ${service.name}`,
                fmt.ratio(current.rps / before.rps),
                fmt.ratio(current.p50 / before.p50),
                fmt.ratio(current.p99 / before.p99),
              ];
            }),
            ...baselines.map((service) => {
              const [currentName, current] = service.name.includes('sharing off')
                ? ['hub, in-flight sharing off', viaUnshared]
                : ['hub', viaHub];
              return [
                `gateway CPU per request, ${currentName} / ${service.name}`,
                fmt.ratio(
                  (current.cpuMsPerRequest.gateway ?? Number.NaN) /
                    (get(service.name).cpuMsPerRequest.gateway ?? Number.NaN),
                ),
                '',
                '',
              ];
            }),
            [
              'gateway CPU per request, hub, in-flight sharing off / Hive Gateway',
              fmt.ratio(
                (viaUnshared.cpuMsPerRequest.gateway ?? Number.NaN) / (viaHive.cpuMsPerRequest.gateway ?? Number.NaN),
              ),
              '',
              '',
            ],
            [`gateway CPU per request, hub / ${BARE}`, fmt.ratio(hubCpu / bareCpu), '', ''],
            [
              `gateway CPU per request, hub, in-flight sharing off / ${BARE}`,
              fmt.ratio((viaUnshared.cpuMsPerRequest.gateway ?? Number.NaN) / bareCpu),
              '',
              '',
            ],
            [
              'stock / direct shard',
              fmt.ratio(viaStock.rps / direct.rps),
              fmt.ratio(viaStock.p50 / direct.p50),
              fmt.ratio(viaStock.p99 / direct.p99),
            ],
            [
              'hub tracing on / off',
              fmt.ratio(viaTraced.rps / viaHub.rps),
              fmt.ratio(viaTraced.p50 / viaHub.p50),
              fmt.ratio(viaTraced.p99 / viaHub.p99),
            ],
          ],
        },
      ],
      targets: [
        { target: 'hub ≥ 0.5× direct shard requests/s', measured: fmt.ratio(hubVsDirect), met: hubVsDirect >= 0.5 },
        {
          target: 'hub ≥ 0.9× stock @apollo/gateway requests/s',
          measured: fmt.ratio(hubVsStock),
          met: hubVsStock >= 0.9,
        },
        { target: 'hub ≥ 1.0× Hive Gateway requests/s', measured: fmt.ratio(hubVsHive), met: hubVsHive >= 1 },
        { target: 'hub gateway CPU ≤ 0.25 ms per request', measured: fmt.ms(hubCpu), met: hubCpu <= 0.25 },
        {
          target: `the same target for the ${BARE} (no GraphQL: parse, sign, call, parse, write)`,
          measured: fmt.ms(bareCpu),
          met: null,
        },
      ],
      notes: [
        'All three share the machine with the load generator; on a 2-core machine the gateway and the shard compete for the CPU, so "× direct" is bounded by the CPU each request costs in both processes (see the CPU columns).',
        'The hub signs every hop (Ed25519) and the shard verifies it; the stock gateway, Hive Gateway and the direct calls are unsigned.',
        'Hive Gateway 2.15 (@graphql-hive/gateway) runs as its own process in production mode (NODE_ENV=production, `hive-gateway supergraph`), on the same one-subgraph supergraph as the stock gateway.',
        `"hub" propagates W3C trace context (always on) with no exporter: no OpenTelemetry SDK is loaded. "hub, tracing on" is the same hub with OTEL_EXPORTER_OTLP_ENDPOINT set, exporting a span per request and per shard call to a local stand-in collector (${sink.exports()} export requests received); the shard does not export in either.`,
        'Identical queries in flight at once share one shard call, in the hub (same caller, text and variables) as in Hive Gateway (its default): with 10 connections sending the same read, most requests ride on a call already on its way, so both can pass the shard called directly. "hub, in-flight sharing off" (SHARD_SHARE_INFLIGHT=off) sends every request on its own.',
        `"${BARE}" (bench/bare-proxy.ts) is no gateway — no GraphQL: parse, sign, call, parse, write. A plain node:http server that JSON.parses the request, sends it unchanged to the shard over an undici pool set up as the hub's, with a hop signed by the hub's own signer (one Ed25519 signature), JSON.parses the answer and writes it; no validation, planning, limits, auth, deadlines, tracing or metrics. Its CPU per request is what Node.js costs a process that only moves this request with the hub's signed hop. It sends every request on its own (no in-flight sharing): its like is "hub, in-flight sharing off".`,
        'The hub runs with its entity cache off here (ENTITY_CACHE=off), so every request reaches the shard; scenario entity-cache measures it with the cache on.',
      ],
      raw: Object.fromEntries(summaries),
    };
  },
};
