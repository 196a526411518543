import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../../gateway';
import { Registry } from '../../gateway/registry/registry';
import { ROOT } from './hub';

/** A GraphQL request as a stand-in shard receives it. */
export interface StandInRequest {
  query: string;
  variables: Record<string, unknown>;
}

/** A member whose qualifications shard is a stand-in answering each call with `answer`'s data. */
export interface StandInMember {
  code: string;
  country: string;
  answer: (request: StandInRequest) => unknown;
}

/**
 * A gateway with the catalogue over stand-in qualifications shards on 127.0.0.1, one per member, each answering
 * what its `answer` says (a hostile shard, for a test): no change feed, readiness probes refused.
 */
export async function startCatalogueOverStandIns(
  members: readonly StandInMember[],
): Promise<{ gateway: RunningGateway; close(): Promise<void> }> {
  const servers: Server[] = [];
  const urlOf = async ({ answer }: StandInMember): Promise<string> => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST') {
          response.writeHead(404).end();
          return;
        }
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<StandInRequest>;
        const data = answer({ query: query ?? '', variables: variables ?? {} });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  };
  const registry = new Registry(
    await Promise.all(
      members.map(async (member) => ({
        code: member.code,
        names: [{ lang: 'en', value: member.code }],
        country: member.country,
        shards: { qualifications: await urlOf(member) },
      })),
    ),
  );
  const gateway = await startGateway({
    supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    registry,
    hopKey: null,
    demoTokenSecret: null,
    port: 0,
    entityCache: false,
    catalogue: {},
  });
  return {
    gateway,
    close: async () => {
      await gateway.close();
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
    },
  };
}
