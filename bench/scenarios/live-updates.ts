import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { freePort, startGatewayProcess, startShardProcess } from '../../scripts/processes';
import { mintDemoToken } from '../../scripts/token';
import { addDays, today } from '../../subgraphs/mobilities/dates';
import { generateHopKeyPair } from '../../platform/hop-keys';
import { projectRoot } from '../../platform/project-root';
import type { Scenario } from '../lib/context';
import { median, percentile } from '../lib/load';
import { rssMb } from '../lib/processes';
import { fmt } from '../lib/report';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
/** Distinct callers (token subjects), half at each party institution; subscribers are spread evenly over them. */
const CALLERS = 10;
const EVENTS_PER_ROUND = 8;
const GAP_MS = 150;
const INSTITUTIONS = ['rvt.lv', 'cifp-aviles.es'] as const;
const LA = 'rvt.lv:LA-2026-001';
const SUBSCRIBE = `subscription($after: String) {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }, after: $after) {
    cursor type
    assessment { result grade unit { title } }
    learningAgreement { id hostingInstitution { name } }
  }
}`;

interface Subscriber {
  client: Client;
  received: number;
  /** Arrival time (performance.now) of each event, by arrival index. */
  arrivals: number[];
  errors: number;
  /** The last error it saw, for the report when something goes wrong. */
  lastError?: string;
}

