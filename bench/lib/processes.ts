import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  distEntry,
  freePort,
  startGatewayProcess,
  startProcess,
  startShardProcess,
  waitUntilUp,
  type ManagedProcess,
} from '../../scripts/processes';
import type { JSONWebKeySet } from 'jose';
import { projectRoot } from '../../platform/project-root';
import type { HopKeyPair } from '../../platform/hop-keys';
import type { Cleanup } from './cleanup';

/** A process the bench started and measures: where it answers, its pid for CPU accounting, how to stop it. */
export interface Service {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function register(cleanup: Cleanup, managed: ManagedProcess & { url: string }): Service {
  cleanup.track(managed.child);
  const stop = cleanup.add(`stop ${managed.name}`, () => managed.stop(), 'processes');
  return { name: managed.name, url: managed.url, pid: managed.child.pid ?? -1, stop };
}

/** A process started through `Cleanup.start`, which already owns it. */
function serviceOf(started: ManagedProcess & { url: string }): Service {
  return { name: started.name, url: started.url, pid: started.child.pid ?? -1, stop: () => started.stop() };
}

/**
 * startProcess with its child tracked from the spawn, not from its first healthy answer: a bench stopped while the
 * process is still starting SIGKILLs it too (it has its own process group, so nothing else would).
 */
function startTracked(cleanup: Cleanup, ...start: Parameters<typeof startProcess>): ManagedProcess {
  const managed = startProcess(...start);
  cleanup.track(managed.child);
  return managed;
}

async function withRetry<T>(what: string, attempts: number, start: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      // Cancelled because the bench is stopping (Cleanup.start): nothing to try again.
      if ((error as Error).name === 'AbortError') throw error;
      last = error;
      // A port picked by freePort() can be taken by another process before ours binds it: try again.
      console.error(
        `bench: ${what} failed to start (attempt ${attempt}/${attempts}): ${String((error as Error).message).split('\n')[0]}`,
      );
    }
  }
  throw last;
}

export interface ShardSpec {
  institution: string;
  databaseUrl: string;
  seedFile?: string;
  /** Another build's shard entry point (baselineShardEntry); this build's by default. */
  entry?: string;
}

