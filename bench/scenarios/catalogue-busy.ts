import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Scenario } from '../lib/context';
import { catalogueAnswers } from '../lib/catalogue';
import { positive } from '../lib/env';
import { median, percentile, requestBody } from '../lib/load';
import { baselineEntry, startHub, type Service } from '../lib/processes';
import { fmt, type Table } from '../lib/report';
import { startSeededShards } from '../lib/seeded-shards';
import { TEXT_SEARCH } from '../queries';

/** The request other clients send meanwhile: one the gateway answers itself, so its wait is the gateway's alone. */
const PROBE = requestBody('{ __typename }');
/** The probe's pause between two requests: a steady trickle, not a load of its own. */
const PROBE_GAP_MS = 5;
/** A wait the target allows a request while the catalogue rewrites a part: a tenth of a second, as a search's. */
const LONGEST_WAIT_MS = 100;
/** Clients searching at once, back to back. */
const SEARCHERS = 2;

type Phase = 'idle' | 'searches' | 'rebuilds';
const PHASES: readonly Phase[] = ['idle', 'searches', 'rebuilds'];

interface PhaseRun {
  /** Each probe's latency, ms. */
  probes: number[];
  /** Each search's or rebuild's duration, ms. */
  work: number[];
  seconds: number;
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

async function post(dispatcher: Agent, url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const answer = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    dispatcher,
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200 || text.includes('"errors"'))
    throw new Error(`${url} answered ${answer.statusCode}: ${text.slice(0, 300)}`);
}

/** One phase on one hub: the probe's trickle while searchers, or an operator's rebuilds, keep the catalogue busy. */
async function runPhase(
  dispatcher: Agent,
  hub: Service,
  phase: Phase,
  seconds: number,
  operatorToken: string,
  institutions: readonly string[],
): Promise<PhaseRun> {
  const until = Date.now() + seconds * 1000;
  const probes: number[] = [];
  const work: number[] = [];
  /** Times one search or rebuild into `work`. */
  const timed = async (action: () => Promise<void>) => {
    const started = process.hrtime.bigint();
    await action();
    work.push(Number(process.hrtime.bigint() - started) / 1e6);
  };
  const probing = (async () => {
    while (Date.now() < until) {
      const started = process.hrtime.bigint();
      await post(dispatcher, hub.url, PROBE);
      probes.push(Number(process.hrtime.bigint() - started) / 1e6);
      await sleep(PROBE_GAP_MS);
    }
  })();
  const searching = Array.from({ length: phase === 'searches' ? SEARCHERS : 0 }, async () => {
    while (Date.now() < until) {
      await timed(() => post(dispatcher, hub.url, requestBody(TEXT_SEARCH)));
    }
  });
  const rebuilding = (async () => {
    if (phase !== 'rebuilds') return;
    const base = hub.url.replace(/\/graphql$/, '');
    while (Date.now() < until) {
      const institution = institutions[work.length % institutions.length] as string;
      await timed(() =>
        post(dispatcher, `${base}/catalogue/rebuild?institution=${encodeURIComponent(institution)}`, '', {
          authorization: `Bearer ${operatorToken}`,
        }),
      );
    }
  })();
  await Promise.all([probing, ...searching, rebuilding]);
  return { probes, work, seconds };
}

/**
 * What a busy embedded catalogue costs the hub's other requests: a trickle of requests the gateway answers itself,
 * timed alone, while clients search the catalogue back to back, and while an operator has institutions read again
 * whole (each read ends in the rewrite of its part). With BENCH_BASELINE, another build's hub on the same shards, in
 * turn with this one's.
 */
