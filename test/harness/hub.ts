import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway';
import { parseRegistry } from '../../gateway/registry/registry';
import { composeSupergraph } from '../../schema/compose';
import { freePort, startShardProcess, startTogether, type ManagedProcess } from '../../scripts/processes';
import { mintDemoToken } from '../../scripts/token';
import type { Database } from '../../subgraphs/shared/database';
import { startMobilitiesShard } from '../../subgraphs/mobilities';
import { startRecognitionShard } from '../../subgraphs/recognition';
import { readSeed, startQualificationsShard } from '../../subgraphs/qualifications';
import type { Caller } from '../../platform/caller';
import { generateHopKeyPair, hopKeyResolver, type HopKeyPair, type HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop, type HopOperation } from '../../platform/signed-hop';
import { HOP_KEYS_PATH } from '../../platform/jwks-route';
import { testDatabases } from './databases';

/** A demo institution's seed, as `npm start` loads it. */
export const DEMO_INSTITUTIONS = ['bbs-hannover.de', 'cifp-aviles.es', 'omnia.fi', 'rvt.lv'] as const;
export const ROOT = join(__dirname, '..', '..');
export const seedFileOf = (code: string) => join(ROOT, 'demo', 'institutions', `${code}.json`);

export interface TestShard {
  institution: string;
  url: string;
  /** Where the shard keeps its data (`sqlite:<file>` or `mysql://…`), for tests that write it as another program would. */
  databaseUrl: string;
  /** In-process shards only: the shard's database (its statement counter proves batching). */
  db: Database | null;
  stop(): Promise<void>;
  /** Process shards only: freeze the process (SIGSTOP) to make it hang, and thaw it. */
  pause(): void;
  resume(): void;
  /** Process shards only: starts a stopped shard again on its port and database (a seed is not loaded twice). */
  restart(): Promise<void>;
  /** Process shards only: what the process has written lately (its log lines); empty for in-process shards. */
  output(): string;
}

export interface ExtraSubgraph {
  name: string;
  url: string;
  sdl: string;
}

export interface TestHubOptions {
  institutions?: readonly string[];
  /** Real shard processes (as deployed) or shards inside the test process. @default 'process' */
  shards?: 'process' | 'in-process';
  shardTimeoutMs?: number;
  /** More subgraphs with one URL each, composed into the supergraph with the committed kinds. */
  extraSubgraphs?: ExtraSubgraph[];
  /** Also run a mobilities shard per institution (they check agreements against the hub). @default false */
  mobilities?: boolean;
  /** Also run a recognition shard per institution (they read transcripts through the hub). @default false */
  recognition?: boolean;
  /** More gateway options (limits, rate limits, CORS…), passed through as they are. */
  gateway?: Partial<GatewayOptions>;
  /** Changes to an institution's registry entry (issuer, keys…), by code. */
  registryEntries?: Record<string, Record<string, unknown>>;
  /** National agencies added to the registry (no shards), each with the countries it oversees. */
  agencies?: Array<{ code: string; country: string; countries: string[] }>;
  /** How shards learn the hub's public hop keys: given to them, or fetched from the gateway's JWKS URL. @default 'keys' */
  hopKeySource?: 'keys' | 'jwks-url';
}

/** What a test signs a direct shard call with; the defaults make a genuine hop of the hub. */
export interface SignHopRequest {
  institution: string;
  /** @default 'qualifications' */
  kind?: string;
  caller: Caller | null;
  /** @default an empty query */
  operation?: HopOperation;
  requestId?: string;
  /** Milliseconds since the epoch. @default now */
  now?: number;
  ttlSeconds?: number;
  /** Another key than the hub's (a member's own, an old one). */
  key?: HopSigningKey;
}

/** The keys a shard starts with: the hub's public keys (or its JWKS URL), and its own service key. */
interface ShardKeys {
  hopPublicKeys: JSONWebKeySet;
  jwksUrl: string | null;
  service: HopKeyPair | null;
}

