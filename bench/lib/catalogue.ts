import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Cleanup } from './cleanup';

/** PostgreSQL server of the catalogue scenarios (databases are created and dropped on it). */
export const BENCH_CATALOG_URL = process.env.BENCH_CATALOG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the bench's PostgreSQL server. */
export function benchCatalogueUrl(name: string): string {
  const url = new URL(BENCH_CATALOG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(sql: string, params: string[] = []): Promise<number> {
  const client = new Client({ connectionString: BENCH_CATALOG_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for a PostgreSQL catalogue, dropped when the scenario ends unless `keep` (then it stays for a
 * later run, see keptCatalogues); its URL.
 */
export async function createBenchCatalogueDatabase(cleanup: Cleanup, name: string, keep = false): Promise<string> {
  await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${name}`);
  if (!keep)
    cleanup.add(`drop the PostgreSQL database ${name}`, async () => {
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  return benchCatalogueUrl(name);
}

/** What a kept pair of catalogues was built from. */
export interface KeptCatalogueManifest {
  /** The scenario's size and seeding settings: a kept pair serves only a run with the same. */
  settings: string;
  builtAt: string;
  /** The commit the catalogues were built by (and whether its tree had changes), as `git describe` names it. */
  commit: string;
}

/**
 * Catalogues a scenario keeps between runs under BENCH_CATALOG_KEEP=<folder> (a SQLite file there and a PostgreSQL
 * database), so that the searches can be timed again without seeding: at 1,000,000 units seeding takes most of the
 * run. `reused` is what the kept pair was built from when both are there for `settings` (the scenario still checks
 * what they hold); otherwise they are to be built again, and the manifest and SQLite file are already gone, so that a
 * pair half built is never taken for a whole one.
 */
export async function keptCatalogues(
  folder: string,
  settings: string,
): Promise<{
  sqlitePath: string;
  postgresName: string;
  reused: KeptCatalogueManifest | null;
  /** Once the pair is built and checked. */
  built: () => void;
}> {
  mkdirSync(folder, { recursive: true });
  const key = settings.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
  const manifestPath = join(folder, `catalogue_${key}.json`);
  const sqlitePath = join(folder, `catalogue_${key}.sqlite`);
  const postgresName = `bench_catalogue_${key}`;
  const manifest = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as KeptCatalogueManifest)
    : null;
  const reused =
    manifest?.settings === settings &&
    existsSync(sqlitePath) &&
    (await onServer('SELECT 1 FROM pg_database WHERE datname = $1', [postgresName])) > 0
      ? manifest
      : null;
  if (!reused) {
    rmSync(manifestPath, { force: true });
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${sqlitePath}${suffix}`, { force: true });
  }
  return {
    sqlitePath,
    postgresName,
    reused,
    built: () => {
      const written: KeptCatalogueManifest = { settings, builtAt: new Date().toISOString(), commit: describeCommit() };
      writeFileSync(manifestPath, `${JSON.stringify(written, null, 2)}\n`);
    },
  };
}

function describeCommit(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/**
 * Waits until every institution's part of the hub's catalogue is current (its readiness says so; asking with a
 * search instead would fan each try out to every shard while they are being read), then until the hub answers `body`
 * from its catalogue. `progress` hears how many parts are current, at most every 30 s.
 */
export async function catalogueAnswers(
  url: string,
  body: string,
  timeoutMs = 600_000,
  progress?: (current: number, total: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = new URL('/health/ready', url);
  let told = Date.now();
  while (Date.now() < deadline) {
    const health = (await fetch(ready, { signal: AbortSignal.timeout(10_000) })
      .then((answer) => answer.json())
      .catch(() => null)) as { catalogue?: { institutions: Record<'current' | 'stale' | 'notRead', number> } } | null;
    const parts = health?.catalogue?.institutions;
    const total = parts ? parts.current + parts.stale + parts.notRead : 0;
    if (parts && parts.current === total) {
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await answer.arrayBuffer();
      if (answer.headers.get('x-hub-catalogue') === 'current') return;
    } else if (parts && progress && Date.now() - told >= 30_000) {
      told = Date.now();
      progress(parts.current, total);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the hub at ${url} did not answer from its catalogue within ${timeoutMs / 1000} s`);
}

/** From the hub's /metrics: how many institutions' parts its catalogue read whole, and read in part, so far. */
export async function catalogueUpdates(url: string): Promise<{ wholeReads: number; partReads: number }> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const counted = { wholeReads: 0, partReads: 0 };
  for (const line of text.split('\n')) {
    const update = /^hub_catalogue_updates_total\{.*kind="(rebuild|refresh)".*outcome="ok".*\} (\d+)$/.exec(line);
    if (update) counted[update[1] === 'rebuild' ? 'wholeReads' : 'partReads'] += Number(update[2]);
  }
  return counted;
}
