import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { generateHopKeyPair } from '../../platform/hop-keys';
import BetterSqlite3 from 'better-sqlite3';
import { createConnection, type Connection } from 'mysql2/promise';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway';
import { parseRegistry } from '../../gateway/registry/registry';
import { freePort, startShardProcess, startTogether, type ManagedProcess } from '../../scripts/processes';
import { mintDemoToken } from '../../scripts/token';
import { DEMO_INSTITUTIONS, ROOT, seedFileOf, type GraphQLAnswer } from './hub';
import { testDatabases } from './databases';

/**
 * A hub whose qualifications shards are real processes that a test may SIGKILL mid-request and start again on the
 * same port and database, with the test reading (and locking) each shard's database directly.
 */

export interface KillableShard {
  institution: string;
  url: string;
  databaseUrl: string;
  /** SIGKILL: no shutdown, no rollback by the shard; the database undoes what was not committed. */
  kill(): Promise<void>;
  /** Starts the shard again on its port and database (its seed is not loaded twice). */
  restart(): Promise<void>;
  /** SIGSTOP: the process takes no more work (requests wait in its socket) until killed. */
  pause(): void;
  stop(): Promise<void>;
}

export interface KillableHub {
  url: string;
  gateway: RunningGateway;
  shards: Map<string, KillableShard>;
  token(institution: string, roles: string[], subject?: string): Promise<string>;
  /** POST /graphql with extra headers (Idempotency-Key); the body's text is kept for byte comparisons. */
  request(
    query: string,
    variables: Record<string, unknown> | undefined,
    token: string | undefined,
    headers?: Record<string, string>,
  ): Promise<GraphQLAnswer & { text: string }>;
  dispose(): Promise<void>;
}

export async function postWithHeaders(
  url: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<GraphQLAnswer & { text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLAnswer['body'] };
}

async function startKillableShard(
  institution: string,
  databaseUrl: string,
  hopPublicKeys: JSONWebKeySet,
): Promise<KillableShard> {
  const port = await freePort();
  const start = () =>
    startShardProcess({
      kind: 'qualifications',
      institution,
      databaseUrl,
      hopPublicKeys,
      port,
      seedFile: seedFileOf(institution),
    });
  let current: ManagedProcess = await start();
  return {
    institution,
    url: `http://127.0.0.1:${port}/graphql`,
    databaseUrl,
    kill: () => current.stop('SIGKILL'),
    restart: async () => {
      await current.stop('SIGKILL');
      current = await start();
    },
    pause: () => {
      current.child.kill('SIGSTOP');
    },
    stop: () => current.stop(),
  };
}

export async function startKillableHub(
  options: { institutions?: readonly string[]; gateway?: Partial<GatewayOptions> } = {},
): Promise<KillableHub> {
  const institutions = options.institutions ?? DEMO_INSTITUTIONS;
  const hopKeys = await generateHopKeyPair();
  const tokenSecret = randomBytes(24).toString('base64url');
  const databases = testDatabases();
  const shards = new Map<string, KillableShard>();
  try {
    // startTogether: a shard failing to start leaves none of its siblings running (Promise.all would).
    for (const shard of await startTogether(
      institutions.map(
        (code) => () => startKillableShard(code, databases.url(`${code}_qualifications`), hopKeys.publicKeys),
      ),
    )) {
      shards.set(shard.institution, shard);
    }
    const demo = JSON.parse(readFileSync(join(ROOT, 'demo', 'registry.json'), 'utf8')) as {
      institutions: Array<{ code: string }>;
    };
    const registry = parseRegistry({
      institutions: demo.institutions
        .filter((entry) => shards.has(entry.code))
        .map((entry) => ({ ...entry, shards: { qualifications: shards.get(entry.code)?.url } })),
    });
    const gateway = await startGateway({
      supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
      registry,
      hopKey: hopKeys.key,
      demoTokenSecret: tokenSecret,
      shardTimeoutMs: 5_000,
      rateLimit: false,
      ...options.gateway,
    });
    return {
      url: gateway.url,
      gateway,
      shards,
      token: (institution, roles, subject) =>
        mintDemoToken({ institution, roles, secret: tokenSecret, ...(subject ? { subject } : {}) }),
      request: (query, variables, token, headers) => postWithHeaders(gateway.url, query, variables, token, headers),
      dispose: async () => {
        await gateway.close();
        await Promise.all([...shards.values()].map((shard) => shard.stop()));
        await databases.dispose();
      },
    };
  } catch (error) {
    await Promise.all([...shards.values()].map((shard) => shard.stop()));
    await databases.dispose();
    throw error;
  }
}

/** The test's own connection to a shard's database: SQLite file or MySQL/MariaDB database, as the shard uses. */
export interface ShardDatabase {
  driver: 'sqlite' | 'mysql';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** MySQL: this connection's id (for the process list). */
  connectionId(): Promise<number | null>;
  close(): Promise<void>;
}

export async function openShardDatabase(databaseUrl: string): Promise<ShardDatabase> {
  if (databaseUrl.startsWith('sqlite:')) {
    // A short busy timeout: the test never waits long on the shard's own write lock.
    const sqlite = new BetterSqlite3(databaseUrl.slice('sqlite:'.length), { timeout: 1_000 });
    return {
      driver: 'sqlite',
      query: async <T>(sql: string, params: unknown[] = []) => {
        const statement = sqlite.prepare(sql);
        if (statement.reader) return statement.all(...params) as T[];
        statement.run(...params);
        return [];
      },
      connectionId: async () => null,
      close: async () => {
        sqlite.close();
      },
    };
  }
  const connection: Connection = await createConnection({ uri: databaseUrl.replace(/^mariadb:/, 'mysql:') });
  return {
    driver: 'mysql',
    query: async <T>(sql: string, params: unknown[] = []) => {
      const [rows] = await connection.query(sql, params);
      return (Array.isArray(rows) ? rows : []) as T[];
    },
    connectionId: async () => connection.threadId,
    close: () => connection.end(),
  };
}