export interface GraphQLAnswer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface TestHub {
  url: string;
  /** The key pair the gateway signs hops with. */
  hopKeys: HopKeyPair;
  /** The headers of a hop to a shard, signed as the gateway would (or with `key`), to call shards directly in tests. */
  signHop(request: SignHopRequest): Promise<Record<string, string>>;
  /** The secret the hub's demo tokens are signed with, for scripts that mint their own. */
  tokenSecret: string;
  gateway: RunningGateway;
  shards: Map<string, TestShard>;
  /** Mobilities shards by institution, when asked for. */
  mobilityShards: Map<string, TestShard>;
  /** Recognition shards by institution, when asked for. */
  recognitionShards: Map<string, TestShard>;
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLAnswer>;
  token(institution: string, roles: string[], learnerId?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] };
}

async function startProcessShard(
  code: string,
  databaseUrl: string,
  keys: ShardKeys,
  kind = 'qualifications',
  hubUrl?: string,
): Promise<TestShard> {
  const options = {
    kind,
    institution: code,
    databaseUrl,
    hopPublicKeys: keys.jwksUrl ? null : keys.hopPublicKeys,
    ...(keys.service ? { servicePrivateKey: keys.service.privateKeyPem } : {}),
    ...(kind === 'qualifications' ? { seedFile: seedFileOf(code) } : {}),
    env: {
      ...(kind === 'qualifications' ? {} : { HUB_URL: hubUrl ?? '' }),
      ...(keys.jwksUrl ? { HUB_HOP_JWKS_URL: keys.jwksUrl } : {}),
    },
  };
  let shard: ManagedProcess & { url: string } = await startShardProcess(options);
  const port = Number(new URL(shard.url).port);
  return {
    institution: code,
    url: shard.url,
    databaseUrl,
    db: null,
    stop: () => shard.stop(),
    pause: () => shard.child.kill('SIGSTOP'),
    resume: () => shard.child.kill('SIGCONT'),
    restart: async () => {
      shard = await startShardProcess({ ...options, port });
    },
    output: () => shard.output(),
  };
}

async function startInProcessShard(
  code: string,
  databaseUrl: string,
  keys: ShardKeys,
  kind = 'qualifications',
  hubUrl?: string,
): Promise<TestShard> {
  const options = {
    institution: code,
    databaseUrl,
    hopKeys: hopKeyResolver({ keys: keys.hopPublicKeys, jwksUrl: keys.jwksUrl }),
    hopKeyIds: keys.jwksUrl ? null : (keys.hopPublicKeys?.keys.map((key) => String(key.kid)) ?? null),
    serviceKey: keys.service?.key ?? null,
    hubUrl: hubUrl ?? null,
  };
  const shard =
    kind === 'qualifications'
      ? await startQualificationsShard({ ...options, seed: readSeed(seedFileOf(code)) })
      : kind === 'mobilities'
        ? await startMobilitiesShard(options)
        : await startRecognitionShard(options);
  let stopped = false;
  return {
    institution: code,
    url: shard.url,
    databaseUrl,
    db: shard.db,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await shard.close();
    },
    pause: () => {
      throw new Error('Only process shards can be paused');
    },
    resume: () => undefined,
    restart: () => Promise.reject(new Error('Only process shards can be restarted')),
    output: () => '',
  };
}

