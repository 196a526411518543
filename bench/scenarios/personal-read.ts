import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '../../schema/compose';
import { entityId } from '../../schema/ids';
import { projectRoot } from '../../platform/project-root';
import { hopAudience } from '../../platform/signed-hop';
import { mintDemoToken } from '../../scripts/token';
import type { Scenario } from '../lib/context';
import { alternate, median, type LoadTarget, type Summary } from '../lib/load';
import { baselineEntry, startHiveGateway, startHub } from '../lib/processes';
import { fmt } from '../lib/report';
import { AGREEMENT_BY_ID } from '../queries';
import { seedAgreements, startFederation } from './nested-agreements-setup';

const CONNECTIONS = 10;
const SUBJECT = 'bench:personal-read';

type Answer = { data?: unknown; errors?: unknown[] };

async function ask(url: string, body: string, headers: Record<string, string>, what: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as Answer;
  if (answer.errors?.length || !answer.data)
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(answer).slice(0, 500)}`);
  return answer.data;
}

/**
 * Scenario personal-read: the read the entity cache cannot help. A coordinator of the sending institution reads
 * one learning agreement by ID (personal data: the mobilities shard answers it to a signed hop only), with its
 * unit and outcomes from the hosting institution's qualifications shard; the hub with every feature on (entity
 * cache on, so the public unit comes from it) beside Hive Gateway on a supergraph of the same two shards.
 */
export const personalRead: Scenario = {
  name: 'personal-read',
  title: 'Personal read: learningAgreement(id) with a party token, hub vs Hive Gateway',
  estimate: '~1.5 min',
  async run(context) {
    const { settings } = context;
    const federation = await startFederation(context);
    const tokenSecret = randomBytes(24).toString('base64url');
    // Demo tokens are refused in production mode: the hub runs in development mode, as in scenario nested.
    // Every hub as the party reads it: entity cache on, in-flight sharing as named, this build or BENCH_BASELINE's.
    const hubWith = (name: string, sharing: 'on' | 'off', entry?: string) =>
      startHub(context.cleanup, {
        name,
        registryPath: federation.registryPath,
        supergraphPath: context.supergraphPath,
        hopKeys: context.hopKeys,
        env: {
          NODE_ENV: 'development',
          HUB_DEMO_TOKEN_SECRET: tokenSecret,
          ENTITY_CACHE: 'on',
          SHARD_SHARE_INFLIGHT: sharing,
        },
        ...(entry ? { entry } : {}),
      });
    const hub = await hubWith('hub', 'on');
    const unshared = await hubWith('hub, in-flight sharing off', 'off');
    // With BENCH_BASELINE, the same two hubs as another build runs them, loaded in turn with these.
    const baseline = baselineEntry();
    const baselines = baseline
      ? await Promise.all([
          hubWith('hub (baseline)', 'on', baseline),
          hubWith('hub, in-flight sharing off (baseline)', 'off', baseline),
        ])
      : [];
    const sendingMobilities = await federation.startSendingMobilities(hub.url);
    await seedAgreements(federation, sendingMobilities, hub.url, tokenSecret, 1);
    const { sending } = federation;
    const host = federation.hosts[0] as string;
    const hostQualifications = federation.shards.find((s) => s.kind === 'qualifications' && s.institution === host);
    if (!hostQualifications) throw new Error(`no qualifications shard of ${host}`);

    const root = projectRoot();
    const supergraphPath = join(context.tmp, 'personal-read.supergraph.graphql');
    const sdl = (kind: string) => readFileSync(join(root, 'schema', `${kind}.graphql`), 'utf8');
    writeFileSync(
      supergraphPath,
      composeSupergraph([
        { name: 'mobilities', sdl: sdl('mobilities'), url: sendingMobilities.url },
        { name: 'qualifications', sdl: sdl('qualifications'), url: hostQualifications.shard.url },
      ]),
    );
    const caller = { institution: sending, roles: ['coordinator'], learnerId: null, subject: SUBJECT };
    const hive = await startHiveGateway(context.cleanup, {
      supergraphPath,
      env: {
        HIVE_HOP_PRIVATE_KEY: context.hopKeys.privateKeyPem,
        HIVE_HOP_AUDIENCES: JSON.stringify({
          [sendingMobilities.url]: hopAudience('mobilities', sending),
          [hostQualifications.shard.url]: hopAudience('qualifications', host),
        }),
        HIVE_HOP_CALLER: JSON.stringify(caller),
      },
    });

    const token = await mintDemoToken({
      institution: sending,
      roles: ['coordinator'],
      subject: SUBJECT,
      secret: tokenSecret,
    });
    const headers = { authorization: `Bearer ${token}` };
    const id = entityId(sending, 'LA-BENCH-0001');
    const body = JSON.stringify({ query: AGREEMENT_BY_ID, variables: { id } });
    const [viaHub, viaHive, viaUnshared] = [
      await ask(hub.url, body, headers, 'learningAgreement(id) via the hub'),
      await ask(hive.url, body, headers, 'learningAgreement(id) via Hive Gateway'),
      await ask(unshared.url, body, headers, 'learningAgreement(id) via the hub, sharing off'),
    ];
    for (const service of baselines) {
      const viaBaseline = await ask(service.url, body, headers, `learningAgreement(id) via the ${service.name}`);
      if (JSON.stringify(viaBaseline) !== JSON.stringify(viaHub))
        throw new Error(`the ${service.name} answers differently:\n${JSON.stringify(viaBaseline)}`);
    }
    if (JSON.stringify(viaHub) !== JSON.stringify(viaHive) || JSON.stringify(viaHub) !== JSON.stringify(viaUnshared))
      throw new Error(
        `the hub and Hive Gateway answer differently:\n${JSON.stringify(viaHub)}\n${JSON.stringify(viaHive)}`,
      );

    const targets: LoadTarget[] = [
      { name: 'hub', url: hub.url, body, headers, connections: CONNECTIONS, processes: { gateway: [hub.pid] } },
      {
        name: 'hub, in-flight sharing off',
        url: unshared.url,
        body,
        headers,
        connections: CONNECTIONS,
        processes: { gateway: [unshared.pid] },
      },
      ...baselines.map((service): LoadTarget => ({
        name: service.name,
        url: service.url,
        body,
        headers,
        connections: CONNECTIONS,
        processes: { gateway: [service.pid] },
      })),
      {
        name: 'Hive Gateway',
        url: hive.url,
        body,
        headers,
        connections: CONNECTIONS,
        processes: { gateway: [hive.pid] },
      },
    ];
    context.log(
      `  ${targets.length} targets × ${settings.rounds} rounds × ${settings.seconds} s, ${CONNECTIONS} connections`,
    );
    const summaries = await alternate(targets, {
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: 2,
      log: context.log,
    });
    const hubSummary = summaries.get('hub') as Summary;
    const hiveSummary = summaries.get('Hive Gateway') as Summary;
    const unsharedSummary = summaries.get('hub, in-flight sharing off') as Summary;
    const ratio = hubSummary.rps / hiveSummary.rps;
    const perRound = hubSummary.runs.map((run, i) => run.rps / (hiveSummary.runs[i]?.rps ?? Number.NaN));
    const cpu = (s: Summary) => s.cpuMsPerRequest.gateway ?? Number.NaN;
    const row = (name: string, s: Summary) => [
      name,
      fmt.int(s.rps),
      fmt.ms(s.p50),
      fmt.ms(s.p99),
      fmt.ms(cpu(s)),
      String(s.errors + s.sizeMismatches),
    ];
    return {
      settings: {
        query: `learningAgreement(id: "${id}") with its unit and 6 learning outcomes, a coordinator of ${sending}`,
        connections: CONNECTIONS,
        rounds: settings.rounds,
        secondsPerRun: settings.seconds,
        warmupSeconds: 2,
      },
      tables: [
        {
          caption: 'learningAgreement(id) — medians over rounds',
          columns: ['target', 'req/s', 'p50 ms', 'p99 ms', 'gateway CPU ms/req', 'errors'],
          rows: [
            row('hub', hubSummary),
            row('hub, in-flight sharing off', unsharedSummary),
            ...baselines.map((service) => row(service.name, summaries.get(service.name) as Summary)),
            row('Hive Gateway', hiveSummary),
          ],
        },
        {
          caption: 'ratios',
          columns: ['ratio', 'value'],
          rows: [
            ['hub / Hive Gateway req/s', fmt.ratio(ratio)],
            ['hub / Hive Gateway req/s, median of the rounds’ ratios', fmt.ratio(median(perRound))],
            ['hub / Hive Gateway p50', fmt.ratio(hubSummary.p50 / hiveSummary.p50)],
            ['hub / Hive Gateway gateway CPU per request', fmt.ratio(cpu(hubSummary) / cpu(hiveSummary))],
            ['hub, in-flight sharing off / Hive Gateway req/s', fmt.ratio(unsharedSummary.rps / hiveSummary.rps)],
            [
              'hub, in-flight sharing off / Hive Gateway gateway CPU per request',
              fmt.ratio(cpu(unsharedSummary) / cpu(hiveSummary)),
            ],
            ...baselines.flatMap((service) => {
              const before = summaries.get(service.name) as Summary;
              const [name, current] = service.name.includes('sharing off')
                ? ['hub, in-flight sharing off', unsharedSummary]
                : ['hub', hubSummary];
              return [
                [`${name} / ${service.name} req/s`, fmt.ratio(current.rps / before.rps)],
                [`${name} / ${service.name} gateway CPU per request`, fmt.ratio(cpu(current) / cpu(before))],
              ];
            }),
          ],
        },
      ],
      // A refusal or a wrong answer is cheap: a target with any counts for nothing.
      targets: [
        {
          target: 'hub ≥ 1.0× Hive Gateway requests/s (both without errors)',
          measured: fmt.ratio(ratio),
          met: ratio >= 1 && [hubSummary, hiveSummary].every((s) => s.errors + s.sizeMismatches === 0),
        },
      ],
      notes: [
        `The shards run inside the bench process (as in scenario nested): the sending institution's mobilities shard and ${host}'s qualifications shard; only the gateways' CPU is accounted.`,
        'The hub runs with every feature on (entity cache, rate limits, metrics, limits, signed hops, party rules) but in development mode: demo tokens are refused in production mode.',
        'Identical queries in flight at once share one shard call in the hub (same caller, text and variables) and in Hive Gateway (its default, keyed before its hop plugin adds headers); "hub, in-flight sharing off" (SHARD_SHARE_INFLIGHT=off) sends every request on its own.',
        'Hive Gateway runs in production mode; the shards answer personal data only to a signed hop, so its bench config (bench/hive-gateway.config.ts) signs one per subgraph fetch for a fixed caller, the coordinator the token names. It checks no token and no party rule.',
      ],
      raw: Object.fromEntries(summaries),
    };
  },
};
