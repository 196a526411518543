import { Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { OperationLimitError } from '../../schema/errors';

/** Root fields of an operation, through fragments and aliases (`__typename` is free); each fragment counted once. */
export function countRootFields(
  selectionSet: SelectionSetNode,
  fragmentOf: (name: string) => FragmentDefinitionNode | null | undefined,
  seen = new Set<string>(),
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragmentOf, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragmentOf(selection.name.value);
      if (fragment) count += countRootFields(fragment.selectionSet, fragmentOf, seen);
    }
  }
  return count;
}

/**
 * At most `max` root fields per operation: each root field is a routing decision and, for lists, a call to every
 * shard, so their number bounds the work one request starts.
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const count = countRootFields(operation.selectionSet, (name) => context.getFragment(name));
      if (count > max) {
        context.reportError(
          new OperationLimitError(
            `Query root field count ${count} exceeds the limit of ${max}`,
            'rootFields',
            max,
            count,
          ),
        );
      }
      return false;
    },
  });
}
