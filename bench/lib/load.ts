import autocannon from 'autocannon';
import { cpuMs } from './processes';

/** One thing to load: a GraphQL POST against a URL, and the processes whose CPU time it costs. */
export interface LoadTarget {
  name: string;
  url: string;
  /** The JSON request body. */
  body: string;
  /** More request headers (a bearer token for personal data). */
  headers?: Record<string, string>;
  connections: number;
  /**
   * Requests per run instead of a duration, for targets so slow that a few seconds would hold too few answers
   * (each request is still bounded by autocannon's 10 s timeout).
   */
  amount?: number;
  /** Processes to account CPU time to, by role ("hub", "shards", …); a role may sum several pids. */
  processes?: Record<string, number[]>;
}

export interface RunStats {
  requests: number;
  rps: number;
  /** Latency percentiles in ms, from every response's own timing (µs resolution). */
  p50: number;
  p90: number;
  p99: number;
  /** The slowest answer (p100); answers that never came are counted in `timeouts` instead. */
  max: number;
  /**
   * The slowest answer to a request sent on a connection that had already answered one. autocannon starts the
   * clock of a connection's first request when it starts connecting, so that answer also holds the wait to be
   * accepted (seconds when a busy server meets many new connections at once), which no server-side deadline can
   * bound: the server does not know of the request before it accepts the connection.
   */
  maxEstablished: number;
  /** The slowest answer to a connection's first request (from connecting to the answer). */
  maxFirstOnConnection: number;
  mean: number;
  /** Requests autocannon gave up on after its 10 s timeout (also counted in `errors`). */
  timeouts: number;
  /** Connection errors and timeouts, and answers that were not HTTP 200. */
  errors: number;
  /**
   * Answers whose size differs from the most common one. The queries are deterministic, so a different
   * size means a different answer (usually GraphQL errors): it should be 0.
   */
  sizeMismatches: number;
  /** CPU time per request in ms, by role. */
  cpuMsPerRequest: Record<string, number>;
}

export interface Summary {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  sizeMismatches: number;
  cpuMsPerRequest: Record<string, number>;
  runs: RunStats[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function cpuSnapshot(target: LoadTarget): Record<string, number> {
  const snapshot: Record<string, number> = {};
  for (const [role, pids] of Object.entries(target.processes ?? {})) {
    snapshot[role] = pids.length === 0 ? Number.NaN : pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
  }
  return snapshot;
}

/** Loads one target for `seconds` with autocannon (bounded by its duration and a 10 s request timeout). */
export async function runLoad(target: LoadTarget, seconds: number): Promise<RunStats> {
  const latencies: number[] = [];
  const sizes = new Map<number, number>();
  let errors = 0;
  let maxEstablished = 0;
  let maxFirstOnConnection = 0;
  // autocannon replaces a client's socket when it reconnects: a socket not seen yet is a new connection.
  const answered = new WeakSet<object>();
  const before = cpuSnapshot(target);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: target.body,
        connections: target.connections,
        ...(target.amount ? { amount: target.amount } : { duration: seconds }),
        timeout: 10,
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (client, statusCode, bytes, responseTime) => {
      if (statusCode !== 200) errors += 1;
      // Not in autocannon's typings: the client's current socket.
      const { conn } = client as unknown as { conn: object };
      if (answered.has(conn)) maxEstablished = Math.max(maxEstablished, responseTime);
      else {
        answered.add(conn);
        maxFirstOnConnection = Math.max(maxFirstOnConnection, responseTime);
      }
      latencies.push(responseTime);
      sizes.set(bytes, (sizes.get(bytes) ?? 0) + 1);
    });
  });
  const after = cpuSnapshot(target);
  latencies.sort((a, b) => a - b);
  const modal = Math.max(0, ...sizes.values());
  const requests = latencies.length;
  const cpuMsPerRequest: Record<string, number> = {};
  for (const role of Object.keys(before))
    cpuMsPerRequest[role] = requests > 0 ? ((after[role] ?? 0) - (before[role] ?? 0)) / requests : Number.NaN;
  return {
    requests,
    rps: requests / result.duration,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    maxEstablished: requests > 0 ? maxEstablished : Number.NaN,
    maxFirstOnConnection: requests > 0 ? maxFirstOnConnection : Number.NaN,
    mean: requests > 0 ? latencies.reduce((a, b) => a + b, 0) / requests : Number.NaN,
    timeouts: result.timeouts,
    errors: errors + result.errors + result.timeouts,
    sizeMismatches: requests - modal,
    cpuMsPerRequest,
  };
}

export interface AlternateOptions {
  rounds: number;
  seconds: number;
  /** Unmeasured load per target before the first round (JIT, plan caches, connection pools). */
  warmupSeconds: number;
  log?: (line: string) => void;
}

/**
 * Runs targets side by side: every round loads each target in turn (the order rotates from round to round so
 * no target always follows the same one), and each figure is the median over the rounds.
 */
export async function alternate(
  targets: readonly LoadTarget[],
  options: AlternateOptions,
): Promise<Map<string, Summary>> {
  if (options.warmupSeconds > 0) {
    for (const target of targets)
      await runLoad(target.amount ? { ...target, amount: Math.min(2, target.amount) } : target, options.warmupSeconds);
  }
  const runs = new Map<string, RunStats[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as LoadTarget);
    for (const target of order) {
      const stats = await runLoad(target, options.seconds);
      runs.get(target.name)?.push(stats);
      options.log?.(
        `  round ${round + 1}/${options.rounds} ${target.name.padEnd(28)} ${stats.rps.toFixed(0).padStart(6)} req/s  p50 ${stats.p50.toFixed(2)} ms  p99 ${stats.p99.toFixed(2)} ms` +
          (stats.errors + stats.sizeMismatches > 0
            ? `  (${stats.errors} errors, ${stats.sizeMismatches} odd answers)`
            : ''),
      );
    }
  }
  const summaries = new Map<string, Summary>();
  for (const [name, list] of runs) {
    const roles = Object.keys(list[0]?.cpuMsPerRequest ?? {});
    summaries.set(name, {
      rps: median(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p90: median(list.map((r) => r.p90)),
      p99: median(list.map((r) => r.p99)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      sizeMismatches: list.reduce((sum, r) => sum + r.sizeMismatches, 0),
      cpuMsPerRequest: Object.fromEntries(
        roles.map((role) => [role, median(list.map((r) => r.cpuMsPerRequest[role] ?? Number.NaN))]),
      ),
      runs: list,
    });
  }
  return summaries;
}

/** One GraphQL request with a deadline, for checks outside the measured runs. */
export async function graphql(
  url: string,
  body: string,
  timeoutMs = 10_000,
): Promise<{ data?: Record<string, unknown> | null; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  } catch {
    throw new Error(`${url} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * Fails unless the answer has data and no errors; returns the data. A first request may meet cold caches
 * (buffer pool, JIT) and time out at a shard: it is tried `attempts` times, a second apart.
 */
export async function expectData(
  url: string,
  body: string,
  what: string,
  attempts = 3,
): Promise<Record<string, unknown>> {
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answer = await graphql(url, body, 30_000);
    if (answer.errors && answer.errors.length > 0)
      problem = `answered with errors: ${JSON.stringify(answer.errors).slice(0, 500)}`;
    else if (!answer.data) problem = 'answered without data';
    else return answer.data;
  }
  throw new Error(`${what}: ${url} ${problem} (${attempts} attempts)`);
}

export function requestBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}
