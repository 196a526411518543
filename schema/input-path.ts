import { GraphQLError, Kind, parse, visit, type ASTNode, type DocumentNode, type Source } from 'graphql';

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
  const parsed = document ?? (error.source && documentOf(error.source));
  if (!parsed) return undefined;
  const paths = pathsOf(parsed);
  if (node.kind !== Kind.VARIABLE_DEFINITION) return paths.values.get(start);
  const name = node.variable.name.value;
  const usage = paths.variables.get(name);
  if (usage === undefined) return undefined;
  return usage + (new RegExp(`at "${name}((?:\\.|\\[)[^"]*)"`).exec(error.message)?.[1] ?? '');
}

interface InputPaths {
  /** Each value inside an argument, by where it starts in the source. */
  values: Map<number, string>;
  /** Each variable by its first use as (part of) an argument. */
  variables: Map<string, string>;
}

// A request's errors share its document: it is parsed and walked once for all of them.
const parsedSources = new WeakMap<Source, DocumentNode | null>();
const walkedDocuments = new WeakMap<DocumentNode, InputPaths>();

function documentOf(source: Source): DocumentNode | undefined {
  if (!parsedSources.has(source)) {
    try {
      parsedSources.set(source, parse(source));
    } catch {
      parsedSources.set(source, null);
    }
  }
  return parsedSources.get(source) ?? undefined;
}

/** Every argument value's path, names joined by dots and list items by index (`filter.escoSkills[1]`). */
function pathsOf(document: DocumentNode): InputPaths {
  const known = walkedDocuments.get(document);
  if (known) return known;
  const paths: InputPaths = { values: new Map(), variables: new Map() };
  const names: string[] = [];
  visit(document, {
    enter(node, key) {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) {
        names.push(`.${node.name.value}`);
        return undefined;
      }
      if (!isValue(node)) return undefined;
      // A value outside every argument (a variable's default, the definition's own variable) is no input path.
      if (names.length === 0) return false;
      if (typeof key === 'number') names.push(`[${key}]`);
      const path = names.join('').slice(1);
      if (node.loc) paths.values.set(node.loc.start, path);
      if (node.kind === Kind.VARIABLE && !paths.variables.has(node.name.value))
        paths.variables.set(node.name.value, path);
      return undefined;
    },
    leave(node, key) {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) names.pop();
      else if (isValue(node) && typeof key === 'number') names.pop();
    },
  });
  walkedDocuments.set(document, paths);
  return paths;
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
