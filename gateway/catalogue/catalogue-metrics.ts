import { Counter, Gauge, Histogram, type Registry as MetricsRegistry } from 'prom-client';
import type { CatalogueEngine } from './engine';

const UPDATE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SEARCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** What an update of a part was: a whole read (`rebuild`) or the records a change named, read again (`refresh`). */
export type CatalogueUpdate = 'rebuild' | 'refresh';

/**
 * The catalogue's metrics on the gateway's registry (none: counted nowhere). Rows and stale institutions are read
 * at each scrape: rows from the engine, so a scrape costs one count per institution.
 */
export function createCatalogueMetrics(
  registry: MetricsRegistry | undefined,
  engine: CatalogueEngine,
  staleInstitutions: () => number,
) {
  const registers = registry ? [registry] : [];
  new Gauge({
    name: 'hub_catalogue_rows',
    help: 'Rows the catalogue holds, by institution and list (units, qualifications)',
    labelNames: ['institution', 'list'],
    registers,
    async collect() {
      this.reset();
      // An engine that cannot answer (PostgreSQL down, an embedded engine that gave up) leaves the rows out, not the
      // scrape: the other metrics say what happened.
      const rows = await engine.rows().catch(() => []);
      for (const row of rows) {
        this.set({ institution: row.institution, list: 'units' }, row.units);
        this.set({ institution: row.institution, list: 'qualifications' }, row.qualifications);
      }
    },
  });
  new Gauge({
    name: 'hub_catalogue_stale_institutions',
    help: 'Institutions whose part of the catalogue may be behind (feed lost, a read failed, or never read)',
    registers,
    collect() {
      this.set(staleInstitutions());
    },
  });
  return {
    searchFailures: new Counter({
      name: 'hub_catalogue_search_failures_total',
      help: 'Lists the catalogue engine failed to answer (the shards answered them instead), by engine and list',
      labelNames: ['engine', 'list'],
      registers,
    }),
    readsDeferred: new Counter({
      name: 'hub_catalogue_reads_deferred_total',
      help: 'Whole reads of a member deferred because its read budget was spent (its shard sent more than the catalogue reads of one member), by institution',
      labelNames: ['institution'],
      registers,
    }),
    engineLosses: new Counter({
      name: 'hub_catalogue_engine_losses_total',
      help: "Times the catalogue's engine lost what it held (its thread stopped), after which every part is read again",
      registers,
    }),
    updates: new Counter({
      name: 'hub_catalogue_updates_total',
      help: "Updates of an institution's part by kind (rebuild: read whole; refresh: the records a change named) and outcome (ok, failed)",
      labelNames: ['institution', 'kind', 'outcome'],
      registers,
    }),
    updateSeconds: new Histogram({
      name: 'hub_catalogue_update_duration_seconds',
      help: "Duration of an update of an institution's part, from the read at the shard to the engine's commit, by kind",
      labelNames: ['kind'],
      buckets: UPDATE_BUCKETS,
      registers,
    }),
    searchSeconds: new Histogram({
      name: 'hub_catalogue_search_duration_seconds',
      help: 'Duration of a page (with its count when asked) in the catalogue engine, by engine and list',
      labelNames: ['engine', 'list'],
      buckets: SEARCH_BUCKETS,
      registers,
    }),
  };
}

export type CatalogueMetrics = ReturnType<typeof createCatalogueMetrics>;
