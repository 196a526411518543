import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway';
import type { CatalogueEngine, InstitutionPart } from '../../gateway/catalogue/engine';
import { createPostgresEngine } from '../../gateway/catalogue/postgres-engine';
import { createSqliteEngine } from '../../gateway/catalogue/sqlite-engine';
import { Registry } from '../../gateway/registry/registry';
import { HOP_HEADERS } from '../../platform/signed-hop';
import { postGraphQL, ROOT, type TestHub } from './hub';

/**
 * Where test catalogues live: a fresh PostgreSQL database when TEST_CATALOG_URL is set (postgres://…/<any
 * database to connect to>), otherwise the embedded SQLite engine. Never a mock.
 */
export const CATALOG_BASE_URL = process.env.TEST_CATALOG_URL ?? null;

export interface TestCatalogue {
  /** The gateway's catalogue settings' `url`: null for the embedded engine. */
  url: string | null;
  dispose(): Promise<void>;
}

export async function testCatalogue(): Promise<TestCatalogue> {
  if (!CATALOG_BASE_URL) return { url: null, dispose: async () => undefined };
  const database = `catalogue_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: CATALOG_BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(CATALOG_BASE_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    dispose: async () => {
      const client = new Client({ connectionString: CATALOG_BASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The rows of `sql` (one or more statements) on a test catalogue's PostgreSQL database, on a connection of its own. */
export async function catalogueRows<Row extends Record<string, unknown>>(url: string, sql: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A started engine of the configured kind (see testCatalogue) holding `parts`, written as a rebuild writes them. */
export async function testEngine(
  parts: readonly InstitutionPart[],
): Promise<{ engine: CatalogueEngine; url: string | null; dispose(): Promise<void> }> {
  const catalogue = await testCatalogue();
  const engine = catalogue.url ? createPostgresEngine(catalogue.url) : createSqliteEngine();
  await engine.start();
  for (const part of parts) await engine.replaceInstitution(part);
  return {
    engine,
    url: catalogue.url,
    dispose: async () => {
      await engine.close();
      await catalogue.dispose();
    },
  };
}

/**
 * A gateway of its own over the test hub's shards (or `registry`'s), without an entity cache, with these catalogue
 * settings: a test of the catalogue's life (a restart, replicas, an engine lost or down) starts and stops it apart
 * from the hub's own gateway.
 */
export function startCatalogueGateway(
  hub: TestHub,
  catalogue: GatewayOptions['catalogue'],
  registry = new Registry([...hub.gateway.registry.institutions]),
): Promise<RunningGateway> {
  return startGateway({
    supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    registry,
    hopKey: hub.hopKeys.key,
    demoTokenSecret: hub.tokenSecret,
    port: 0,
    entityCache: false,
    catalogue,
  });
}

/** The test hub's registry, but with `institution`'s qualifications shard reached at `url` (a gate in front of it). */
export function registryThrough(hub: TestHub, institution: string, url: string): Registry {
  return new Registry(
    hub.gateway.registry.institutions.map((entry) =>
      entry.code === institution ? { ...entry, shards: { ...entry.shards, qualifications: url } } : entry,
    ),
  );
}

/** The IDs of the units a text search through the gateway at `url` finds (its first 100), failing on an error. */
export async function searchUnitIds(url: string, text: string): Promise<string[]> {
  const answer = await postGraphQL(
    url,
    'query($text: String) { units(filter: { text: $text }, first: 100) { nodes { id } } }',
    { text },
  );
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((node) => node.id);
}

/** The catalogue answers lists once every institution's part was read: wait until then. */
export async function catalogueReady(gateway: RunningGateway, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = gateway.catalogue?.states() ?? [];
    if (states.length > 0 && states.every((state) => state.current)) return;
    if (Date.now() > deadline) throw new Error(`catalogue not current: ${JSON.stringify(states)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A gate in front of a shard: every call passes, but the answers of catalogue reads can be held (see startReadGate). */
export interface ReadGate {
  /** The shard's URL through the gate. */
  url: string;
  /** While true, the answer to each read of named records for a catalogue is held until released. */
  holding: boolean;
  /** The held answers, in the order their reads came; a released one stays in the list. */
  held: Array<{ release(): void }>;
  /** What came through, in order: each operation's first words, or the path of another call (a test's failure says). */
  calls: string[];
  /** Each POST that came through, in order: its signed hop (`x-hub-hop`) and its body, as a member's shard sees them. */
  posts: Array<{ hop: string | undefined; body: string }>;
  /** Stops holding and lets every held answer go. */
  openAll(): void;
  close(): Promise<void>;
}

async function bodyOf(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts a gate in front of the shard at `shardUrl`. A held read was answered by the shard when it came (the
 * answer is what the shard held then), and reaches the catalogue only once released: the test decides when an
 * answer read before a change arrives. `feed: false`: the gate answers 404 for the change feed, as a shard
 * without one does; `changes`: the gate answers each poll of the change feed itself, with the page it gives for the
 * poll's URL, once that is settled (a hostile or broken feed); `writeChanges: false`: answers to writes lose their
 * list of changes (`extensions.changes`), as an institution's own system's do.
 */
export async function startReadGate(
  shardUrl: string,
  options: { feed?: boolean; changes?: (poll: URL) => unknown; writeChanges?: boolean } = {},
): Promise<ReadGate> {
  const target = new URL(shardUrl);
  const gate: ReadGate = {
    url: '',
    holding: false,
    held: [],
    calls: [],
    posts: [],
    openAll: () => {
      gate.holding = false;
      for (const answer of gate.held) answer.release();
    },
    close: async () => undefined,
  };
  const inFlight = new Set<ReturnType<typeof request>>();
  const server = createServer((incoming, outgoing) => {
    if (options.feed === false && incoming.url?.startsWith('/changes')) {
      gate.calls.push(`${incoming.method ?? ''} ${incoming.url}: 404`);
      outgoing.writeHead(404).end();
      return;
    }
    const { changes } = options;
    if (changes && incoming.url?.startsWith('/changes')) {
      void Promise.resolve(changes(new URL(incoming.url, 'http://gate')))
        .then((page) => outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page)))
        .catch(() => outgoing.destroy());
      return;
    }
    void (async () => {
      const body = await bodyOf(incoming);
      const query = incoming.method === 'POST' ? (JSON.parse(body.toString('utf8')) as { query?: string }).query : '';
      gate.calls.push(
        query ? (query.split(/[({]/, 1)[0]?.trim() ?? '') : `${incoming.method ?? ''} ${incoming.url ?? ''}`,
      );
      const hop = incoming.headers[HOP_HEADERS.hop];
      if (incoming.method === 'POST')
        gate.posts.push({ hop: Array.isArray(hop) ? hop[0] : hop, body: body.toString('utf8') });
      const open = !(gate.holding && query?.startsWith('query CatalogueChanges'))
        ? Promise.resolve()
        : new Promise<void>((release) => gate.held.push({ release }));
      const forwarded = request({
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
        // No connection is kept for later: a closed gate leaves nothing open behind it.
        agent: false,
      });
      inFlight.add(forwarded);
      forwarded.on('close', () => inFlight.delete(forwarded));
      forwarded.end(body);
      const answer = await new Promise<IncomingMessage>((resolve, reject) =>
        forwarded.on('response', resolve).on('error', reject),
      );
      let answered = await bodyOf(answer);
      await open;
      const headers = { ...answer.headers };
      if (options.writeChanges === false && query?.startsWith('mutation')) {
        const json = JSON.parse(answered.toString('utf8')) as { extensions?: Record<string, unknown> };
        delete json.extensions?.changes;
        answered = Buffer.from(JSON.stringify(json));
        headers['content-length'] = String(answered.length);
      }
      outgoing.writeHead(answer.statusCode ?? 502, headers).end(answered);
    })().catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const through = new URL(shardUrl);
  through.port = String((server.address() as AddressInfo).port);
  gate.url = through.toString();
  gate.close = () =>
    new Promise<void>((resolve) => {
      gate.openAll();
      // A feed's long poll passed on may still wait at the shard: nothing of the gate outlives it.
      for (const forwarded of inFlight) forwarded.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return gate;
}
