import { buildSchema, getNamedType, isEnumType, isObjectType, Kind, type GraphQLSchema } from 'graphql';

/** How the hub serves one subscription field: which kind's shards emit it and how its payload resolves. */
export interface SubscriptionRoute {
  kind: string;
  /** Event fields that are entities, with the by-ID root query that resolves each through the supergraph. */
  entities: Array<{ field: string; rootField: string }>;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Reads the supergraph: the kind (join graph) of each Subscription field, and, for each entity field of
 * its event type, the Query field that fetches that entity by ID (`assessment: Assessment` → `assessment(id:)`).
 */
export function subscriptionRoutes(supergraphSdl: string): Map<string, SubscriptionRoute> {
  const schema: GraphQLSchema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const graphNames = new Map<string, string>();
  const graphs = schema.getType('join__Graph');
  for (const value of isEnumType(graphs) ? graphs.getValues() : []) {
    const name = value.astNode?.directives?.find((d) => d.name.value === 'join__graph')?.arguments?.find((a) => a.name.value === 'name')?.value;
    if (name?.kind === Kind.STRING) graphNames.set(value.name, name.value);
  }
  const routes = new Map<string, SubscriptionRoute>();
  const subscription = schema.getSubscriptionType();
  const typeGraphs = (subscription?.astNode?.directives ?? [])
    .filter((d) => d.name.value === 'join__type')
    .map((d) => d.arguments?.find((a) => a.name.value === 'graph')?.value)
    .flatMap((v) => (v?.kind === Kind.ENUM ? [v.value] : []));
  for (const field of Object.values(subscription?.getFields() ?? {})) {
    const fieldGraph = field.astNode?.directives
      ?.find((d) => d.name.value === 'join__field')
      ?.arguments?.find((a) => a.name.value === 'graph')?.value;
    const graph = fieldGraph?.kind === Kind.ENUM ? fieldGraph.value : typeGraphs[0];
    const kind = graph ? graphNames.get(graph) : undefined;
    const eventType = getNamedType(field.type);
    if (!kind || !isObjectType(eventType)) continue;
    const queries = schema.getQueryType()?.getFields() ?? {};
    const entities = Object.values(eventType.getFields()).flatMap((eventField) => {
      const target = getNamedType(eventField.type);
      const rootField = lowerFirst(target.name);
      const root = queries[rootField];
      return isObjectType(target) && root && root.args.some((a) => a.name === 'id') ? [{ field: eventField.name, rootField }] : [];
    });
    routes.set(field.name, { kind, entities });
  }
  return routes;
}
