import {
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { BadUserInputError, OperationLimitError } from '../../schema/errors';
import { costMessage, operationCost } from '../limits/cost';
import type { Limits } from '../limits/limits';

export interface CheckedSubscription {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

const SUGGESTION = / ?Did you mean .+\?$/;

/**
 * A `subscribe` message checked as an HTTP request is, before anything runs: parsed under MAX_TOKENS, validated
 * with the hub's limits (`Limits.checkOperation`: directives, field repeats, depth, aliases, root fields, cost) and
 * graphql's rules, and the cost checked
 * again with the message's variables. Errors carry the codes HTTP gives (OPERATION_LIMIT_EXCEEDED with its
 * `limit`, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED), so a refused subscription opens nothing upstream.
 */
export function checkSubscription(
  schema: GraphQLSchema,
  payload: SubscribePayload,
  limits: Limits,
): CheckedSubscription | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, limits.parseOptions);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const formatted = limits.formatError({ message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    return [
      new GraphQLError(formatted.message, {
        source: error.source,
        positions: error.positions,
        extensions: formatted.extensions,
      }),
    ];
  }
  // The hub's limits first (unknown or repeated directives and field repeats as one error, then depth, aliases,
  // directives, root fields and cost), as on HTTP, then graphql's own rules.
  const limited = limits.checkOperation(schema, document, payload.variables ?? {}, payload.operationName ?? null);
  if (limited.length > 0)
    return limited.map((error) => asHttpValidationError(error, limits.values.blockFieldSuggestions));
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length > 0)
    return invalid.map((error) => asHttpValidationError(error, limits.values.blockFieldSuggestions));
  const operation = getOperationAST(document, payload.operationName);
  if (!operation)
    return [
      bare(
        new BadUserInputError('Name the operation to run (operationName): the document holds several', 'operationName'),
      ),
    ];
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return [
      bare(
        new BadUserInputError(
          `Only subscriptions are served over WebSocket: send the ${operation.operation} over HTTP`,
          'query',
        ),
      ),
    ];
  }
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const options = { maxCost: limits.values.maxCost, defaultListSize: limits.values.defaultListSize };
  const { cost } = operationCost(schema, operation, (name) => fragments.get(name), payload.variables ?? {}, options);
  if (cost > options.maxCost)
    return [bare(new OperationLimitError(costMessage(cost, options.maxCost), 'cost', options.maxCost, cost))];
  return { document, operation };
}

/** A hub error raised in validation keeps its code; any other validation error is GRAPHQL_VALIDATION_FAILED, as Apollo files it. */
function asHttpValidationError(error: GraphQLError, hideSuggestions: boolean): GraphQLError {
  const code = error.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED';
  const message = hideSuggestions ? error.message.replace(SUGGESTION, '') : error.message;
  return bare(
    new GraphQLError(message, {
      source: error.source,
      positions: error.positions,
      extensions: { ...error.extensions, code },
    }),
  );
}

/** The hub's errors carry `extensions.http` for Apollo's HTTP answer; a socket message has no status. */
export function bare(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
