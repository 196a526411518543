import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { startHttpServer, type RunningHttpServer } from '../../platform/http';

/**
 * A one-URL subgraph that references units by key, as a partner's own system would: it makes the gateway
 * resolve `Unit` entities from their owners' shards through `_entities`.
 */
export const SHOWCASE_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Unit @key(fields: "id", resolvable: false) {
  id: ID!
}

"A hand-picked list of units, from any institutions."
type Showcase {
  title: String!
  units: [Unit]!
}

type Query {
  "Units by hub ID, in the order given."
  showcase(ids: [ID!]!): Showcase!
}
`;

export async function startShowcaseSubgraph(): Promise<RunningHttpServer & { sdl: string }> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(SHOWCASE_SDL),
    resolvers: {
      Query: {
        showcase: (_: unknown, args: { ids: string[] }) => ({
          title: 'Showcase',
          units: args.ids.map((id) => ({ __typename: 'Unit', id })),
        }),
      },
    },
  });
  const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  await apollo.start();
  const http = await startHttpServer({ apollo, context: async () => ({}) });
  return {
    ...http,
    sdl: SHOWCASE_SDL,
    close: async () => {
      await http.close();
      await apollo.stop();
    },
  };
}