export const catalogueBusy: Scenario = {
  name: 'catalogue-busy',
  title: "Catalogue busy: the hub's other requests while its embedded catalogue searches and rebuilds",
  estimate: '~2 min (4 with BENCH_BASELINE)',
  async run(context) {
    const scale = (process.env.BENCH_BUSY_SCALE ?? '10x2000').match(/^(\d+)x(\d+)$/);
    if (!scale) throw new Error('BENCH_BUSY_SCALE: expected <institutions>x<units>, e.g. 10x2000');
    const count = Number(scale[1]);
    const units = Number(scale[2]);
    if (count < 1 || units < 1) throw new Error('BENCH_BUSY_SCALE: at least 1 institution of 1 unit');
    const seconds = positive('BENCH_BUSY_SECONDS', 6);
    const rounds = positive('BENCH_BUSY_ROUNDS', 3);
    const seedStart = Date.now();
    const databaseUrls = Array.from({ length: count }, (_, i) => `sqlite:${join(context.tmp, `busy_${i + 1}.sqlite`)}`);
    const { seeded, registryPath } = await startSeededShards(context, 'catalogue-busy', databaseUrls, units);
    const institutions = seeded.map((data) => data.institution.code);
    context.log(
      `  ${count} shards of ${units} units seeded and up in ${fmt.num((Date.now() - seedStart) / 1000, 0)} s`,
    );

    const operatorToken = randomBytes(24).toString('base64url');
    // The probe's, the searchers' and the operator's connections to each hub.
    const dispatcher = new Agent({ connections: SEARCHERS + 2, keepAliveTimeout: 30_000 });
    context.cleanup.add("close the scenario's connections", () => dispatcher.close());
    const baseline = baselineEntry();
    const builds = [
      { name: 'this build', entry: undefined },
      ...(baseline ? [{ name: 'baseline build', entry: baseline }] : []),
    ];
    const hubs: Array<{ build: string; hub: Service }> = [];
    for (const build of builds) {
      const started = Date.now();
      const hub = await startHub(context.cleanup, {
        name: `hub, ${build.name}`,
        registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        env: { CATALOG: 'on', HUB_OPERATOR_TOKEN: operatorToken },
        ...(build.entry ? { entry: build.entry } : {}),
      });
      await catalogueAnswers(hub.url, requestBody(TEXT_SEARCH), 600_000);
      context.log(`  ${build.name}: hub up, catalogue filled in ${fmt.num((Date.now() - started) / 1000, 1)} s`);
      hubs.push({ build: build.name, hub });
    }

    // Warm-up: JIT, connections, the shards' caches, on every hub.
    for (const { hub } of hubs) await runPhase(dispatcher, hub, 'searches', 2, operatorToken, institutions);
    const runs = new Map<string, PhaseRun[]>();
    for (let round = 0; round < rounds; round += 1) {
      // Build by build in turn, the order swapped every round, so that the machine's drift falls on both.
      const order = round % 2 === 0 ? hubs : [...hubs].reverse();
      for (const phase of PHASES)
        for (const { build, hub } of order) {
          const run = await runPhase(dispatcher, hub, phase, seconds, operatorToken, institutions);
          const key = `${build}/${phase}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
          const probe = sorted(run.probes);
          const done = sorted(run.work);
          context.log(
            `  round ${round + 1}/${rounds} ${build.padEnd(14)} ${phase.padEnd(8)} probe p50 ${fmt.ms(percentile(probe, 50))} p99 ${fmt.ms(percentile(probe, 99))} max ${fmt.ms(probe.at(-1) ?? Number.NaN)} ms` +
              (phase === 'idle' ? '' : `; ${done.length} ${phase}, p50 ${fmt.ms(percentile(done, 50))} ms`),
          );
        }
    }

    /** A figure of each round's probes (or searches, rebuilds), its median over the rounds. */
    const of = (build: string, phase: Phase, figure: (values: number[]) => number, values: keyof PhaseRun = 'probes') =>
      median((runs.get(`${build}/${phase}`) ?? []).map((run) => figure(sorted(run[values] as number[]))));
    const p = (q: number) => (values: number[]) => percentile(values, q);
    const max = (values: number[]) => values.at(-1) ?? Number.NaN;
    const baselineRuns = hubs.find((h) => h.build !== 'this build')?.build;
    const ratio = (build: string, phase: Phase, figure: (values: number[]) => number) =>
      build === 'this build' && baselineRuns ? of(build, phase, figure) / of(baselineRuns, phase, figure) : Number.NaN;
    const table: Table = {
      caption: `${count} institutions × ${units} units, embedded catalogue; per round and build, ${seconds} s per phase; medians of ${rounds} rounds`,
      columns: [
        'build',
        'meanwhile',
        'probe p50 ms',
        'probe p99 ms',
        'probe max ms',
        'p99 ÷ baseline',
        'max ÷ baseline',
        'searches or rebuilds done',
        'their p50 ms',
      ],
      rows: hubs.flatMap(({ build }) =>
        PHASES.map((phase) => [
          build,
          phase,
          fmt.ms(of(build, phase, p(50))),
          fmt.ms(of(build, phase, p(99))),
          fmt.ms(of(build, phase, max)),
          fmt.ratio(ratio(build, phase, p(99))),
          fmt.ratio(ratio(build, phase, max)),
          phase === 'idle' ? '' : fmt.int(of(build, phase, (values) => values.length, 'work')),
          phase === 'idle' ? '' : fmt.ms(of(build, phase, p(50), 'work')),
        ]),
      ),
    };
    const longest = of('this build', 'rebuilds', max);
    return {
      settings: {
        scale: `${count} institutions × ${units} units (BENCH_BUSY_SCALE=${count}x${units})`,
        secondsPerPhase: seconds,
        rounds,
        builds: builds.map((build) => build.name),
      },
      tables: [table],
      targets: [
        {
          target: `while a part is rewritten, no request waits ${LONGEST_WAIT_MS} ms or more for the gateway (longest probe, median of rounds)`,
          measured: `${fmt.ms(longest)} ms`,
          met: longest < LONGEST_WAIT_MS,
        },
      ],
      notes: [
        `The probe: \`{ __typename }\`, which the gateway answers itself, one at a time with ${PROBE_GAP_MS} ms between; its latency is what any other request (and a socket's message) waits for the gateway's thread.`,
        `"searches": ${SEARCHERS} clients send the data-scale text search (with totalCount) back to back. "rebuilds": an operator has the institutions read again whole in turn (POST /catalogue/rebuild), each read ending in the rewrite of its part.`,
        ...(baseline
          ? ["BENCH_BASELINE: the other build's hub runs on the same shards, build by build in turn with this one's."]
          : []),
      ],
      raw: Object.fromEntries(runs),
    };
  },
};
