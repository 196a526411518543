import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  Kind,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { OWNER_DIRECTIVE } from '../../schema/federation';

/**
 * How one root field travels: to the owner of an ID argument, to the caller's institution, or out to every
 * shard of its kind (lists and connections), or to any one shard (other fields without an owner).
 */
export type Route =
  | { kind: 'owner'; argument: string[] }
  | { kind: 'caller' }
  | { kind: 'fan-out'; shape: 'connection' | 'list'; defaultFirst: number }
  | { kind: 'any' };

/** One query or mutation root field. */
export interface RootFieldRule {
  readonly route: Route;
  /**
   * The entity type one shard's answer to this field is made of, if it may be cached as such: the type of a
   * by-ID field (`@owner(argument: "id")`), or the element type of a field without an owner (a shard's page of
   * a list or connection). Null for other owner-routed fields (the caller's institution, another argument), and
   * for every mutation.
   */
  readonly entityType: string | null;
  /**
   * For a mutation, the type it returns (or a list of) when that type is fetched by ID at the root, so its items
   * carry hub IDs: the owner the write went to must answer with its own (own-items). Null otherwise.
   */
  readonly writes: string | null;
}

/** One subscription root field, as the hub serves it over the kind's shards. */
export interface SubscriptionRoot {
  /** The kind (join graph name) whose shards emit it. */
  readonly kind: string;
  /** The event type it returns. */
  readonly eventType: string;
  /** The argument carrying the resume cursor. */
  readonly cursorArgument: string;
  /** The argument filtering the events and its input type as written in the schema (e.g. `AgreementEventFilter`); null: none. */
  readonly filter: { readonly argument: string; readonly type: string } | null;
  /** Event fields that are entities, with the by-ID root query that resolves each through the supergraph. */
  readonly entities: ReadonlyArray<{ readonly field: string; readonly rootField: string }>;
}

/** What the hub knows of the supergraph, read once at start and shared by routing, the entity cache and subscriptions. */
export interface RoutingTable {
  readonly query: ReadonlyMap<string, RootFieldRule>;
  readonly mutation: ReadonlyMap<string, RootFieldRule>;
  /** Each object type fetched by ID at the root, with the query field that does it (`Assessment` → `assessment`). */
  readonly byId: ReadonlyMap<string, string>;
  readonly subscription: ReadonlyMap<string, SubscriptionRoot>;
}

/** The argument through which the hub's subscription protocol resumes after a cursor. */
export const CURSOR_ARGUMENT = 'after';

const DEFAULT_FIRST = 20;

function ownerArgument(field: GraphQLField<unknown, unknown>): string | null | undefined {
  const owner = field.astNode?.directives?.find((d) => d.name.value === OWNER_DIRECTIVE);
  if (!owner) return undefined;
  const argument = owner.arguments?.find((a) => a.name.value === 'argument')?.value;
  return argument?.kind === Kind.STRING ? argument.value : null;
}

/** Whether a connection's edges hold nodes with an `id` field. */
function nodesHaveIds(connection: GraphQLObjectType): boolean {
  const edge = getNamedType(connection.getFields().edges?.type);
  const node = edge && isObjectType(edge) ? getNamedType(edge.getFields().node?.type) : undefined;
  return node !== undefined && isObjectType(node) && 'id' in node.getFields();
}

function fieldRoute(field: GraphQLField<unknown, unknown>, operation: 'query' | 'mutation'): Route {
  const owner = ownerArgument(field);
  if (owner !== undefined) return owner === null ? { kind: 'caller' } : { kind: 'owner', argument: owner.split('.') };
  if (operation === 'mutation') return { kind: 'caller' };
  const type = getNullableType(field.type);
  const first = field.args.find((a) => a.name === 'first')?.defaultValue;
  const defaultFirst = typeof first === 'number' ? first : DEFAULT_FIRST;
  if (isListType(type)) return { kind: 'fan-out', shape: 'list', defaultFirst };
  const named = getNamedType(type);
  if (isObjectType(named) && 'edges' in named.getFields() && 'pageInfo' in named.getFields()) {
    if (!nodesHaveIds(named))
      throw new Error(
        `Query.${field.name}: the nodes of a connection every shard answers need an \`id\`, by which the hub knows each one's owner`,
      );
    return { kind: 'fan-out', shape: 'connection', defaultFirst };
  }
  return { kind: 'any' };
}

