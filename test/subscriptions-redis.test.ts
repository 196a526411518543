import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../gateway';
import { parseRegistry } from '../gateway/registry/registry';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { freePort, startShardProcess, type ManagedProcess } from '../scripts/processes';
import { mintDemoToken } from '../scripts/token';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { generateHopKeyPair, type HopKeyPair } from '../platform/hop-keys';
import { testDatabases } from './harness/databases';
import { postGraphQL, ROOT, seedFileOf } from './harness/hub';
import { requireRedis, TEST_REDIS_URL } from './harness/redis';
import { socketClient } from './harness/socket-client';

/**
 * Two replicas of one mobilities shard share a database and hear each other's commits through Redis: an
 * assessment written through one replica (and one gateway) reaches a subscriber of the other gateway at once,
 * although neither replica polls the database for a minute.
 */
const databases = testDatabases();
const processes: ManagedProcess[] = [];
const gateways: RunningGateway[] = [];
const tokenSecret = randomBytes(24).toString('base64url');

let hopKeys: HopKeyPair;

beforeAll(async () => {
  await requireRedis();
  hopKeys = await generateHopKeyPair();
  // Both replicas of a mobilities shard share one service key; the registry lists its public half.
  const serviceKeys = new Map<string, HopKeyPair>();
  for (const code of ['rvt.lv', 'cifp-aviles.es']) serviceKeys.set(code, await generateHopKeyPair());
  const codes = ['rvt.lv', 'cifp-aviles.es'];
  const ports = { a: await freePort(), b: await freePort() };
  const shard = async (kind: string, code: string, name: string, hubPort: number, env: Record<string, string> = {}) => {
    const started = await startShardProcess({
      kind,
      institution: code,
      databaseUrl: databases.url(name),
      hopPublicKeys: hopKeys.publicKeys,
      ...(kind === 'qualifications'
        ? { seedFile: seedFileOf(code) }
        : {
            env: { HUB_URL: `http://127.0.0.1:${hubPort}/graphql`, ...env },
            servicePrivateKey: serviceKeys.get(code)?.privateKeyPem,
          }),
    });
    processes.push(started);
    return started.url;
  };
  const urls: Record<string, Record<string, string>> = {};
  for (const code of codes) {
    urls[code] = {
      qualifications: await shard('qualifications', code, `${code}_q`, ports.a),
      mobilitiesA: await shard('mobilities', code, `${code}_m`, ports.a, {
        REDIS_URL: TEST_REDIS_URL,
        OUTBOX_POLL_MS: '60000',
      }),
      mobilitiesB: await shard('mobilities', code, `${code}_m`, ports.b, {
        REDIS_URL: TEST_REDIS_URL,
        OUTBOX_POLL_MS: '60000',
      }),
    };
  }
  const demo = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as {
    institutions: Array<{ code: string }>;
  };
  for (const replica of ['A', 'B'] as const) {
    const registry = parseRegistry({
      institutions: demo.institutions
        .filter((entry) => codes.includes(entry.code))
        .map((entry) => ({
          ...entry,
          shards: {
            qualifications: urls[entry.code]?.qualifications,
            mobilities: urls[entry.code]?.[`mobilities${replica}`],
          },
          serviceJwks: { mobilities: serviceKeys.get(entry.code)?.publicKeys },
        })),
    });
    gateways.push(
      await startGateway({
        supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
        registry,
        port: replica === 'A' ? ports.a : ports.b,
        hopKey: hopKeys.key,
        demoTokenSecret: tokenSecret,
      }),
    );
  }
  await createDemoMobilities(gateways[0]?.url as string, false, tokenSecret);
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all(processes.map((p) => p.stop()));
  await databases.dispose();
});

test('an assessment written through replica A reaches a subscriber of gateway B within a second', async () => {
  const [a, b] = gateways as [RunningGateway, RunningGateway];
  const token = await mintDemoToken({ institution: 'rvt.lv', roles: ['viewer'], secret: tokenSecret });
  const client = socketClient(b.url, token);
  try {
    const iterator = client.iterate<{ assessmentRecorded: { type: string; assessment: { grade: string } } }>({
      query: 'subscription { assessmentRecorded { type assessment { grade } } }',
    });
    // The replay of the two assessments the demo recorded comes first.
    for (let seen = 0; seen < 2; seen += 1) await iterator.next();
    const assessor = await mintDemoToken({ institution: 'cifp-aviles.es', roles: ['assessor'], secret: tokenSecret });
    const agreement = await postGraphQL(
      a.url,
      '{ learningAgreement(id: "rvt.lv:LA-2026-001") { assessments { id } } }',
      undefined,
      assessor,
    );
    const id = (agreement.body.data?.learningAgreement as { assessments: Array<{ id: string }> }).assessments[0]?.id;
    const written = Date.now();
    const corrected = await postGraphQL(
      a.url,
      `mutation($id: ID!) { correctAssessment(id: $id, input: { result: ACHIEVED, grade: "10/10", assessedOn: "${addDays(today(), -20)}", reason: "Re-marked" }) { grade } }`,
      { id },
      assessor,
    );
    expect(corrected.body.errors).toBeUndefined();
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 5_000))),
    ]);
    clearTimeout(timer);
    expect(next && !next.done ? next.value.data?.assessmentRecorded : null).toEqual({
      type: 'ASSESSMENT_CORRECTED',
      assessment: { grade: '10/10' },
    });
    expect(Date.now() - written).toBeLessThan(1_000);
    await iterator.return?.();
  } finally {
    await client.dispose();
  }
});
