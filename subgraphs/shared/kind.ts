import type { BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { JWTVerifyGetKey } from 'jose';
import { readShardEnvironment } from './config';
import { explainStartupError } from '../../platform/startup-errors';
import { startTracingFromEnv } from '../../platform/tracing';
import type { ShardRequestContext, ShardServices } from './context';
import { openDatabase, type Database, type DatabaseOptions } from './database';
import { createChangeFeed } from './changes/feed';
import { createHubClient } from './hub-client';
import { hopKeyResolver, readPublicKeys, readSigningKey, type HopSigningKey } from '../../platform/hop-keys';
import { jwksRoute, SERVICE_KEYS_PATH } from '../../platform/jwks-route';
import { createOutboxSignal } from './outbox/outbox';
import { startShard, type RunningShard } from './shard';

/** What makes a subgraph kind: its tables, its schema, and how a request's context is built. */
export interface KindDefinition<C extends BaseContext> {
  kind: string;
  entities: DatabaseOptions['entities'];
  migrations: DatabaseOptions['migrations'];
  /** TypeORM subscribers the kind's database runs (hooks on loads and commits). */
  subscribers?: DatabaseOptions['subscribers'];
  buildSchema: () => Promise<GraphQLSchema>;
  /**
   * The kind's data is public and the hub may cache it: the kind tags what it reads (a read-tag subscriber in
   * `subscribers`), records what its writes change, and the shard serves its change feed.
   */
  publicCache?: boolean;
  createContext: (db: Database, services: ShardServices, request: ShardRequestContext) => C;
}

/** What one institution's shard of a kind is started with, by its process or by a test. */
export interface ShardOptions {
  institution: string;
  /** `sqlite:<file>` or `mysql://…`; the schema is migrated on start. */
  databaseUrl: string;
  /** The hub's public keys that hops are checked with ({@link hopKeyResolver}); without them the shard serves public data only. */
  hopKeys: JWTVerifyGetKey | null;
  /** Ids (thumbprints) of the hub hop keys given inline, reported by /health so a gateway can tell it is this shard's hub; null when fetched from a URL. */
  hopKeyIds?: readonly string[] | null;
  /** This shard's own private key, for its service calls to the hub (its public half is in the registry's `serviceJwks`). */
  serviceKey?: HopSigningKey | null;
  /** The hub's GraphQL URL, for kinds that read what other shards own. */
  hubUrl?: string | null;
  /** Redis, so that replicas of one shard hear each other's events; in-process without it. */
  redisUrl?: string | null;
  port?: number;
  host?: string;
}

export interface KindShard extends RunningShard {
  db: Database;
}

/**
 * Starts one institution's shard of a kind: its database, migrated, and its GraphQL endpoint. `prepare` runs
 * before the shard answers (seeding), so no caller sees a half-loaded shard.
 */
export async function startKindShard<C extends BaseContext>(
  definition: KindDefinition<C>,
  options: ShardOptions,
  prepare?: (db: Database) => Promise<void>,
): Promise<KindShard> {
  const db = await openDatabase({
    url: options.databaseUrl,
    entities: definition.entities,
    migrations: definition.migrations,
    subscribers: definition.subscribers,
  });
  const hub =
    options.hubUrl && options.serviceKey
      ? createHubClient({
          url: options.hubUrl,
          institution: options.institution,
          kind: definition.kind,
          key: options.serviceKey,
        })
      : null;
  const services: ShardServices = {
    hub,
    outbox: createOutboxSignal({
      channel: `hub:outbox:${definition.kind}:${options.institution}`,
      redisUrl: options.redisUrl,
    }),
  };
  const changes = definition.publicCache
    ? createChangeFeed({
        kind: definition.kind,
        institution: options.institution,
        db,
        redisUrl: options.redisUrl ?? null,
        hopKeys: options.hopKeys,
      })
    : null;
  try {
    if (prepare) await prepare(db);
    const shard = await startShard({
      kind: definition.kind,
      institution: options.institution,
      schema: await definition.buildSchema(),
      db,
      createContext: (request) => definition.createContext(db, services, request),
      hopKeys: options.hopKeys,
      identity: { hopKeyIds: options.hopKeyIds ?? null, serviceKeyId: options.serviceKey?.kid ?? null },
      port: options.port,
      host: options.host,
      routes: [
        ...(changes ? [changes.route] : []),
        ...(options.serviceKey ? [jwksRoute(SERVICE_KEYS_PATH, [options.serviceKey.publicJwk])] : []),
      ],
      plugins: changes ? [changes.plugin] : [],
    });
    return {
      ...shard,
      db,
      close: async () => {
        await shard.close();
        await changes?.close();
        await services.outbox.close();
        await db.close();
      },
    };
  } catch (error) {
    await changes?.close();
    await services.outbox.close();
    await db.close();
    throw error;
  }
}

/** A shard process: settings from the environment, stopped cleanly on SIGTERM/SIGINT. */
export function runShardProcess(
  start: (options: ShardOptions, seedFile: string | undefined) => Promise<KindShard>,
): void {
  const env = readShardEnvironment();
  const main = async () => {
    const inlineHopKeys = env.HUB_HOP_PUBLIC_KEYS
      ? await readPublicKeys(env.HUB_HOP_PUBLIC_KEYS, 'HUB_HOP_PUBLIC_KEYS')
      : null;
    const shard = await start(
      {
        institution: env.INSTITUTION,
        databaseUrl: env.DATABASE_URL,
        hopKeys: hopKeyResolver({
          keys: inlineHopKeys,
          jwksUrl: env.HUB_HOP_JWKS_URL ?? null,
          cacheSeconds: env.HUB_HOP_JWKS_CACHE_SECONDS,
        }),
        hopKeyIds: inlineHopKeys ? inlineHopKeys.keys.map((key) => String(key.kid)) : null,
        serviceKey: env.SHARD_SERVICE_PRIVATE_KEY
          ? await readSigningKey(env.SHARD_SERVICE_PRIVATE_KEY, 'SHARD_SERVICE_PRIVATE_KEY')
          : null,
        hubUrl: env.HUB_URL ?? null,
        redisUrl: env.REDIS_URL ?? null,
        port: env.PORT,
        host: env.HOST,
      },
      env.SEED_FILE,
    );
    // Exported when OTEL_EXPORTER_OTLP_ENDPOINT is set, under a service name that says the kind; flushed on stop.
    const stopTracing = startTracingFromEnv(`ecvet-${shard.kind}-shard`);
    const stop = () =>
      void shard
        .close()
        .then(stopTracing)
        .finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  void main().catch((error: unknown) => {
    console.error(
      explainStartupError(error, {
        what: `The shard of ${env.INSTITUTION}`,
        port: env.PORT,
        host: env.HOST,
        databaseUrl: env.DATABASE_URL,
      }) ?? error,
    );
    process.exit(1);
  });
}