/** The entity type a list or connection field returns (a connection's `nodes`, or its edges' `node`). */
function elementType(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return named.name;
  const fields = named.getFields();
  if (fields.nodes) return getNamedType(fields.nodes.type).name;
  const edge = fields.edges ? getNamedType(fields.edges.type) : null;
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  return node ? getNamedType(node.type).name : named.name;
}

function entityTypeOf(field: GraphQLField<unknown, unknown>): string | null {
  const owner = ownerArgument(field);
  if (owner === 'id') return getNamedType(field.type).name;
  return owner === undefined ? elementType(field.type) : null;
}

function rootRules(
  type: GraphQLObjectType | null | undefined,
  operation: 'query' | 'mutation',
  byId: ReadonlyMap<string, string>,
): Map<string, RootFieldRule> {
  const rules = new Map<string, RootFieldRule>();
  for (const field of Object.values(type?.getFields() ?? {})) {
    const returned = getNamedType(field.type).name;
    rules.set(
      field.name,
      Object.freeze({
        route: Object.freeze(fieldRoute(field, operation)),
        entityType: operation === 'query' ? entityTypeOf(field) : null,
        writes: operation === 'mutation' && byId.has(returned) ? returned : null,
      }),
    );
  }
  return rules;
}

/** Object types with a root query field that takes their `id` and returns one of them; the first such field wins. */
function byIdFields(schema: GraphQLSchema): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const type = getNullableType(field.type);
    if (isListType(type) || !isObjectType(type) || !field.args.some((a) => a.name === 'id')) continue;
    if (!fields.has(type.name)) fields.set(type.name, field.name);
  }
  return fields;
}

/** Join graph enum values (`MOBILITIES`) with the kind names they stand for (`mobilities`). */
function graphNames(schema: GraphQLSchema): Map<string, string> {
  const names = new Map<string, string>();
  const graphs = schema.getType('join__Graph');
  for (const value of isEnumType(graphs) ? graphs.getValues() : []) {
    const name = value.astNode?.directives
      ?.find((d) => d.name.value === 'join__graph')
      ?.arguments?.find((a) => a.name.value === 'name')?.value;
    if (name?.kind === Kind.STRING) names.set(value.name, name.value);
  }
  return names;
}

/**
 * Subscription fields the hub can serve: those of one kind (`@join__field`, else the type's first `@join__type`)
 * returning an object event type and taking the cursor argument. Every input-object argument is the filter.
 */
function subscriptionRoots(schema: GraphQLSchema, byId: ReadonlyMap<string, string>): Map<string, SubscriptionRoot> {
  const kinds = graphNames(schema);
  const roots = new Map<string, SubscriptionRoot>();
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
    const kind = graph ? kinds.get(graph) : undefined;
    const eventType = getNamedType(field.type);
    if (!kind || !isObjectType(eventType) || !field.args.some((a) => a.name === CURSOR_ARGUMENT)) continue;
    const filter = field.args.find((a) => isInputObjectType(getNamedType(a.type)));
    const entities = Object.values(eventType.getFields()).flatMap((eventField) => {
      const rootField = byId.get(getNamedType(eventField.type).name);
      return rootField ? [Object.freeze({ field: eventField.name, rootField })] : [];
    });
    roots.set(
      field.name,
      Object.freeze({
        kind,
        eventType: eventType.name,
        cursorArgument: CURSOR_ARGUMENT,
        filter: filter ? Object.freeze({ argument: filter.name, type: String(filter.type) }) : null,
        entities: Object.freeze(entities),
      }),
    );
  }
  return roots;
}

/** Reads the supergraph once: every root field's route and cacheable entity type, by-ID fields, subscription roots. */
export function buildRoutingTable(supergraphSdl: string): RoutingTable {
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const byId = byIdFields(schema);
  return Object.freeze({
    query: rootRules(schema.getQueryType(), 'query', byId),
    mutation: rootRules(schema.getMutationType(), 'mutation', byId),
    byId,
    subscription: subscriptionRoots(schema, byId),
  });
}

/** The route of one root field, or undefined for a field the supergraph does not have. */
export function routeFor(table: RoutingTable, operation: 'query' | 'mutation', field: string): Route | undefined {
  return table[operation].get(field)?.route;
}
