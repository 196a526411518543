import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JSONWebKeySet } from 'jose';
import { projectRoot } from '../platform/project-root';

/** Starting the hub's processes (shards and gateway) and waiting until they answer: for the demo, tests and benchmarks. */

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Output so far, for reports when it fails. */
  output(): string;
  /** Sends `signal` (SIGTERM), then SIGKILL after 5 s; resolves once it has exited. A second call waits for the first. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const handedOut = new Set<number>();

/**
 * Ports that `fetch` refuses to connect to (the Fetch standard's "bad ports", e.g. 6000 and 10080): a server there
 * would start, and every request a test or the demo sends it would fail with "bad port".
 */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Where ports are handed out from: below the OS's ephemeral range, one stretch per process to start in. */
const PORTS_FROM = 10_000;
const STRETCH = 500;

/**
 * A port that was free a moment ago, never the same one twice in this process. Ports are chosen before the
 * processes that listen on them start. A port from the OS's ephemeral range (what `listen(0)` gives) can meanwhile
 * become the local end of any outgoing connection on the machine, and the listener then fails with EADDRINUSE; so
 * ports come from below that range, where only listeners take them. Each process starts in its own stretch (by
 * Jest run and worker, else by process ID) at a random place, so that two processes seldom try the same port.
 * Ports that `fetch` refuses are never handed out.
 */
export async function freePort(): Promise<number> {
  const range = handOutRange();
  if (!range) {
    for (;;) {
      const port = await osPickedPort();
      if (!handedOut.has(port) && !FETCH_BLOCKED_PORTS.has(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  const size = range.below - range.from;
  if (cursor === undefined) {
    const stretches = Math.floor(size / STRETCH);
    // Jest's workers of one run have one parent: consecutive stretches from a place of the run's own.
    const worker = Number(process.env.JEST_WORKER_ID);
    const stretch = (worker ? process.ppid + worker : process.pid) % stretches;
    cursor = stretch * STRETCH + Math.floor(Math.random() * STRETCH);
  }
  for (let tried = 0; tried < size; tried += 1) {
    const port = range.from + (cursor % size);
    cursor += 1;
    if (!handedOut.has(port) && !FETCH_BLOCKED_PORTS.has(port) && (await isFree(port))) {
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
  // One stop at a time: a gateway given a second signal exits without draining.
  let stopping: Promise<void> | null = null;
  return {
    name,
    child,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      (stopping ??= new Promise((resolve) => {
        if (hasExited(child)) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      })),
  };
}

/** Exited on its own or killed by a signal (then its exit code stays null). */
function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Runs every start at once and waits for all of them. When one fails, or `signal` aborts, the others are cancelled
 * through the signal each start is given, those already up are stopped, and the first failure (or the abort's
 * reason) is thrown: a start that fails leaves nothing running. (`Promise.all` would reject at the first failure, leaving processes still
 * starting with no one to stop them.)
 */
export async function startTogether<T extends { stop(): Promise<unknown> }>(
  starts: ReadonlyArray<(signal: AbortSignal) => Promise<T>>,
  signal?: AbortSignal,
): Promise<T[]> {
  const failed = new AbortController();
  const cancel = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
  const failures: unknown[] = [];
  const results = await Promise.allSettled(
    starts.map(async (start) => {
      try {
        cancel.throwIfAborted();
        return await start(cancel);
      } catch (error) {
        failures.push(error);
        failed.abort(error);
        throw error;
      }
    }),
  );
  const up = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failures.length === 0) return up;
  await Promise.all(up.map((started) => started.stop()));
  // Cancelled by the caller: its reason. Else the first failure is the cause, the others the cancellations it caused.
  signal?.throwIfAborted();
  throw failures[0];
}

/**
 * Polls `url` until it answers 2xx (and, with `answers`, says it is the process expected: another process may
 * hold the port), the process exits, `timeoutMs` passes or `signal` aborts (then it throws the abort's reason).
 */
export async function waitUntilUp(
  processInfo: ManagedProcess,
  url: string,
  timeoutMs = 90_000,
  answers?: (body: unknown) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const { child } = processInfo;
    if (hasExited(child)) {
      throw new Error(
        `${processInfo.name} exited with ${child.signalCode ?? `code ${child.exitCode}`}:\n${processInfo.output()}`,
      );
    }
    try {
      const timeout = AbortSignal.timeout(1_000);
      const answer = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (answer.ok && (!answers || answers(await answer.json()))) return;
    } catch {
      // not up yet, or aborted: the loop's next turn says which
    }
    await sleep(100, undefined, { signal }).catch(() => undefined);
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
  /** Cancels the start: a shard still starting is stopped, and the promise rejects once it has exited. */
  signal?: AbortSignal;
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
  options.signal?.throwIfAborted();
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
    await waitUntilUp(
      shard,
      `http://127.0.0.1:${port}/health`,
      undefined,
      (body) => {
        const health = body as { kind?: string; institution?: string };
        return health.kind === options.kind && health.institution === options.institution;
      },
      options.signal,
    );
  } catch (error) {
    await stopUnstarted(shard, options.signal);
    throw error;
  }
  return { ...shard, url: `http://127.0.0.1:${port}/graphql` };
}

/**
 * A start that failed or was cancelled. Cancelled, the process may be writing its first data (a seed): it gets
 * SIGTERM, and SIGKILL only after the grace period; failed, it is not healthy and nothing is worth waiting for.
 */
function stopUnstarted(started: ManagedProcess, signal: AbortSignal | undefined): Promise<void> {
  return started.stop(signal?.aborted ? 'SIGTERM' : 'SIGKILL');
}

/** The gateway on `port`; `signal` cancels the start as a shard's does (ShardProcessOptions). */
export async function startGatewayProcess(
  env: Record<string, string>,
  port: number,
  echo = false,
  nodeArgs: string[] = [],
  signal?: AbortSignal,
): Promise<ManagedProcess & { url: string }> {
  signal?.throwIfAborted();
  const gateway = startProcess(
    'gateway',
    distEntry('gateway', 'main.js'),
    { ...env, PORT: String(port), HOST: env.HOST ?? '127.0.0.1' },
    { echo, nodeArgs },
  );
  try {
    await waitUntilUp(gateway, `http://127.0.0.1:${port}/health/live`, undefined, undefined, signal);
  } catch (error) {
    await stopUnstarted(gateway, signal);
    throw error;
  }
  return { ...gateway, url: `http://127.0.0.1:${port}/graphql` };
}
