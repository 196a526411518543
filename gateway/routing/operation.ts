import {
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

export type Variables = Record<string, unknown>;

/** A subgraph fetch as the query planner wrote it, parsed once and kept by query text. */
export interface FetchOperation {
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  type: 'query' | 'mutation' | 'subscription';
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

export interface RootField {
  /** The key the field's value has in the response (its alias, or its name). */
  responseKey: string;
  name: string;
  node: FieldNode;
}

/** Plans repeat their fetches' text, so parsing is cached; the bound keeps hostile query variety harmless. */
const parsed = new LRUCache<string, FetchOperation>({ max: 2_000 });

export function parseFetch(query: string): FetchOperation {
  const cached = parsed.get(query);
  if (cached) return cached;
  const document = parse(query, { noLocation: true });
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operations[0];
  if (!operation || operations.length > 1) throw new Error('A subgraph fetch must hold exactly one operation');
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d] as const),
  );
  const result: FetchOperation = { query, document, operation, type: operation.operation, fragments };
  parsed.set(query, result);
  return result;
}

function directiveIf(
  directives: readonly DirectiveNode[] | undefined,
  name: string,
  variables: Variables,
): boolean | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  const condition = directive?.arguments?.find((a) => a.name.value === 'if')?.value;
  return condition ? Boolean(valueFromASTUntyped(condition, variables)) : undefined;
}

/**
 * The variables a fetch runs with: what the client sent, plus the defaults its definitions declare, so
 * routing sees the same values the shard will.
 */
export function withDefaults(fetch: FetchOperation, variables: Variables): Variables {
  let effective = variables;
  for (const definition of fetch.operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (definition.defaultValue && !(name in variables)) {
      if (effective === variables) effective = { ...variables };
      effective[name] = valueFromASTUntyped(definition.defaultValue);
    }
  }
  return effective;
}

/** `@skip` and `@include` decided before routing, so a skipped field goes nowhere. */
export function isIncluded(directives: readonly DirectiveNode[] | undefined, variables: Variables): boolean {
  return directiveIf(directives, 'skip', variables) !== true && directiveIf(directives, 'include', variables) !== false;
}

/** The root fields of a fetch, in document order, root fragments flattened and skipped fields dropped. */
export function rootFields(fetch: FetchOperation, variables: Variables): RootField[] {
  const fields: RootField[] = [];
  const collect = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (!isIncluded(selection.directives, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        fields.push({
          responseKey: selection.alias?.value ?? selection.name.value,
          name: selection.name.value,
          node: selection,
        });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet.selections);
      } else {
        const fragment = fetch.fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet.selections);
      }
    }
  };
  collect(fetch.operation.selectionSet.selections);
  return fields;
}

/** The value at `path` in a field's arguments (`["input", "qualificationId"]`), from literals or variables. */
export function argumentValue(field: FieldNode, path: readonly string[], variables: Variables): unknown {
  const [name, ...rest] = path;
  const argument = field.arguments?.find((a) => a.name.value === name);
  if (!argument) return undefined;
  let value: unknown = valueFromASTUntyped(argument.value, variables);
  for (const key of rest)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** Variables and fragments a selection uses, following fragment spreads. */
function usage(selections: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
  const variables = new Set<string>();
  const usedFragments = new Set<string>();
  const pending: SelectionSetNode[] = [selections];
  while (pending.length > 0) {
    const set = pending.pop() as SelectionSetNode;
    visit(set, {
      Variable: (node) => {
        variables.add(node.name.value);
      },
      FragmentSpread: (node) => {
        const name = node.name.value;
        const fragment = fragments.get(name);
        if (!usedFragments.has(name) && fragment) {
          usedFragments.add(name);
          pending.push(fragment.selectionSet);
        }
      },
    });
  }
  return { variables, fragments: usedFragments };
}

export interface SubOperation {
  query: string;
  /** Names of the variables it declares: send only these (graphql rejects unknown ones). */
  variableNames: string[];
}

/**
 * A fetch cut down to some of its root fields: only the variables and fragments they use are kept, so the
 * shard accepts it. `extraVariables` declares variables the gateway added (per-shard cursors).
 */
export function subOperation(
  fetch: FetchOperation,
  fields: readonly FieldNode[],
  extraVariables: readonly VariableDefinitionNode[] = [],
): SubOperation {
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: fields };
  const used = usage(selectionSet, fetch.fragments);
  const variableDefinitions = [
    ...(fetch.operation.variableDefinitions ?? []).filter((d) => used.variables.has(d.variable.name.value)),
    ...extraVariables,
  ];
  const operation: OperationDefinitionNode = { ...fetch.operation, selectionSet, variableDefinitions };
  const fragments = [...fetch.fragments.values()].filter((f) => used.fragments.has(f.name.value));
  const query = print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] });
  return { query, variableNames: variableDefinitions.map((d) => d.variable.name.value) };
}

export function pickVariables(variables: Variables, names: readonly string[]): Variables {
  const picked: Variables = {};
  for (const name of names) if (name in variables) picked[name] = variables[name];
  return picked;
}
