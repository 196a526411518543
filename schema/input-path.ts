import { GraphQLError, Kind, parse, visit, type ASTNode, type DocumentNode } from 'graphql';

/**
 * The argument path of the input value a validation or variable error is about (`filter.eqfLevel`,
 * `input.escoSkills[1]`): a BAD_USER_INPUT error names it in `extensions.field` (schema/CONTRACT.md, error-codes).
 * graphql-js locates a literal by its node, and a variable by its definition, with the path inside the variable in
 * the message (`Variable "$f" got invalid value 99 at "f.eqfLevel"`). Undefined when the error locates neither.
 */
export function inputFieldOf(error: GraphQLError, document?: DocumentNode): string | undefined {
  const node = error.nodes?.[0];
  const start = node?.loc?.start;
  if (!node || start === undefined) return undefined;
  let parsed = document;
  if (!parsed) {
    if (!error.source) return undefined;
    try {
      parsed = parse(error.source);
    } catch {
      return undefined;
    }
  }
  if (node.kind === Kind.VARIABLE_DEFINITION) {
    const name = node.variable.name.value;
    const usage = pathWhere(parsed, (value) => value.kind === Kind.VARIABLE && value.name.value === name);
    if (usage === undefined) return undefined;
    const inside = new RegExp(`at "${name}((?:\\.|\\[)[^"]*)"`).exec(error.message)?.[1] ?? '';
    return usage + inside;
  }
  return pathWhere(parsed, (value) => value.loc?.start === start);
}

/** The argument path of the first value in `document` that `matches`, names joined by dots, list items by index. */
function pathWhere(document: DocumentNode, matches: (node: ASTNode) => boolean): string | undefined {
  const names: string[] = [];
  let found: string | undefined;
  visit(document, {
    enter(node, _key, parent) {
      if (found !== undefined) return false;
      if (Array.isArray(parent) && names.length > 0 && isValue(node)) names.push(`[${parent.indexOf(node)}]`);
      else if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) names.push(node.name.value);
      else if (isValue(node) && names.length === 0) return false;
      if (isValue(node) && names.length > 0 && matches(node)) {
        found = names.join('.').replace(/\.\[/g, '[');
        return false;
      }
      return undefined;
    },
    leave(node, _key, parent) {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) names.pop();
      else if (Array.isArray(parent) && isValue(node) && names.length > 0) names.pop();
    },
  });
  return found;
}

const VALUE_KINDS: ReadonlySet<string> = new Set([
  Kind.VARIABLE,
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);
const isValue = (node: ASTNode): boolean => VALUE_KINDS.has(node.kind);
