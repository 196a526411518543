import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export interface SubgraphSdl {
  name: string;
  sdl: string;
  /** Where a one-URL subgraph answers; sharded kinds get a placeholder, since the registry routes them. */
  url?: string;
}

/** Placeholder URL of a sharded kind: the registry, not the supergraph, says where each shard answers. */
export const shardedKindUrl = (kind: string): string => `http://${kind}.shards.invalid/graphql`;

/** Composes subgraph SDLs into a supergraph, or fails with every composition error listed. */
export function composeSupergraph(subgraphs: readonly SubgraphSdl[]): string {
  const result = composeServices(
    subgraphs.map(({ name, sdl, url }) => ({ name, url: url ?? shardedKindUrl(name), typeDefs: parse(sdl) })),
  );
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return `${result.supergraphSdl.trim()}\n`;
}