/** A whole hub for one test file: shards seeded with the demo data, the registry, and the gateway in front. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const institutions = options.institutions ?? DEMO_INSTITUTIONS;
  const hopKeys = await generateHopKeyPair();
  const tokenSecret = randomBytes(24).toString('base64url');
  const databases = testDatabases();
  const shards = new Map<string, TestShard>();
  const mobilityShards = new Map<string, TestShard>();
  const recognitionShards = new Map<string, TestShard>();
  const start = options.shards === 'in-process' ? startInProcessShard : startProcessShard;
  const port = await freePort();
  const hubUrl = `http://127.0.0.1:${port}/graphql`;
  const jwksUrl = options.hopKeySource === 'jwks-url' ? `http://127.0.0.1:${port}${HOP_KEYS_PATH}` : null;
  // Shards that call the hub have their own key pair; the registry lists the public halves.
  const serviceKeys = new Map<string, HopKeyPair>();
  const keysFor = async (code: string, kind: string): Promise<ShardKeys> => {
    let service: HopKeyPair | null = null;
    if (kind !== 'qualifications') {
      service = await generateHopKeyPair();
      serviceKeys.set(hopAudience(kind, code), service);
    }
    return { hopPublicKeys: hopKeys.publicKeys, jwksUrl, service };
  };
  const serviceJwksOf = (code: string) => {
    const entries = ['mobilities', 'recognition'].flatMap((kind) => {
      const pair = serviceKeys.get(hopAudience(kind, code));
      return pair ? [[kind, pair.publicKeys] as const] : [];
    });
    return entries.length > 0 ? { serviceJwks: Object.fromEntries(entries) } : {};
  };
  const all = () => [...shards.values(), ...mobilityShards.values(), ...recognitionShards.values()];
  // startTogether: a shard failing to start leaves none of its siblings running (Promise.all would).
  try {
    for (const shard of await startTogether(
      institutions.map(
        (code) => async () =>
          start(code, databases.url(`${code}_qualifications`), await keysFor(code, 'qualifications')),
      ),
    )) {
      shards.set(shard.institution, shard);
    }
    if (options.mobilities) {
      const started = await startTogether(
        institutions.map(
          (code) => async () =>
            start(code, databases.url(`${code}_mobilities`), await keysFor(code, 'mobilities'), 'mobilities', hubUrl),
        ),
      );
      for (const shard of started) mobilityShards.set(shard.institution, shard);
    }
    if (options.recognition) {
      const started = await startTogether(
        institutions.map(
          (code) => async () =>
            start(
              code,
              databases.url(`${code}_recognition`),
              await keysFor(code, 'recognition'),
              'recognition',
              hubUrl,
            ),
        ),
      );
      for (const shard of started) recognitionShards.set(shard.institution, shard);
    }
    const demo = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as {
      institutions: Array<{ code: string }>;
    };
    const registry = parseRegistry({
      institutions: [
        ...demo.institutions
          .filter((entry) => shards.has(entry.code))
          .map((entry) => ({
            ...entry,
            ...serviceJwksOf(entry.code),
            ...options.registryEntries?.[entry.code],
            shards: {
              qualifications: shards.get(entry.code)?.url,
              ...(mobilityShards.has(entry.code) ? { mobilities: mobilityShards.get(entry.code)?.url } : {}),
              ...(recognitionShards.has(entry.code) ? { recognition: recognitionShards.get(entry.code)?.url } : {}),
            },
          })),
        ...(options.agencies ?? []).map((agency) => ({
          code: agency.code,
          names: [{ lang: 'en', value: `National agency ${agency.code}` }],
          country: agency.country,
          shards: {},
          agency: { countries: agency.countries },
        })),
      ],
    });
    const committed = readFileSync(join(ROOT, 'schema', 'qualifications.graphql'), 'utf8');
    const supergraphSdl = options.extraSubgraphs
      ? composeSupergraph([{ name: 'qualifications', sdl: committed }, ...options.extraSubgraphs])
      : readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8');
    const gateway = await startGateway({
      supergraphSdl,
      registry,
      hopKey: hopKeys.key,
      demoTokenSecret: tokenSecret,
      shardTimeoutMs: options.shardTimeoutMs ?? 5_000,
      port,
      ...options.gateway,
    });
    return {
      url: gateway.url,
      hopKeys,
      signHop: (request) =>
        signHop({
          key: request.key ?? hopKeys.key,
          audience: hopAudience(request.kind ?? 'qualifications', request.institution),
          caller: request.caller,
          requestId: request.requestId ?? 'direct',
          operation: request.operation ?? { query: '', variables: null },
          ...(request.now === undefined ? {} : { now: request.now }),
          ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
        }),
      tokenSecret,
      gateway,
      shards,
      mobilityShards,
      recognitionShards,
      request: (query, variables, token) => postGraphQL(gateway.url, query, variables, token),
      token: (institution, roles, learnerId) => mintDemoToken({ institution, roles, learnerId, secret: tokenSecret }),
      dispose: async () => {
        await gateway.close();
        await Promise.all(all().map((shard) => shard.stop()));
        await databases.dispose();
      },
    };
  } catch (error) {
    await Promise.all(all().map((shard) => shard.stop()));
    await databases.dispose();
    throw error;
  }
}
