import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openQualificationsDatabase, startQualificationsShard } from '../../subgraphs/qualifications';
import type { Scenario } from '../lib/context';
import { runSeconds } from '../lib/env';
import { benchInstitution, bulkSeed, loadTemplates, scaledData } from '../lib/data';
import { alternate, expectData, requestBody, type LoadTarget, type Summary } from '../lib/load';
import { startHub, writeRegistry } from '../lib/processes';
import { fmt } from '../lib/report';
import { NESTED_UNITS } from '../queries';

const PAGE_SIZES = [10, 25, 50, 100];
const UNITS = 150;

/**
 * Scenario 3 (for the kinds that exist today): a page of units with their outcomes, skills, qualification
 * and institution. SQL statements per request must not grow with the rows; latency per page size.
 */
export const nested: Scenario = {
  name: 'nested',
  title: 'Nested entity resolution: units with outcomes, skills, qualification, institution; page 10 → 100',
  estimate: '~1 min',
  async run(context) {
    const { settings } = context;
    const dir = join(context.tmp, 'nested');
    mkdirSync(dir, { recursive: true });
    const templates = loadTemplates();
    const institution = benchInstitution(templates, 1);
    const databaseUrl = `sqlite:${join(dir, 'shard.sqlite')}`;
    const seedDb = await openQualificationsDatabase(databaseUrl);
    try {
      await bulkSeed(seedDb, scaledData(templates, 1, UNITS));
    } finally {
      await seedDb.close();
    }
    // In process, so that its statement counter can be read.
    const shard = await startQualificationsShard({ institution: institution.code, databaseUrl, hopSecret: context.hopSecret });
    context.cleanup.add('stop the in-process shard', () => shard.close());
    const registryPath = writeRegistry(dir, 'hub', [{ code: institution.code, names: institution.names, country: institution.country, shardUrl: shard.url }]);
    const hub = await startHub(context.cleanup, { name: 'hub', registryPath, supergraphPath: context.supergraphPath, hopSecret: context.hopSecret });

    const statements: Array<{ size: number; rows: number; outcomes: number; direct: number; hub: number }> = [];
    for (const size of PAGE_SIZES) {
      const body = requestBody(NESTED_UNITS, { first: size });
      await expectData(hub.url, body, 'warm-up');
      const count = async (url: string) => {
        const before = shard.db.statements.count;
        const data = await expectData(url, body, `nested page of ${size}`);
        const nodes = (data.units as { nodes: Array<{ learningOutcomes: unknown[] }> }).nodes;
        return { statements: shard.db.statements.count - before, rows: nodes.length, outcomes: nodes.reduce((sum, n) => sum + n.learningOutcomes.length, 0) };
      };
      const direct = await count(shard.url);
      const viaHub = await count(hub.url);
      if (direct.rows !== size || viaHub.rows !== size) throw new Error(`page of ${size}: got ${direct.rows} rows direct, ${viaHub.rows} via the hub`);
      statements.push({ size, rows: direct.rows, outcomes: direct.outcomes, direct: direct.statements, hub: viaHub.statements });
    }
    const constant = new Set(statements.map((s) => s.direct)).size === 1 && new Set(statements.map((s) => s.hub)).size === 1;

    const seconds = runSeconds(settings, 0.4);
    const targets: LoadTarget[] = PAGE_SIZES.flatMap((size) => {
      const body = requestBody(NESTED_UNITS, { first: size });
      const hubTarget = { name: `hub, page ${size}`, url: hub.url, body, connections: 1 };
      // The direct shard at the two ends only, to keep the run short.
      return size === PAGE_SIZES[0] || size === PAGE_SIZES.at(-1) ? [hubTarget, { name: `shard direct, page ${size}`, url: shard.url, body, connections: 1 }] : [hubTarget];
    });
    context.log(`  ${targets.length} targets × ${settings.rounds} rounds × ${seconds} s, 1 connection`);
    const summaries = await alternate(targets, { rounds: settings.rounds, seconds, warmupSeconds: 1, log: context.log });
    const get = (name: string) => summaries.get(name) as Summary;
    const base = get(`hub, page ${PAGE_SIZES[0]}`);
    return {
      settings: {
        query: 'units(first: N) { totalCount nodes { id title eqfLevel ecvetPoints learningOutcomes { id category statement escoSkills } escoSkills qualification { id title eqfLevel iscedCode ecvetPoints } institution { id name country } } pageInfo }',
        shard: `in the bench process (to read its statement counter), SQLite, ${UNITS} units × 6 outcomes`,
        connections: 1,
        rounds: settings.rounds,
        secondsPerRun: seconds,
      },
      tables: [
        {
          caption: 'SQL statements per request (the shard\'s statement counter, one request at a time)',
          columns: ['page size', 'units', 'outcomes', 'statements (direct)', 'statements (via hub)'],
          rows: statements.map((s) => [String(s.size), String(s.rows), String(s.outcomes), String(s.direct), String(s.hub)]),
        },
        {
          caption: 'latency per page size — medians over rounds (1 connection)',
          columns: ['page size', 'hub p50 ms', 'hub p99 ms', 'hub p50 × page 10', 'direct p50 ms', 'direct p99 ms', 'hub − direct p50 ms'],
          rows: PAGE_SIZES.map((size) => {
            const h = get(`hub, page ${size}`);
            const d = summaries.get(`shard direct, page ${size}`);
            return [String(size), fmt.ms(h.p50), fmt.ms(h.p99), fmt.ratio(h.p50 / base.p50), fmt.ms(d?.p50 ?? Number.NaN), fmt.ms(d?.p99 ?? Number.NaN), fmt.ms(h.p50 - (d?.p50 ?? Number.NaN))];
          }),
        },
      ],
      targets: [
        {
          target: 'SQL statements per request constant from 10 to 100 units',
          measured: `direct ${statements.map((s) => s.direct).join(' / ')}; via hub ${statements.map((s) => s.hub).join(' / ')}`,
          met: constant,
        },
      ],
      notes: [
        'The issue\'s scenario 3 is learning agreements with units and outcomes from other shards; this bench covers the qualifications kind only, so it measures the nested unit page. Extend it to agreements → units → outcomes across shards with the mobilities kind.',
        'The shard runs inside the bench process, next to the load generator, so its latencies include some of the generator\'s work.',
      ],
      raw: { statements, latency: Object.fromEntries(summaries) },
    };
  },
};