/** Qualifications shard processes (dist/subgraphs/qualifications/main.js), `concurrency` starting at a time. */
export async function startShards(
  cleanup: Cleanup,
  specs: readonly ShardSpec[],
  hopPublicKeys: JSONWebKeySet,
  concurrency = 4,
): Promise<Service[]> {
  const services: Service[] = new Array<Service>(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next;
      next += 1;
      const spec = specs[index] as ShardSpec;
      services[index] = await withRetry(`shard ${spec.institution}`, 2, async () => {
        const port = await freePort();
        return serviceOf(
          await cleanup.start((signal) =>
            startShardProcess({
              kind: 'qualifications',
              institution: spec.institution,
              databaseUrl: spec.databaseUrl,
              port,
              hopPublicKeys,
              ...(spec.seedFile ? { seedFile: spec.seedFile } : {}),
              ...(spec.entry ? { entry: spec.entry } : {}),
              signal,
            }),
          ),
        );
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  return services;
}

export interface RegistryInstitution {
  code: string;
  names: Array<{ lang: string; value: string }>;
  country: string;
  shardUrl: string;
}

/** Writes a registry file for the hub: these institutions, each with its qualifications shard. */
export function writeRegistry(dir: string, name: string, institutions: readonly RegistryInstitution[]): string {
  const path = join(dir, `${name}.registry.json`);
  const json = {
    institutions: institutions.map((i) => ({
      code: i.code,
      names: i.names,
      country: i.country,
      shards: { qualifications: i.shardUrl },
    })),
  };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  return path;
}

/** The hub (dist/gateway/main.js, or another build's `entry`) on a registry, serving the committed supergraph. */
export async function startHub(
  cleanup: Cleanup,
  options: {
    name: string;
    registryPath: string;
    supergraphPath: string;
    hopKeys: HopKeyPair;
    nodeArgs?: string[];
    env?: Record<string, string>;
    /** Another build's gateway entry (see `baselineEntry`); default: this checkout's dist/gateway/main.js. */
    entry?: string;
  },
): Promise<Service> {
  return withRetry(options.name, 2, async () => {
    const env = {
      REGISTRY_PATH: options.registryPath,
      SUPERGRAPH_PATH: options.supergraphPath,
      HUB_HOP_PRIVATE_KEY: options.hopKeys.privateKeyPem,
      // One load generator on one IP, with one institution's token, would hit the per-IP and per-institution
      // limits within seconds and be answered 429s, which are cheap; the limiter still runs on every request.
      RATE_LIMIT_PER_IP: '100000000',
      RATE_LIMIT_PER_INSTITUTION: '100000000',
      // Scenarios measure the fan-out unless they ask for the catalogue (CATALOG=on) themselves.
      CATALOG: 'off',
      ...options.env,
    };
    const port = await freePort();
    if (!options.entry) {
      return serviceOf(
        await cleanup.start(async (signal) => ({
          ...(await startGatewayProcess(env, port, false, options.nodeArgs ?? [], signal)),
          name: options.name,
        })),
      );
    }
    const managed = startTracked(
      cleanup,
      options.name,
      options.entry,
      { ...env, PORT: String(port), HOST: '127.0.0.1' },
      { nodeArgs: options.nodeArgs },
    );
    try {
      await waitUntilUp(managed, `http://127.0.0.1:${port}/health/live`);
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
    return register(cleanup, { ...managed, url: `http://127.0.0.1:${port}/graphql` });
  });
}

/**
 * BENCH_BASELINE: a built checkout of another revision (its dist/gateway/main.js), run beside this one's hub so
 * that a change to the hot path is measured against its parent in the same run, on the same load.
 */
export function baselineEntry(): string | null {
  return baselineDistFile('gateway', 'main.js');
}

/** BENCH_BASELINE's qualifications shard (its dist/subgraphs/qualifications/main.js), or null without one. */
export function baselineShardEntry(): string | null {
  return baselineDistFile('subgraphs', 'qualifications', 'main.js');
}

/** A file of BENCH_BASELINE's build (under its dist/), or null without one. */
export function baselineDistFile(...path: string[]): string | null {
  const folder = process.env.BENCH_BASELINE;
  if (!folder) return null;
  const entry = join(folder, 'dist', ...path);
  if (!existsSync(entry)) throw new Error(`BENCH_BASELINE=${folder}: no ${entry} (build that checkout first)`);
  return entry;
}

/** Polls with a GraphQL POST until the server answers 200, it exits, or `timeoutMs` passes. */
async function waitForGraphQL(managed: ManagedProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null || managed.child.signalCode !== null)
      throw new Error(
        `${managed.name} exited with ${managed.child.signalCode ?? `code ${managed.child.exitCode}`}:\n${managed.output()}`,
      );
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(1_000),
      });
      if (answer.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${managed.name} did not answer at ${url} within ${timeoutMs} ms:\n${managed.output()}`);
}

/** Stock @apollo/gateway + @apollo/server (bench/stock-gateway.ts) on a supergraph that names the shard's URL. */
export async function startStockGateway(
  cleanup: Cleanup,
  options: { supergraphPath: string; nodeArgs?: string[] },
): Promise<Service> {
  return withRetry('stock gateway', 2, async () => {
    const port = await freePort();
    const managed = startTracked(
      cleanup,
      'stock @apollo/gateway',
      distEntry('bench', 'stock-gateway.js'),
      { SUPERGRAPH_PATH: options.supergraphPath, PORT: String(port) },
      { nodeArgs: options.nodeArgs ?? [] },
    );
    const url = `http://127.0.0.1:${port}/`;
    try {
      await waitForGraphQL(managed, url);
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
    return register(cleanup, { ...managed, url });
  });
}

/**
 * Hive Gateway (`hive-gateway supergraph <file>`, production mode, its own process) on a supergraph that names
 * the shards' URLs, with the bench's config (bench/hive-gateway.config.ts; `env` may turn on its hop signing).
 */
export async function startHiveGateway(
  cleanup: Cleanup,
  options: { supergraphPath: string; name?: string; env?: Record<string, string>; nodeArgs?: string[] },
): Promise<Service> {
  const name = options.name ?? 'Hive Gateway';
  return withRetry(name, 2, async () => {
    const port = await freePort();
    const managed = startTracked(
      cleanup,
      name,
      join(projectRoot(), 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
      { NODE_ENV: 'production', ...options.env },
      {
        nodeArgs: options.nodeArgs ?? [],
        args: [
          'supergraph',
          options.supergraphPath,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--config-path',
          distEntry('bench', 'hive-gateway.config.js'),
        ],
      },
    );
    const url = `http://127.0.0.1:${port}/graphql`;
    try {
      await waitForGraphQL(managed, url);
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
    return register(cleanup, { ...managed, url });
  });
}

/**
 * The bench's floor (bench/bare-proxy.ts): a bare Node.js proxy that parses, signs a hop with `hopKeys` for each
 * upstream's audience, calls every upstream, parses and writes; no GraphQL.
 */
export async function startBareProxy(
  cleanup: Cleanup,
  options: { name: string; hopKeys: HopKeyPair; upstreams: ReadonlyArray<{ url: string; audience: string }> },
): Promise<Service> {
  return withRetry(options.name, 2, async () => {
    const port = await freePort();
    const managed = startTracked(cleanup, options.name, distEntry('bench', 'bare-proxy.js'), {
      PORT: String(port),
      HUB_HOP_PRIVATE_KEY: options.hopKeys.privateKeyPem,
      BARE_UPSTREAMS: JSON.stringify(options.upstreams),
    });
    try {
      await waitUntilUp(managed, `http://127.0.0.1:${port}/health`);
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
    return register(cleanup, { ...managed, url: `http://127.0.0.1:${port}/graphql` });
  });
}

/** `count` distinct ports that were free a moment ago. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt += 1) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free ports`);
  return [...ports];
}

/**
 * Recording/replaying stand-ins for shards (bench/replay-shards.ts), all in one process: the first answer
 * to each request body comes from the upstream shard, later ones from memory; each held `delayMs` when given.
 */
export async function startReplayShards(
  cleanup: Cleanup,
  upstreams: readonly string[],
  delayMs = 0,
): Promise<{ service: Service; urls: string[] }> {
  return startStandIns(cleanup, 'replaying shards', 'replay-shards.js', upstreams.length, (ports) => ({
    REPLAY_SHARDS: JSON.stringify(ports.map((port, i) => ({ port, upstream: upstreams[i], delayMs }))),
  }));
}

/** One bench process standing in for `count` shards, one port each; up once the last port answers `/health`. */
function startStandIns(
  cleanup: Cleanup,
  name: string,
  entry: string,
  count: number,
  envFor: (ports: number[]) => Record<string, string>,
): Promise<{ service: Service; urls: string[] }> {
  return withRetry(name, 2, async () => {
    const ports = await freePorts(count);
    const managed = startTracked(cleanup, name, distEntry('bench', entry), envFor(ports));
    try {
      await waitUntilUp(managed, `http://127.0.0.1:${ports.at(-1)}/health`);
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
    const urls = ports.map((port) => `http://127.0.0.1:${port}/graphql`);
    return { service: register(cleanup, { ...managed, url: urls[0] ?? '' }), urls };
  });
}

/**
 * Stand-ins for shards answering the statistics fan-out with base cells counted beforehand (bench/cell-shards.ts),
 * all in one process: one URL per batch of base cells, in order.
 */
export async function startCellShards(
  cleanup: Cleanup,
  dir: string,
  batches: readonly unknown[],
): Promise<{ service: Service; urls: string[] }> {
  return startStandIns(cleanup, 'cell shards', 'cell-shards.js', batches.length, (ports) => {
    const file = join(dir, 'cell-shards.json');
    writeFileSync(file, JSON.stringify(ports.map((port, i) => ({ port, batch: batches[i] }))));
    return { CELL_SHARDS_FILE: file };
  });
}

let clockTicks: number | null = null;

function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * A hub's longest event-loop delay since the last ask, ms: its metrics report the most since they were last read
 * (`nodejs_eventloop_lag_max_seconds`). Asked every second through a window, so another reader of `/metrics` would
 * only hide stalls, not make them up.
 */
export async function longestStallMs(hub: Service): Promise<number> {
  const text = await (await fetch(new URL('/metrics', hub.url))).text();
  const line = text.split('\n').find((one) => one.startsWith('nodejs_eventloop_lag_max_seconds'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) * 1_000 : Number.NaN;
}

/** User + system CPU time a process has used so far, in ms (Linux /proc); null when unknown. */
export function cpuMs(pid: number): number | null {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1_000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000) / ticksPerSecond() : null;
  } catch {
    return null;
  }
}

/** Resident memory of a process in MB (Linux /proc); null when unknown. */
export function rssMb(pid: number): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
