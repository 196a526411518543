import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { OperationLimitError } from '../../schema/errors';

export interface CostOptions {
  /** Largest cost accepted. */
  maxCost: number;
  /** Items a list is assumed to hold when its size argument is absent (and the schema gives no default), or when it has none. */
  defaultListSize: number;
  /** Arguments that set a list's size. @default ['first', 'last'] */
  sizeArguments?: readonly string[];
}

export interface Cost {
  cost: number;
  /** The cost depends on a variable's value: it must be checked again with the request's variables. */
  variableSized: boolean;
}

export const DEFAULT_SIZE_ARGUMENTS = ['first', 'last'] as const;

/** A Relay connection: its `edges`/`nodes` lists hold the `first` items its field already counted. */
const connections = new WeakMap<GraphQLNamedType, boolean>();
function isConnection(type: GraphQLNamedType): boolean {
  let known = connections.get(type);
  if (known === undefined) {
    known =
      (isObjectType(type) || isInterfaceType(type)) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
    connections.set(type, known);
  }
  return known;
}

/**
 * The cost of an operation: every object it may return, counted with the product of the list sizes above it
 * (`first` as given, its schema default or `defaultListSize` when absent; a list without a size argument counts
 * `defaultListSize` items). Scalars and introspection are free. `{ units(first: 100) { nodes { learningOutcomes
 * { id } } } }` costs 100 (units) + 100 (nodes) + 100 × 20 (learning outcomes) = 2,200.
 * A fragment is costed once per operation and scaled where it is spread, so fragment bombs cost linear time;
 * a fragment that spreads itself counts nothing (graphql's own rules refuse the cycle).
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragmentOf: (name: string) => FragmentDefinitionNode | null | undefined,
  variables: Readonly<Record<string, unknown>> | null,
  options: CostOptions,
): Cost {
  const sizeArguments = options.sizeArguments ?? DEFAULT_SIZE_ARGUMENTS;
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();
  let variableSized = false;

  const variableValue = (name: string): unknown => {
    if (variables && name in variables) return variables[name];
    const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === name);
    const fallback = definition?.defaultValue;
    if (fallback?.kind === Kind.INT) return Number(fallback.value);
    return undefined;
  };

  const sizeOf = (field: GraphQLField<unknown, unknown>, node: FieldNode, inConnection: boolean): number => {
    const argument = field.args.find((a) => sizeArguments.includes(a.name));
    if (argument) {
      const given = node.arguments?.find((a) => a.name.value === argument.name)?.value;
      let value: unknown;
      if (!given) value = argument.defaultValue;
      else if (given.kind === Kind.INT) value = Number(given.value);
      else if (given.kind === Kind.VARIABLE) {
        variableSized = true;
        value = variableValue(given.name.value);
      }
      return typeof value === 'number' && Number.isFinite(value)
        ? Math.max(0, Math.floor(value))
        : options.defaultListSize;
    }
    if (isListType(getNullableType(field.type))) return inConnection ? 1 : options.defaultListSize;
    return 1;
  };

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number): number => {
    let cost = 0;
    const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : null;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field = name.startsWith('__') ? undefined : fields?.[name];
        if (!field || !selection.selectionSet) continue;
        const type = getNamedType(field.type);
        if (!isCompositeType(type)) continue;
        const count = multiplier * sizeOf(field, selection, isConnection(parent));
        cost += count + selectionCost(selection.selectionSet, type, count);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) cost += selectionCost(selection.selectionSet, type, multiplier);
      } else {
        cost += multiplier * fragmentCost(selection.name.value);
      }
    }
    return cost;
  };

  // Cost is linear in the multiplier, so a fragment's cost at multiplier 1 scales to every spread.
  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragmentOf(name);
    if (!fragment || inProgress.has(name)) return 0;
    const type = schema.getType(fragment.typeCondition.name.value);
    if (!type || !isCompositeType(type)) return 0;
    inProgress.add(name);
    const cost = selectionCost(fragment.selectionSet, type, 1);
    inProgress.delete(name);
    fragmentCosts.set(name, cost);
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  const cost = root ? selectionCost(operation.selectionSet, root, 1) : 0;
  return { cost, variableSized };
}

export function costMessage(cost: number, max: number): string {
  return `Query cost ${cost} exceeds the limit of ${max} (list sizes multiply down nested lists: ask for smaller pages)`;
}

/**
 * The cost limit as a validation rule (Apollo caches validated documents, so a query's cost is worked out once).
 * A document whose cost depends on variables is handed to `variableSized`, to be checked per request.
 */
export function costLimitRule(options: CostOptions, variableSized: (document: DocumentNode) => void): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const result = operationCost(context.getSchema(), operation, (name) => context.getFragment(name), null, options);
      if (result.variableSized) variableSized(context.getDocument());
      if (result.cost > options.maxCost) {
        context.reportError(
          new OperationLimitError(costMessage(result.cost, options.maxCost), 'cost', options.maxCost, result.cost),
        );
      }
      return false;
    },
  });
}
