import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { DirectiveLocation, GraphQLDirective, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions, type ResolversMap } from 'type-graphql';

/**
 * The hub's routing hint, carried from each subgraph's SDL into the supergraph (`@composeDirective`), so a
 * gateway started on any supergraph file knows how to route a root field across institutions' shards.
 */
export const ROUTING_SPEC_URL = 'https://specs.ecvet-hub.eu/routing/v1.0';

export const OWNER_DIRECTIVE = 'owner';

export const ownerDirective = new GraphQLDirective({
  name: OWNER_DIRECTIVE,
  description:
    'Routes a root field to one institution: the owner named by the ID found at `argument` (a dot path, e.g. "id" or ' +
    '"input.qualificationId"), or, without `argument`, the calling institution. Root query fields without it are ' +
    "fanned out to every institution's shard and merged.",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: { argument: { type: GraphQLString, description: 'Dot path to the ID argument that names the owner.' } },
});

/** The one place that decides which Federation 2 features the hub's subgraphs use. */
const FEDERATION_LINK = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@composeDirective"])
  @link(url: "${ROUTING_SPEC_URL}", import: ["@${OWNER_DIRECTIVE}"])
  @composeDirective(name: "@${OWNER_DIRECTIVE}")
`;

export interface FederatedSchemaOptions {
  /** type-graphql resolver classes of the kind. */
  resolvers: BuildSchemaOptions['resolvers'];
  /** Entities the kind only extends (no root field reaches them), so they must be named to be in the schema. */
  extendedEntities?: BuildSchemaOptions['orphanedTypes'];
  /** `__resolveReference` per entity type, merged into the generated resolvers. */
  referenceResolvers: Record<string, { __resolveReference: (...args: never[]) => unknown }>;
}

function mergeReferenceResolvers(
  map: ResolversMap,
  references: FederatedSchemaOptions['referenceResolvers'],
): ResolversMap {
  const merged: ResolversMap = { ...map };
  for (const [typeName, reference] of Object.entries(references)) {
    merged[typeName] = { ...(merged[typeName] as object), ...reference } as ResolversMap[string];
  }
  return merged;
}

/**
 * Subscriptions stream from each shard's outbox through their own `subscribe` functions; topic-based
 * ones (type-graphql's PubSub) would bypass the outbox and lose events, so none may be declared.
 */
const noTopics = {
  publish: () => {
    throw new Error('Publish events through the outbox, not a PubSub topic');
  },
  subscribe: () => {
    throw new Error('Subscribe to the outbox, not a PubSub topic');
  },
};

/** Builds a kind's Federation 2 subgraph schema from its type-graphql resolvers. */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    // Only the types the kind's resolvers reach: several kinds may be loaded in one process.
    orphanedTypes: options.extendedEntities ?? [],
    directives: [ownerDirective],
    skipCheck: true,
    validate: false,
    pubSub: noTopics,
  });
  return buildSubgraphSchema({
    typeDefs: parse(FEDERATION_LINK + printSchemaWithDirectives(schema)),
    // type-graphql's map is structurally what @apollo/subgraph expects; its typings differ only in names.
    resolvers: mergeReferenceResolvers(createResolversMap(schema), options.referenceResolvers) as never,
  });
}

/** The SDL a kind commits under `schema/`: the contract any institution's own implementation must serve. */
export function printKindSdl(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
