import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateHopKeyPair, hopKeyResolver, type HopKeyPair } from '../../platform/hop-keys';
import type { Caller } from '../../platform/caller';
import { hopAudience, HOP_HEADERS, operationOf, signHop } from '../../platform/signed-hop';
import { startMobilitiesShard } from '../../subgraphs/mobilities';
import { readSeed, startQualificationsShard } from '../../subgraphs/qualifications';
import { startRecognitionShard } from '../../subgraphs/recognition';
import { startSchoolSystemShard } from '../../subgraphs/school-system';
import { testDatabases } from './databases';
import { seedFileOf } from './hub';

/** The shards the conformance kit is checked against: the reference shards of every kind and the school system's. */
export interface ConformanceShards {
  hopKeys: HopKeyPair;
  /** By name: `qualifications`, `mobilities`, `recognition` (the reference shards of `institution`) and `school-system`. */
  urls: Record<'qualifications' | 'mobilities' | 'recognition' | 'school-system', string>;
  institution: string;
  schoolInstitution: string;
  dispose(): Promise<void>;
}

export async function startConformanceShards(
  institution = 'rvt.lv',
  school = 'cfp-esempio.it',
): Promise<ConformanceShards> {
  const hopKeys = await generateHopKeyPair();
  const databases = testDatabases();
  const common = {
    institution,
    hopKeys: hopKeyResolver({ keys: hopKeys.publicKeys }),
    hopKeyIds: hopKeys.publicKeys.keys.map((key) => String(key.kid)),
  };
  const closers: Array<() => Promise<void>> = [];
  try {
    const qualifications = await startQualificationsShard({
      ...common,
      databaseUrl: databases.url(`${institution}_qualifications`),
      seed: readSeed(seedFileOf(institution)),
    });
    closers.push(() => qualifications.close());
    const mobilities = await startMobilitiesShard({
      ...common,
      databaseUrl: databases.url(`${institution}_mobilities`),
    });
    closers.push(() => mobilities.close());
    const recognition = await startRecognitionShard({
      ...common,
      databaseUrl: databases.url(`${institution}_recognition`),
    });
    closers.push(() => recognition.close());
    const schoolShard = await startSchoolSystemShard({
      ...common,
      institution: school,
      databaseUrl: databases.url(`${school}_school`),
      example: true,
    });
    closers.push(() => schoolShard.close());
    return {
      hopKeys,
      institution,
      schoolInstitution: school,
      urls: {
        qualifications: qualifications.url,
        mobilities: mobilities.url,
        recognition: recognition.url,
        'school-system': schoolShard.url,
      },
      dispose: async () => {
        for (const close of closers.reverse()) await close();
        await databases.dispose();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    await databases.dispose();
    throw error;
  }
}

/** A contract violation a proxy plants in front of a conforming shard. */
export type PlantedViolation =
  'entities-order' | 'personal-without-hop' | 'missing-change-tag' | 'foreign-items' | 'batch-unchecked';

/** A connection's value in an answer: its nodes, directly or in edges. */
interface Connection {
  nodes?: Array<ConnectionNode | null>;
  edges?: Array<{ node?: ConnectionNode | null }>;
}
interface ConnectionNode {
  institution?: { id?: unknown } | null;
}

/** Every connection node of `data` that names its institution is made to name another one. */
function claimForAnother(data: Record<string, unknown>): void {
  for (const value of Object.values(data)) {
    if (value === null || typeof value !== 'object') continue;
    const connection = value as Connection;
    const nodes = [...(connection.nodes ?? []), ...(connection.edges ?? []).map((edge) => edge.node)];
    for (const node of nodes) if (node?.institution) node.institution.id = 'other-school.example';
  }
}

interface Answer {
  data?: ({ _entities?: unknown[] } & Record<string, unknown>) | null;
  extensions?: { cache?: { tags?: string[] } };
  changes?: Array<{ tags: string[] }>;
}

/**
 * A copy of a shard with one violation planted: a proxy that passes everything through to `target` (its
 * GraphQL URL) but reverses `_entities`, vouches for unsigned callers as a coordinator, drops `Unit:` tags,
 * lists its connections' items as another institution's, or takes any hop of a batch for its own (checking
 * neither its proof nor its audience).
 */
export async function startViolatingProxy(
  target: string,
  violation: PlantedViolation,
  hop: { keys: HopKeyPair; kind: string; institution: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const base = new URL('/', target);
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
    if (violation === 'personal-without-hop' && request.method === 'POST' && !headers[HOP_HEADERS.hop]) {
      Object.assign(
        headers,
        await signHop({
          key: hop.keys.key,
          audience: hopAudience(hop.kind, hop.institution),
          caller: { institution: hop.institution, roles: ['coordinator'], learnerId: null, subject: 'planted' },
          requestId: 'planted',
          operation: operationOf(JSON.parse(body) as unknown),
        }),
      );
    }
    const batched = headers[HOP_HEADERS.hop]?.split('~');
    if (violation === 'batch-unchecked' && request.method === 'POST' && batched?.length === 3) {
      const claims = JSON.parse(Buffer.from(batched[1] ?? '', 'base64url').toString('utf8')) as {
        caller?: Caller | null;
      };
      Object.assign(
        headers,
        await signHop({
          key: hop.keys.key,
          audience: hopAudience(hop.kind, hop.institution),
          caller: claims.caller ?? null,
          requestId: 'planted',
          operation: operationOf(JSON.parse(body) as unknown),
        }),
      );
    }
    const upstream = await fetch(new URL(request.url ?? '/', base), {
      method: request.method,
      headers,
      ...(request.method === 'POST' ? { body } : {}),
    });
    let text = await upstream.text();
    try {
      const answer = JSON.parse(text) as Answer;
      if (violation === 'entities-order' && Array.isArray(answer.data?._entities)) answer.data._entities.reverse();
      if (violation === 'foreign-items' && answer.data) claimForAnother(answer.data);
      if (violation === 'missing-change-tag') {
        const keep = (tags: string[]) => tags.filter((tag) => !tag.startsWith('Unit:'));
        if (answer.extensions?.cache?.tags) answer.extensions.cache.tags = keep(answer.extensions.cache.tags);
        for (const change of answer.changes ?? []) change.tags = keep(change.tags);
      }
      text = JSON.stringify(answer);
    } catch {
      // not JSON: passed on as it came
    }
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
