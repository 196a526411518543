import {
  buildSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
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

export type RoutingRules = ReadonlyMap<string, Route>;

function ruleKey(operation: 'query' | 'mutation', field: string): string {
  return `${operation}.${field}`;
}

function routeOf(field: GraphQLField<unknown, unknown>, operation: 'query' | 'mutation'): Route {
  const owner = field.astNode?.directives?.find((d) => d.name.value === OWNER_DIRECTIVE);
  if (owner) {
    const argument = owner.arguments?.find((a) => a.name.value === 'argument')?.value;
    return argument && argument.kind === 'StringValue' ? { kind: 'owner', argument: argument.value.split('.') } : { kind: 'caller' };
  }
  if (operation === 'mutation') return { kind: 'caller' };
  const type = getNullableType(field.type);
  const first = field.args.find((a) => a.name === 'first')?.defaultValue;
  const defaultFirst = typeof first === 'number' ? first : 20;
  if (isListType(type)) return { kind: 'fan-out', shape: 'list', defaultFirst };
  const named = getNamedType(type);
  if (isObjectType(named) && 'edges' in named.getFields() && 'pageInfo' in named.getFields()) {
    return { kind: 'fan-out', shape: 'connection', defaultFirst };
  }
  return { kind: 'any' };
}

/** Reads every root field's route from a supergraph's `@owner` hints and return types. */
export function routingRulesFromSupergraph(supergraphSdl: string): RoutingRules {
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const rules = new Map<string, Route>();
  const roots: Array<[GraphQLObjectType | null | undefined, 'query' | 'mutation']> = [
    [schema.getQueryType(), 'query'],
    [schema.getMutationType(), 'mutation'],
  ];
  for (const [type, operation] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) rules.set(ruleKey(operation, field.name), routeOf(field, operation));
  }
  return rules;
}

export function routeFor(rules: RoutingRules, operation: 'query' | 'mutation', field: string): Route | undefined {
  return rules.get(ruleKey(operation, field));
}