async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await answer.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data)
    throw new Error(`hub answered ${answer.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * The hub's RSS once the garbage of what just happened is collected: the lowest of samples over a few
 * seconds. What subscriptions keep is what they cost; the catch-up's transient garbage is not.
 */
async function settledRssMb(pid: number): Promise<number> {
  let lowest = Number.POSITIVE_INFINITY;
  for (let sample = 0; sample < 8; sample += 1) {
    lowest = Math.min(lowest, rssMb(pid) ?? Number.NaN);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return lowest;
}

async function until(
  condition: () => boolean,
  what: string,
  timeoutMs: number,
  state: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Scenario 5: 1,000 dashboards subscribed at the hub; latency from a write returning to the event at every one. */
export const liveUpdates: Scenario = {
  name: 'live-updates',
  title: 'Live updates: 1,000 subscribers over graphql-ws',
  estimate: '~1 min',
  async run(context) {
    const root = projectRoot();
    const tokenSecret = 'bench-demo-token-secret-0123456789';
    const hubPort = await freePort();
    const hubUrl = `http://127.0.0.1:${hubPort}/graphql`;
    // Qualifications and mobilities shards of the two institutions the demo mobility joins, on SQLite.
    const entries = [];
    for (const code of INSTITUTIONS) {
      const seedFile = join(root, 'demo', 'institutions', `${code}.json`);
      const shards: Record<string, string> = {};
      // The mobilities shard checks agreements through the hub with its own service key, listed in the registry.
      const service = await generateHopKeyPair();
      for (const kind of ['qualifications', 'mobilities'] as const) {
        const shard = await context.cleanup.start((signal) =>
          startShardProcess({
            kind,
            institution: code,
            databaseUrl: `sqlite:${join(context.tmp, `${code}-${kind}.sqlite`)}`,
            hopPublicKeys: context.hopKeys.publicKeys,
            ...(kind === 'qualifications'
              ? { seedFile }
              : { env: { HUB_URL: hubUrl }, servicePrivateKey: service.privateKeyPem }),
            signal,
          }),
        );
        shards[kind] = shard.url;
      }
      const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { institution: { names: unknown; country: string } };
      entries.push({
        code,
        names: seed.institution.names,
        country: seed.institution.country,
        shards,
        serviceJwks: { mobilities: service.publicKeys },
      });
    }
    const registryPath = join(context.tmp, 'live-updates.registry.json');
    writeFileSync(registryPath, `${JSON.stringify({ institutions: entries }, null, 2)}\n`);
    // Demo tokens are refused in production mode; everything else runs as in production.
    const hub = await context.cleanup.start((signal) =>
      startGatewayProcess(
        {
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          REGISTRY_PATH: registryPath,
          SUPERGRAPH_PATH: context.supergraphPath,
          HUB_HOP_PRIVATE_KEY: context.hopKeys.privateKeyPem,
          HUB_DEMO_TOKEN_SECRET: tokenSecret,
          RATE_LIMIT_PER_IP: '100000000',
        },
        hubPort,
        false,
        [],
        signal,
      ),
    );
    const hubPid = hub.child.pid ?? -1;
    await createDemoMobilities(hubUrl, false, tokenSecret);

    const assessor = await mintDemoToken({ institution: 'cifp-aviles.es', roles: ['assessor'], secret: tokenSecret });
    const agreement = await post(
      hubUrl,
      assessor,
      'query($id: ID!) { learningAgreement(id: $id) { assessments { id unit { id } } } }',
      { id: LA },
    );
    const assessmentId = (agreement.learningAgreement as { assessments: Array<{ id: string }> }).assessments[0]?.id;
    if (!assessmentId) throw new Error('the demo mobility has no assessment');
    let grade = 0;
    const write = () =>
      post(
        hubUrl,
        assessor,
        `mutation($id: ID!, $grade: String!) { correctAssessment(id: $id, input: { result: ACHIEVED, grade: $grade, assessedOn: "${addDays(today(), -20)}", reason: "Re-marked" }) { revision } }`,
        { id: assessmentId, grade: `${(grade += 1) % 10}/10` },
      );

    // Where the dashboards start: after the history (a dashboard that reconnects passes its last cursor).
    const probeToken = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'], secret: tokenSecret });
    const probe = createClient({
      url: hubUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${probeToken}` },
    });
    let start: string | null = null;
    const stopProbe = probe.subscribe<{ assessmentRecorded: { cursor: string } }>(
      { query: SUBSCRIBE, variables: { after: null } },
      {
        next: (r) => void (start = r.data?.assessmentRecorded.cursor ?? start),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await until(() => start !== null, 'the history', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stopProbe();
    await probe.dispose();

    const tokens = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) =>
        mintDemoToken({
          institution: INSTITUTIONS[i % 2] as string,
          roles: ['coordinator'],
          subject: `bench:dashboard-${i}`,
          secret: tokenSecret,
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rssBefore = await settledRssMb(hubPid);
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 1) {
      const client = createClient({
        url: hubUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${tokens[i % CALLERS]}` },
      });
      const subscriber: Subscriber = { client, received: 0, arrivals: [], errors: 0 };
      client.subscribe(
        { query: SUBSCRIBE, variables: { after: start } },
        {
          next: (result) => {
            if (result.errors?.length) {
              subscriber.errors += 1;
              subscriber.lastError = JSON.stringify(result.errors).slice(0, 300);
            }
            subscriber.arrivals.push(performance.now());
            subscriber.received += 1;
          },
          error: (error: unknown) => {
            subscriber.errors += 1;
            subscriber.lastError = (error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 300);
          },
          complete: () => undefined,
        },
      );
      subscribers.push(subscriber);
    }
    context.cleanup.add(`close ${SUBSCRIBERS} subscribers`, async () => {
      await Promise.all(subscribers.map((s) => s.client.dispose()));
    });
    // One event every subscriber has received proves each subscription is live upstream.
    await write();
    const tally = () =>
      ` (${subscribers.filter((s) => s.received >= 1).length} have it, ${subscribers.filter((s) => s.errors > 0).length} saw errors${subscribers.find((s) => s.lastError) ? `, e.g. ${subscribers.find((s) => s.lastError)?.lastError}` : ''})`;
    await until(
      () => subscribers.every((s) => s.received >= 1),
      `the first event at all ${SUBSCRIBERS} subscribers`,
      60_000,
      tally,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rssOpen = await settledRssMb(hubPid);
    const kbPerSubscription = ((rssOpen - rssBefore) * 1024) / SUBSCRIBERS;
    context.log(
      `  ${SUBSCRIBERS} subscribers open over ${CALLERS} callers; hub RSS ${fmt.num(rssBefore, 0)} → ${fmt.num(rssOpen, 0)} MB`,
    );

    const rounds: Array<{ p50: number; p99: number; max: number }> = [];
    for (let round = 1; round <= context.settings.rounds; round += 1) {
      const latencies: number[] = [];
      for (let e = 0; e < EVENTS_PER_ROUND; e += 1) {
        const index = subscribers[0]?.received ?? 0;
        await write();
        const returned = performance.now();
        await until(() => subscribers.every((s) => s.received > index), 'an event at every subscriber', 30_000);
        for (const s of subscribers) latencies.push(Math.max(0, (s.arrivals[index] ?? Number.NaN) - returned));
        await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      }
      latencies.sort((a, b) => a - b);
      const stats = {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
      };
      rounds.push(stats);
      context.log(
        `  round ${round}/${context.settings.rounds}: ${EVENTS_PER_ROUND} events × ${SUBSCRIBERS} subscribers  p50 ${fmt.ms(stats.p50)} ms  p99 ${fmt.ms(stats.p99)} ms`,
      );
    }
    const errors = subscribers.reduce((sum, s) => sum + s.errors, 0);
    const p50 = median(rounds.map((r) => r.p50));
    const p99 = median(rounds.map((r) => r.p99));
    return {
      settings: {
        subscribers: SUBSCRIBERS,
        callers: `${CALLERS} (token subjects), coordinators of rvt.lv and cifp-aviles.es, ${SUBSCRIBERS / CALLERS} subscribers each, one WebSocket per subscriber`,
        subscription:
          'assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }) with assessment { result grade unit { title } } and learningAgreement { id hostingInstitution { name } }',
        event:
          'correctAssessment through the hub (the same outbox event path and subscription field as recordAssessment, which a unit allows only once)',
        rounds: context.settings.rounds,
        eventsPerRound: EVENTS_PER_ROUND,
        gapMs: GAP_MS,
        shards: 'qualifications + mobilities shards of 2 institutions, processes on SQLite',
      },
      tables: [
        {
          caption: 'delivery: from the write returning to the event at each subscriber (ms), per round',
          columns: ['round', 'p50 ms', 'p99 ms', 'max ms'],
          rows: [
            ...rounds.map((r, i) => [String(i + 1), fmt.ms(r.p50), fmt.ms(r.p99), fmt.ms(r.max)]),
            ['median', fmt.ms(p50), fmt.ms(p99), ''],
          ],
        },
        {
          caption: 'gateway memory',
          columns: ['hub RSS before MB', `with ${SUBSCRIBERS} subscriptions MB`, 'KB per subscription', 'errors'],
          rows: [[fmt.num(rssBefore, 0), fmt.num(rssOpen, 0), fmt.num(kbPerSubscription, 1), String(errors)]],
        },
      ],
      targets: [
        {
          target: `delivery p99 ≤ 250 ms with ${SUBSCRIBERS} subscribers`,
          measured: `${fmt.ms(p99)} ms (p50 ${fmt.ms(p50)} ms)`,
          met: p99 <= 250,
        },
        {
          target: '≤ 50 KB gateway RSS per subscription',
          measured: `${fmt.num(kbPerSubscription, 1)} KB`,
          met: kbPerSubscription <= 50,
        },
      ],
      notes: [
        `Subscribers with the same caller, operation and variables share one upstream subscription per shard and one payload resolution per event (gateway/subscriptions/feed.ts): ${CALLERS} callers × ${INSTITUTIONS.length} mobilities shards = ${CALLERS * INSTITUTIONS.length} upstream sockets for ${SUBSCRIBERS} subscribers.`,
        'The subscribers (1,000 WebSockets) run in the bench process on the same 2 cores as the hub and the shards; their receive time is part of the latency.',
        "RSS per subscription: the hub's resident memory with the subscriptions open minus before, over the count (one WebSocket connection each, so it includes the connection); each is the lowest of 8 samples over 4 s, so that garbage not yet collected is not counted as kept.",
        ...(errors > 0
          ? [
              `Errors seen by subscribers: ${errors}, e.g. ${subscribers.find((s) => s.lastError)?.lastError ?? '(no message)'}`,
            ]
          : []),
      ],
      raw: { rounds, rssBefore, rssOpen },
    };
  },
};
