import { Client } from 'pg';
import type { Cleanup } from './cleanup';

/** PostgreSQL server of the catalogue scenarios (databases are created and dropped on it). */
export const BENCH_CATALOG_URL = process.env.BENCH_CATALOG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for a PostgreSQL catalogue, dropped when the scenario ends; its URL. */
export async function createBenchCatalogueDatabase(cleanup: Cleanup, name: string): Promise<string> {
  const run = async (sql: string) => {
    const client = new Client({ connectionString: BENCH_CATALOG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  cleanup.add(`drop the PostgreSQL database ${name}`, () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(BENCH_CATALOG_URL);
  url.pathname = `/${name}`;
  return url.toString();
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
