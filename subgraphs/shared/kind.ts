import type { BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { EntitySchema, MixedList } from 'typeorm';
import { readEnvironment, shardEnvironment } from './config';
import type { ShardRequestContext } from './context';
import { openDatabase, type Database } from './database';
import { createHubClient, type HubClient } from './hub-client';
import { startShard, type RunningShard } from './shard';

/** What makes a subgraph kind: its tables, its schema, and how a request's context is built. */
export interface KindDefinition<C extends BaseContext> {
  kind: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  buildSchema: () => Promise<GraphQLSchema>;
  createContext: (db: Database, hub: HubClient | null, request: ShardRequestContext) => C;
}

export interface ShardOptions {
  institution: string;
  /** `sqlite:<file>` or `mysql://…`; the schema is migrated on start. */
  databaseUrl: string;
  /** Secret shared with the gateway for signed hops; without it the shard serves public data only. */
  hopSecret: string | null;
  /** The hub's GraphQL URL, for kinds that read what other shards own. */
  hubUrl?: string | null;
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
  const db = await openDatabase({ url: options.databaseUrl, entities: definition.entities, migrations: definition.migrations });
  const hub =
    options.hubUrl && options.hopSecret
      ? createHubClient({ url: options.hubUrl, institution: options.institution, kind: definition.kind, secret: options.hopSecret })
      : null;
  try {
    if (prepare) await prepare(db);
    const shard = await startShard({
      kind: definition.kind,
      institution: options.institution,
      schema: await definition.buildSchema(),
      db,
      createContext: (request) => definition.createContext(db, hub, request),
      hopSecret: options.hopSecret,
      port: options.port,
      host: options.host,
    });
    return {
      ...shard,
      db,
      close: async () => {
        await shard.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** A shard process: settings from the environment, stopped cleanly on SIGTERM/SIGINT. */
export function runShardProcess(start: (options: ShardOptions, seedFile: string | undefined) => Promise<KindShard>): void {
  const main = async () => {
    const env = readEnvironment(shardEnvironment);
    const shard = await start(
      { institution: env.INSTITUTION, databaseUrl: env.DATABASE_URL, hopSecret: env.HUB_HOP_SECRET ?? null, hubUrl: env.HUB_URL ?? null, port: env.PORT, host: env.HOST },
      env.SEED_FILE,
    );
    const stop = () => void shard.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
