import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort, startGatewayProcess, startShardProcess } from '../../scripts/processes';
import { projectRoot } from '../../platform/project-root';
import type { BenchContext, Scenario } from '../lib/context';
import { cpuMs, rssMb } from '../lib/processes';
import { fmt } from '../lib/report';

const SOCKETS = Number(process.env.BENCH_WS_SOCKETS ?? 1_000);
/** The hub's default anonymous message cap (WS_MAX_ANONYMOUS_MESSAGE_BYTES). */
const ANONYMOUS_CAP = 65_536;
/** Anonymous sockets per client address by default (WS_MAX_ANONYMOUS_PER_IP): the flood spreads over loopback addresses. */
const PER_ADDRESS = 32;
/** The old cap (ws's default, 100 MiB) on a few sockets, carrying as many bytes in all as the flood does. */
const OLD_SOCKETS = 4;
const OLD_MESSAGE_BYTES = 16 * 1_048_576;
const OVERSIZED_SOCKETS = 200;
const OVERSIZED_BYTES = 1_048_576;

interface Flood {
  sockets: number;
  messageBytes: number;
  /** How the sockets ended: 'ack' (connection acknowledged), or a close code. */
  outcomes: Record<string, number>;
  rssBeforeMb: number;
  rssPeakMb: number;
  loopDelayMaxMs: number;
  /** CPU the gateway spent from the first send to the last answer: the work itself, whatever else the machine runs. */
  cpuMs: number;
  seconds: number;
}

/** A connection_init of exactly `bytes` bytes, its padding in a connection parameter the hub ignores. */
function initMessage(bytes: number): string {
  const empty = JSON.stringify({ type: 'connection_init', payload: { padding: '' } });
  return JSON.stringify({
    type: 'connection_init',
    payload: { padding: 'x'.repeat(Math.max(0, bytes - empty.length)) },
  });
}

/** The gateway's event-loop delay (perf_hooks monitorEventLoopDelay, through prom-client) since the last scrape, in ms. */
async function loopDelayMaxMs(hubUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', hubUrl))).text();
  return Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]) * 1_000;
}

async function open(url: string, count: number, addressOf: (i: number) => string): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, (_, j) => {
      const socket = new WebSocket(url, 'graphql-transport-ws', { localAddress: addressOf(start + j) });
      socket.on('error', () => undefined);
      return new Promise<WebSocket>((resolve, reject) => {
        socket.once('open', () => resolve(socket));
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`upgrade refused with ${response.statusCode}`)),
        );
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

/** Opens the sockets, then has every one send one message at once; RSS sampled every 20 ms until each has its answer. */
async function flood(
  hubUrl: string,
  pid: number,
  count: number,
  messageBytes: number,
  addressOf: (i: number) => string,
): Promise<Flood> {
  const sockets = await open(hubUrl.replace(/^http/, 'ws'), count, addressOf);
  const message = initMessage(messageBytes);
  const rssBeforeMb = rssMb(pid) ?? Number.NaN;
  await loopDelayMaxMs(hubUrl);
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(() => {
    rssPeakMb = Math.max(rssPeakMb, rssMb(pid) ?? 0);
  }, 20);
  const started = performance.now();
  const cpuBefore = cpuMs(pid) ?? Number.NaN;
  const outcomes = await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<string>((resolve) => {
          socket.on('message', (data) => {
            if ((data as Buffer).toString().includes('connection_ack')) resolve('ack');
          });
          socket.once('close', (code) => resolve(`close ${code}`));
          socket.send(message);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1_000;
  const cpu = (cpuMs(pid) ?? Number.NaN) - cpuBefore;
  clearInterval(sampler);
  const loopDelay = await loopDelayMaxMs(hubUrl);
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) =>
          socket.readyState === WebSocket.CLOSED
            ? resolve()
            : (socket.once('close', () => resolve()), socket.terminate()),
        ),
    ),
  );
  const counted: Record<string, number> = {};
  for (const outcome of outcomes) counted[outcome] = (counted[outcome] ?? 0) + 1;
  return {
    sockets: count,
    messageBytes,
    outcomes: counted,
    rssBeforeMb,
    rssPeakMb,
    loopDelayMaxMs: loopDelay,
    cpuMs: cpu,
    seconds,
  };
}

async function startHub(context: BenchContext, env: Record<string, string>) {
  const root = projectRoot();
  const seedFile = join(root, 'demo', 'institutions', 'rvt.lv.json');
  const shard = await context.cleanup.start((signal) =>
    startShardProcess({
      kind: 'qualifications',
      institution: 'rvt.lv',
      databaseUrl: `sqlite:${join(context.tmp, `rvt-${Date.now()}.sqlite`)}`,
      hopPublicKeys: context.hopKeys.publicKeys,
      seedFile,
      signal,
    }),
  );
  const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { institution: { names: unknown; country: string } };
  const registryPath = join(context.tmp, `ws-flood-${Date.now()}.registry.json`);
  writeFileSync(
    registryPath,
    `${JSON.stringify({ institutions: [{ code: 'rvt.lv', names: seed.institution.names, country: seed.institution.country, shards: { qualifications: shard.url } }] }, null, 2)}\n`,
  );
  const port = await freePort();
  const hub = await context.cleanup.start((signal) =>
    startGatewayProcess(
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        REGISTRY_PATH: registryPath,
        SUPERGRAPH_PATH: context.supergraphPath,
        HUB_HOP_PRIVATE_KEY: context.hopKeys.privateKeyPem,
        RATE_LIMIT_PER_IP: '100000000',
        // The sockets are all opened before any sends: none may time out meanwhile.
        WS_INIT_TIMEOUT_MS: '120000',
        ...env,
      },
      port,
      false,
      [],
      signal,
    ),
  );
  const stop = async () => {
    await hub.stop();
    await shard.stop();
  };
  return { url: hub.url, pid: hub.child.pid ?? -1, stop };
}

