/**
 * Imported first by the bench entry, before any module creates a logger: every process the bench starts
 * (they inherit this environment) runs as in production and logs warnings only, unless told otherwise.
 */
process.env.NODE_ENV ??= 'production';
process.env.LOG_LEVEL ??= 'warn';

export interface BenchSettings {
  /** Measuring rounds per target (medians are taken over them). */
  rounds: number;
  /** Seconds of load per target and round. */
  seconds: number;
  /** Institutions × units per institution of the data-scale scenario. */
  scale: { institutions: number; units: number };
  /** Shard counts of the fan-out scenario. */
  fanOut: number[];
  /** MySQL/MariaDB server of the data-scale scenario (databases bench_<n> are created and dropped). */
  mysqlUrl: string;
  /** Also time the data-scale text search with a FULLTEXT index on one bench database (a code change left open). */
  indexTrial: boolean;
  maxMinutes: number;
}

/** A positive number from the environment variable `name`, or `fallback` when it is unset. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

export function readSettings(): BenchSettings {
  const scale = (process.env.BENCH_SCALE ?? '30x2000').match(/^(\d+)x(\d+)$/);
  if (!scale) throw new Error(`BENCH_SCALE=${process.env.BENCH_SCALE}: expected <institutions>x<units>, e.g. 30x2000`);
  const fanOut = (process.env.BENCH_FAN_OUT ?? '1,4,16,32').split(',').map(Number);
  if (fanOut.some((n) => !Number.isInteger(n) || n < 1 || n > 64))
    throw new Error(`BENCH_FAN_OUT=${process.env.BENCH_FAN_OUT}: expected shard counts 1-64`);
  const mysqlUrl = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  if (!/^mysql:\/\/[^/]*@?(127\.0\.0\.1|localhost)(:\d+)?$/.test(mysqlUrl))
    throw new Error(`BENCH_MYSQL_URL=${mysqlUrl}: the bench only targets 127.0.0.1`);
  return {
    rounds: Math.round(positive('BENCH_ROUNDS', 3)),
    seconds: positive('BENCH_SECONDS', 5),
    scale: { institutions: Number(scale[1]), units: Number(scale[2]) },
    fanOut,
    mysqlUrl,
    indexTrial: process.env.BENCH_INDEX_TRIAL !== '0',
    maxMinutes: positive('BENCH_MAX_MINUTES', 15),
  };
}

/** Seconds per run for scenarios that measure latency one request at a time (shorter runs, same rounds). */
export function runSeconds(settings: BenchSettings, factor: number): number {
  return Math.max(1, Math.round(settings.seconds * factor));
}
