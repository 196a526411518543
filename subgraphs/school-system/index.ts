import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { JWTVerifyGetKey } from 'jose';
import { projectRoot } from '../../platform/project-root';
import { schoolResolvers } from './catalogue/resolvers';
import { openSchoolDatabase, type SchoolDatabase } from './database';
import { startSchoolServer, type RunningSchoolServer } from './http/server';
import { installMapping } from './mapping/change-feed-tables';
import { insertExampleSchool } from './school/example-data';
import { createSchoolTables } from './school/tables';

/**
 * A second, independent implementation of the qualifications kind: a school that keeps its catalogue in its own
 * database, with its own table layout, and joins the hub by mapping it to the contract (SQL views), recording its
 * changes by triggers on its own tables, and serving the committed SDL with @apollo/subgraph and graphql-js.
 */
export interface SchoolSystemShardOptions {
  institution: string;
  /** The school's database: `sqlite:<file>` or `mysql://user:password@host:3306/database`. */
  databaseUrl: string;
  hopKeys: JWTVerifyGetKey | null;
  hopKeyIds: readonly string[] | null;
  /** Create the example school's tables and rows where the database has none (the demo, tests). @default false */
  example?: boolean;
  port?: number;
  host?: string;
  onError?: (error: unknown) => void;
}

export interface SchoolSystemShard extends RunningSchoolServer {
  institution: string;
  db: SchoolDatabase;
}

/** The committed contract, served as it is: the shard adds resolvers, never types. */
export function buildSchoolSchema(): GraphQLSchema {
  const sdl = readFileSync(join(projectRoot(), 'schema', 'qualifications.graphql'), 'utf8');
  return buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: schoolResolvers() }]);
}

async function createExampleSchool(db: SchoolDatabase): Promise<void> {
  const [count] = await db.all('SELECT COUNT(*) AS n FROM scuola');
  if (Number(count?.n ?? 0) === 0) await db.transaction(insertExampleSchool);
}

export async function startSchoolSystemShard(options: SchoolSystemShardOptions): Promise<SchoolSystemShard> {
  const db = await openSchoolDatabase(options.databaseUrl);
  try {
    // The example's tables first: the mapping's views and triggers stand on the school's tables.
    if (options.example) await db.transaction((run) => createSchoolTables(db.dialect, run));
    await installMapping(db);
    if (options.example) await createExampleSchool(db);
    const server = await startSchoolServer({
      institution: options.institution,
      db,
      schema: buildSchoolSchema(),
      hopKeys: options.hopKeys,
      hopKeyIds: options.hopKeyIds,
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      onError: options.onError ?? (() => undefined),
    });
    return {
      ...server,
      institution: options.institution,
      db,
      close: async () => {
        await server.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