const row = (label: string, f: Flood) => [
  label,
  fmt.int(f.sockets),
  fmt.int(f.messageBytes),
  Object.entries(f.outcomes)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', '),
  fmt.num(f.rssBeforeMb, 0),
  fmt.num(f.rssPeakMb, 0),
  fmt.ms(f.loopDelayMaxMs),
  fmt.int(f.cpuMs),
  fmt.num(f.seconds, 2),
];

function bufferutilInstalled(): boolean {
  try {
    require.resolve('bufferutil');
    return true;
  } catch {
    return false;
  }
}

/** Issue 15's measure: 1,000 anonymous sockets each sending the largest message they may, against the old 100 MiB cap. */
export const wsFlood: Scenario = {
  name: 'ws-flood',
  title: 'WebSocket flood: 1,000 anonymous sockets, each one maximal message',
  estimate: '~1 min',
  async run(context) {
    const addressOf = (i: number) => `127.0.1.${1 + Math.floor(i / PER_ADDRESS)}`;
    const hub = await startHub(context, {});
    // What the machine's other work alone does to the gateway's loop: the baseline of the figures below.
    await loopDelayMaxMs(hub.url);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleLoopDelayMs = await loopDelayMaxMs(hub.url);
    context.log(
      `  ${SOCKETS} anonymous sockets over ${Math.ceil(SOCKETS / PER_ADDRESS)} loopback addresses, ${fmt.int(ANONYMOUS_CAP)} bytes each`,
    );
    const allowed = await flood(hub.url, hub.pid, SOCKETS, ANONYMOUS_CAP, addressOf);
    context.log(`  ${OVERSIZED_SOCKETS} anonymous sockets, ${fmt.int(OVERSIZED_BYTES)} bytes each (over the cap)`);
    const oversized = await flood(hub.url, hub.pid, OVERSIZED_SOCKETS, OVERSIZED_BYTES, addressOf);
    await hub.stop();
    // The old behaviour: ws's 100 MiB default. MAX_BODY_BYTES is raised too, as the anonymous cap never exceeds it.
    const old = await startHub(context, { WS_MAX_ANONYMOUS_MESSAGE_BYTES: '100000000', MAX_BODY_BYTES: '100000000' });
    context.log(`  old cap: ${OLD_SOCKETS} anonymous sockets, ${fmt.int(OLD_MESSAGE_BYTES)} bytes each`);
    const before = await flood(old.url, old.pid, OLD_SOCKETS, OLD_MESSAGE_BYTES, addressOf);
    await old.stop();
    const worst = Math.max(allowed.rssPeakMb, oversized.rssPeakMb);
    const pause = Math.max(allowed.loopDelayMaxMs, oversized.loopDelayMaxMs);
    return {
      settings: {
        sockets: SOCKETS,
        message: `connection_init padded to the anonymous cap (${ANONYMOUS_CAP} bytes), all sent at once once every socket is open`,
        addresses: `127.0.1.x, ${PER_ADDRESS} sockets each (the default WS_MAX_ANONYMOUS_PER_IP)`,
        gateway:
          'one process, NODE_ENV=production, one qualifications shard; WS_INIT_TIMEOUT_MS=120000 so that no socket times out while the rest open',
        bufferutil: bufferutilInstalled()
          ? 'installed (ws unmasks frames natively)'
          : 'not installed: ws unmasks frames in JavaScript (npm ci installs it)',
        loopDelay:
          'nodejs_eventloop_lag_max_seconds from /metrics (perf_hooks monitorEventLoopDelay, 10 ms resolution), reset by a scrape just before the sends',
      },
      tables: [
        {
          caption: 'gateway under one message from every socket',
          columns: [
            'flood',
            'sockets',
            'bytes each',
            'outcome',
            'RSS before MB',
            'RSS peak MB',
            'loop delay max ms',
            'gateway CPU ms',
            'seconds',
          ],
          rows: [
            row('allowed size, hub caps', allowed),
            row('over the cap, hub caps', oversized),
            row('old cap: ~100 MB per message', before),
          ],
        },
      ],
      targets: [
        {
          target: `gateway RSS < 512 MB while ${SOCKETS} anonymous sockets each send a maximal message`,
          measured: `${fmt.num(worst, 0)} MB peak`,
          met: worst < 512,
        },
        { target: 'no event-loop pause over 100 ms meanwhile', measured: `${fmt.ms(pause)} ms max`, met: pause <= 100 },
      ],
      notes: [
        "The old cap is emulated with today's code and WS_MAX_ANONYMOUS_MESSAGE_BYTES = MAX_BODY_BYTES = 100,000,000 (ws's default was 100 MiB); the same connection_init messages, so it shows what one large message costs to receive and parse, not the unbounded parse of a large subscribe that the old code also did.",
        `Same bytes in all for the old cap (${OLD_SOCKETS} × ${OLD_MESSAGE_BYTES / 1_048_576} MiB) as for the flood (${SOCKETS} × 64 KiB): what the old cap costs comes from one message being large, not from the total.`,
        'Oversized messages are refused from the frame header (close 1009) and the rest of each is discarded unread.',
        `Idle, the same gateway's loop delay max over 2 s was ${fmt.ms(idleLoopDelayMs)} ms: what other work on the machine adds to every figure.`,
        'The sockets run in the bench process on the same 2 cores as the gateway; the loop delay is wall-clock time, so other work on the machine (see the load average) adds to it, while gateway CPU does not depend on it.',
      ],
      raw: { idleLoopDelayMs, allowed, oversized, before },
    };
  },
};
