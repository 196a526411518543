import {
  DirectiveLocation,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { OperationLimitError } from '../../schema/errors';

const LOCATIONS = {
  [Kind.FIELD]: DirectiveLocation.FIELD,
  [Kind.FRAGMENT_SPREAD]: DirectiveLocation.FRAGMENT_SPREAD,
  [Kind.INLINE_FRAGMENT]: DirectiveLocation.INLINE_FRAGMENT,
} as const;
const OPERATION_LOCATIONS = {
  [OperationTypeNode.QUERY]: DirectiveLocation.QUERY,
  [OperationTypeNode.MUTATION]: DirectiveLocation.MUTATION,
  [OperationTypeNode.SUBSCRIPTION]: DirectiveLocation.SUBSCRIPTION,
} as const;

/**
 * Checks run on the parsed document before graphql-js validates it, because validation's work and error count
 * grow with what they refuse: every unknown or misplaced directive is an error of its own, and repeated fields are compared
 * pairwise. One walk over the document, one error at most.
 */
export function preValidationError(
  schema: GraphQLSchema,
  document: DocumentNode,
  maxFieldRepeats: number,
): GraphQLError | null {
  // Set inside the walk below, which narrowing cannot see into.
  let first = null as string | null;
  let wrongDirectives = 0;
  let repeated: { key: string; count: number } | null = null;
  const checkDirectives = (directives: readonly DirectiveNode[] | undefined, location: DirectiveLocation): void => {
    if (!directives || directives.length === 0) return;
    const seen = new Set<string>();
    for (const directive of directives) {
      const name = directive.name.value;
      const known = schema.getDirective(name);
      let problem: string | null = null;
      if (!known) problem = `Unknown directive "@${name}"`;
      else if (!known.locations.includes(location)) problem = `The directive "@${name}" may not be used on ${location}`;
      else if (!known.isRepeatable && seen.has(name))
        problem = `The directive "@${name}" is used more than once at one location`;
      seen.add(name);
      if (problem) {
        wrongDirectives += 1;
        first ??= problem;
      }
    }
  };
  // A plain walk: graphql's `visit` costs more than the checks themselves.
  const walk = (selectionSet: SelectionSetNode): void => {
    const counts = new Map<string, number>();
    for (const selection of selectionSet.selections) {
      checkDirectives(selection.directives, LOCATIONS[selection.kind]);
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        if (count > maxFieldRepeats && (repeated === null || count > repeated.count)) repeated = { key, count };
        if (selection.selectionSet) walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      checkDirectives(definition.directives, OPERATION_LOCATIONS[definition.operation]);
      for (const variable of definition.variableDefinitions ?? [])
        checkDirectives(variable.directives, DirectiveLocation.VARIABLE_DEFINITION);
    } else {
      checkDirectives(definition.directives, DirectiveLocation.FRAGMENT_DEFINITION);
    }
    walk(definition.selectionSet);
  }
  if (first !== null) {
    const more =
      wrongDirectives > 1 ? ` (${wrongDirectives} unknown, misplaced or repeated directives in this operation)` : '';
    return new GraphQLError(
      `${first}${more}: an operation may use only the schema's directives, where they are allowed, a non-repeatable one once per location`,
      {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      },
    );
  }
  const found = repeated as { key: string; count: number } | null;
  if (found) {
    return new OperationLimitError(
      `Field "${found.key}" repeated ${found.count} times in one selection exceeds the limit of ${maxFieldRepeats}`,
      'fieldRepeats',
      maxFieldRepeats,
      found.count,
    );
  }
  return null;
}
