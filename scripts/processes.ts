import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { projectRoot } from '../platform/project-root';

/** Starting the hub's processes (shards and gateway) and waiting until they answer: for the demo, tests and benchmarks. */

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Output so far, for reports when it fails. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const handedOut = new Set<number>();

/** Where ports are handed out from: below the OS's ephemeral range, one stretch per process to start in. */
const PORTS_FROM = 10_000;
const STRETCH = 500;

/**
 * A port that was free a moment ago, never the same one twice in this process. Ports are chosen before the
 * processes that listen on them start. A port from the OS's ephemeral range (what `listen(0)` gives) can meanwhile
 * become the local end of any outgoing connection on the machine, and the listener then fails with EADDRINUSE; so
 * ports come from below that range, where only listeners take them. Each process starts in its own stretch (by
 * Jest worker, else by process ID) at a random place, so that two processes seldom try the same port.
 */
export async function freePort(): Promise<number> {
  const range = handOutRange();
  if (!range) {
    for (;;) {
      const port = await osPickedPort();
      if (!handedOut.has(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  const size = range.below - range.from;
  if (cursor === undefined) {
    const stretches = Math.floor(size / STRETCH);
    const stretch = (Number(process.env.JEST_WORKER_ID) || process.pid) % stretches;
    cursor = stretch * STRETCH + Math.floor(Math.random() * STRETCH);
  }
  for (let tried = 0; tried < size; tried += 1) {
    const port = range.from + (cursor % size);
    cursor += 1;
    if (!handedOut.has(port) && (await isFree(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${range.from} and ${range.below - 1}`);
}

let cursor: number | undefined;

/** Ports from 10,000 up to the ephemeral range's start; null where that stretch is too short or unknown. */
function handOutRange(): { from: number; below: number } | null {
  let below = 32_768; // Linux's default start of the ephemeral range
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (low !== undefined && Number.isInteger(Number(low))) below = Number(low);
  } catch {
    // not Linux: keep the default
  }
  return below - PORTS_FROM >= 4 * STRETCH ? { from: PORTS_FROM, below } : null;
}

/** Whether nothing listens on `port`, on loopback or on every address. */
async function isFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', undefined]) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A compiled entry point, whether the caller runs from dist/ or from sources (tests). */
export function distEntry(...parts: string[]): string {
  return join(projectRoot(), 'dist', ...parts);
}

export function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  options: {
    echo?: boolean;
    /** Node options before the entry, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */ nodeArgs?: string[];
    /** Arguments after the entry. */
    args?: string[];
  } = {},
): ManagedProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry, ...(options.args ?? [])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl+C goes to the launcher alone, which stops its processes with one
    // SIGTERM each (a gateway that got SIGINT from the terminal and then SIGTERM would exit without draining).
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
    if (options.echo) process.stderr.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    name,
    child,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
}

/**
 * Polls `url` until it answers 2xx (and, with `answers`, says it is the process expected: another process may
 * hold the port), the process exits, or `timeoutMs` passes.
 */
export async function waitUntilUp(
  processInfo: ManagedProcess,
  url: string,
  timeoutMs = 90_000,
  answers?: (body: unknown) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processInfo.child.exitCode !== null) {
      throw new Error(`${processInfo.name} exited with code ${processInfo.child.exitCode}:\n${processInfo.output()}`);
    }
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (answer.ok && (!answers || answers(await answer.json()))) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${processInfo.name} did not answer at ${url} within ${timeoutMs} ms:\n${processInfo.output()}`);
}

export interface ShardProcessOptions {
  kind: string;
  institution: string;
  databaseUrl: string;
  /** A fixed port (a shard restarted where it was); without it a free one is picked, and another if it is taken meanwhile. */
  port?: number;
  /** The hub's public hop keys the shard trusts (HUB_HOP_PUBLIC_KEYS); null trusts no hop (public data only). */
  hopPublicKeys: JSONWebKeySet | null;
  /** The shard's own service key, PKCS8 PEM (SHARD_SERVICE_PRIVATE_KEY), for kinds that call the hub. */
  servicePrivateKey?: string;
  seedFile?: string;
  /** Another implementation's compiled entry point than the kind's reference shard (e.g. the school system's). */
  entry?: string;
  /** More environment for the shard (e.g. HUB_URL). */
  env?: Record<string, string>;
  echo?: boolean;
}

export async function startShardProcess(options: ShardProcessOptions): Promise<ManagedProcess & { url: string }> {
  if (options.port !== undefined) return startShardOn(options, options.port);
  // A port picked free can be taken by another process before the shard listens: try a few.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startShardOn(options, await freePort());
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startShardOn(options: ShardProcessOptions, port: number): Promise<ManagedProcess & { url: string }> {
  const shard = startProcess(
    `${options.kind} shard of ${options.institution}`,
    options.entry ?? distEntry('subgraphs', options.kind, 'main.js'),
    {
      INSTITUTION: options.institution,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.hopPublicKeys ? { HUB_HOP_PUBLIC_KEYS: JSON.stringify(options.hopPublicKeys) } : {}),
      ...(options.servicePrivateKey ? { SHARD_SERVICE_PRIVATE_KEY: options.servicePrivateKey } : {}),
      ...(options.seedFile ? { SEED_FILE: options.seedFile } : {}),
      ...options.env,
    },
    { echo: options.echo },
  );
  try {
    await waitUntilUp(shard, `http://127.0.0.1:${port}/health`, undefined, (body) => {
      const health = body as { kind?: string; institution?: string };
      return health.kind === options.kind && health.institution === options.institution;
    });
  } catch (error) {
    await shard.stop('SIGKILL');
    throw error;
  }
  return { ...shard, url: `http://127.0.0.1:${port}/graphql` };
}

export async function startGatewayProcess(
  env: Record<string, string>,
  port: number,
  echo = false,
  nodeArgs: string[] = [],
): Promise<ManagedProcess & { url: string }> {
  const gateway = startProcess(
    'gateway',
    distEntry('gateway', 'main.js'),
    { ...env, PORT: String(port), HOST: env.HOST ?? '127.0.0.1' },
    { echo, nodeArgs },
  );
  try {
    await waitUntilUp(gateway, `http://127.0.0.1:${port}/health/live`);
  } catch (error) {
    await gateway.stop('SIGKILL');
    throw error;
  }
  return { ...gateway, url: `http://127.0.0.1:${port}/graphql` };
}
