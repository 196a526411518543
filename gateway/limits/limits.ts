import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { LRUCache } from 'lru-cache';
import {
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { BadUserInputError, ErrorCode, OperationLimitError, type OperationLimit } from '../../schema/errors';
import { DEFAULT_MAX_BODY_BYTES } from '../../platform/http';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import { httpInputRoute } from './http-input';
import { costLimitRule, costMessage, operationCost, type CostOptions } from './cost';
import { checkPersistedQuery } from './persisted-queries';
import { preValidationError } from './pre-validation';
import { maxRootFieldsRule } from './root-fields';

/** How large an operation may be. Every limit refuses with OPERATION_LIMIT_EXCEEDED, naming the limit and its value. */
export interface LimitsOptions {
  /** Deepest nesting of fields (fragments flattened, so they add no level of their own). @default 12 */
  maxDepth?: number;
  /** Aliases per operation, fragments and `__typename` included. @default 30 */
  maxAliases?: number;
  /** Lexical tokens per document; the parser stops at the limit, so a huge document costs no more than this. @default 2000 */
  maxTokens?: number;
  /** Directives per operation. @default 50 */
  maxDirectives?: number;
  /** Fields with the same response key in one selection set (each pair is compared in validation). @default 10 */
  maxFieldRepeats?: number;
  /** Root fields per operation (aliases count; `__typename` is free). @default 20 */
  maxRootFields?: number;
  /** Largest cost: objects an operation may return, list sizes multiplied down nested lists (see `operationCost`). @default 50_000 */
  maxCost?: number;
  /** Items a list counts in the cost when no `first` says how many. @default 20 */
  defaultListSize?: number;
  /** Largest request body, in bytes (413 PAYLOAD_TOO_LARGE). @default 1_000_000 */
  maxBodyBytes?: number;
  /** Operations per batched (JSON array) request; 0 refuses batches. @default 0 */
  maxBatchSize?: number;
  /** Hide "Did you mean …" suggestions in errors (they reveal the schema when introspection is off). @default false */
  blockFieldSuggestions?: boolean;
}

export const DEFAULT_MAX_DEPTH = 12;
export const DEFAULT_MAX_ALIASES = 30;
export const DEFAULT_MAX_TOKENS = 2_000;
export const DEFAULT_MAX_DIRECTIVES = 50;
export const DEFAULT_MAX_FIELD_REPEATS = 10;
export const DEFAULT_MAX_ROOT_FIELDS = 20;
export const DEFAULT_MAX_COST = 50_000;
export const DEFAULT_LIST_SIZE = 20;
export const DEFAULT_MAX_BATCH_SIZE = 0;
export { DEFAULT_MAX_BODY_BYTES };

/** As a gateway part: its route checks a request's URL before its body is read, its plugins check what validation cannot. */
export interface Limits extends GatewayPart {
  /** The effective limits. */
  values: Required<LimitsOptions>;
  /** Apollo `validationRules`: depth, aliases, directives (graphql-armor), root fields and cost (the hub's). */
  validationRules: ValidationRule[];
  /**
   * Every operation limit but tokens (a parse option) on a parsed document, for paths that do not go through
   * Apollo's pipeline (subscriptions): unknown, misplaced or repeated directives and field repeats first, then the rules,
   * then the cost with the variables sent. Returns the errors to refuse with; empty when the operation is within.
   */
  checkOperation(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables?: Record<string, unknown>,
    operationName?: string | null,
  ): readonly GraphQLError[];
  /**
   * One GraphQL-over-HTTP request (a body, or a GET's parameters), before Apollo parses and validates it:
   * the persisted-query hash, then unknown, misplaced or repeated directives and field repeats, refused with one error
   * (thrown) while graphql-js's validation would report each. A query that does not parse is left to Apollo.
   */
  checkRequest(schema: GraphQLSchema | undefined, request: { query?: unknown; extensions?: unknown }): void;
  /** Apollo `parseOptions`: graphql-js's own token guard, which aborts the parse at the limit. */
  parseOptions: { maxTokens: number };
  /** The cost check of operations whose list sizes come from variables, and the suggestion mask. */
  plugins: ReadonlyArray<ApolloServerPlugin<HubContext>>;
  allowBatchedHttpRequests: boolean;
  /** Refuses a batched body over `maxBatchSize` (call it with the parsed body, before anything runs). */
  checkBatch(body: unknown): void;
  /** A `formatError` step: the parser's token guard reported as the limit it is. */
  formatError(formatted: GraphQLFormattedError): GraphQLFormattedError;
}

/** The request's `operationName` picks no operation of the document (or none is given and it holds several). */
function operationNameError(document: DocumentNode, operationName: string | undefined): BadUserInputError {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return new BadUserInputError(
    operationName
      ? `operationName "${operationName}" names no operation of the document`
      : `operationName is required: the document holds ${operations} operations`,
    'operationName',
  );
}

/** graphql-armor's rules say "… limit of N exceeded, found M."; the hub's messages put the value first. */
function armorReporter(limit: OperationLimit, what: string, max: number) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    const found = Number(/found (\d+)/.exec(error.message)?.[1]);
    const known = Number.isFinite(found);
    context?.reportError(
      new OperationLimitError(
        known ? `${what} ${found} exceeds the limit of ${max}` : `${what} exceeds the limit of ${max}`,
        limit,
        max,
        known ? found : undefined,
      ),
    );
  };
}

/** Queries up to this length are remembered as passed by their text (2,000 of them hold at most ~4 MB). */
const PASSED_TEXT_KEY_CHARS = 1_024;

const TOKEN_GUARD = /Document contains more th[ae]t? (\d+) tokens/;

/** Operation limits: what stops a hostile query before it reaches a shard. */
export function useLimits(options: LimitsOptions = {}): Limits {
  const values: Required<LimitsOptions> = {
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxAliases: options.maxAliases ?? DEFAULT_MAX_ALIASES,
    maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
    maxDirectives: options.maxDirectives ?? DEFAULT_MAX_DIRECTIVES,
    maxFieldRepeats: options.maxFieldRepeats ?? DEFAULT_MAX_FIELD_REPEATS,
    maxRootFields: options.maxRootFields ?? DEFAULT_MAX_ROOT_FIELDS,
    maxCost: options.maxCost ?? DEFAULT_MAX_COST,
    defaultListSize: options.defaultListSize ?? DEFAULT_LIST_SIZE,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    blockFieldSuggestions: options.blockFieldSuggestions ?? false,
  };
  const armor = new ApolloArmor({
    maxDepth: {
      n: values.maxDepth,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [armorReporter('depth', 'Query depth', values.maxDepth)],
    },
    // Aliases of `__typename` cost as much to validate and answer as any other: armor's allow-list is emptied.
    maxAliases: {
      n: values.maxAliases,
      allowList: [],
      propagateOnRejection: false,
      onReject: [armorReporter('aliases', 'Query alias count', values.maxAliases)],
    },
    maxDirectives: {
      n: values.maxDirectives,
      propagateOnRejection: false,
      onReject: [armorReporter('directives', 'Query directive count', values.maxDirectives)],
    },
    blockFieldSuggestion: { enabled: values.blockFieldSuggestions },
    // Tokens: graphql-js's parser guard does the same count without parsing twice; cost: the hub's own rule.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
  }).protect();

  const cost: CostOptions = { maxCost: values.maxCost, defaultListSize: values.defaultListSize };
  const variableSized = new WeakSet<DocumentNode>();
  const fragmentIndexes = new WeakMap<DocumentNode, Map<string, FragmentDefinitionNode>>();
  const fragmentsOf = (document: DocumentNode): Map<string, FragmentDefinitionNode> => {
    let index = fragmentIndexes.get(document);
    if (!index) {
      index = new Map(
        document.definitions
          .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      fragmentIndexes.set(document, index);
    }
    return index;
  };
  const variableCostError = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): OperationLimitError | null => {
    const fragments = fragmentsOf(document);
    const result = operationCost(schema, operation, (name) => fragments.get(name), variables, cost);
    return result.cost > values.maxCost
      ? new OperationLimitError(costMessage(result.cost, values.maxCost), 'cost', values.maxCost, result.cost)
      : null;
  };
  const parseOptions = { maxTokens: values.maxTokens };
  // Queries that passed the pre-validation checks: a client's repeated query is not parsed twice per request.
  // Kept by their text up to a size (no hash to compute per request), longer ones by hash; the bound holds either way.
  const passed = new LRUCache<string, true>({ max: 2_000 });
  const passedKey = (query: string): string =>
    query.length <= PASSED_TEXT_KEY_CHARS ? query : `#${createHash('sha256').update(query).digest('base64url')}`;
  const validationRules = [
    ...armor.validationRules,
    maxRootFieldsRule(values.maxRootFields),
    costLimitRule(cost, (document) => variableSized.add(document)),
  ];
  // Shared by every request; only documents whose cost depends on variables do any work after validation.
  const listener: GraphQLRequestListener<HubContext> = {
    async didResolveOperation({ document, operation, request, schema }) {
      // Apollo leaves this to the executor, whose error (the gateway's INVALID_GRAPHQL) would be a 500.
      if (!operation) throw operationNameError(document, request.operationName);
      if (!variableSized.has(document)) return;
      const error = variableCostError(schema, document, operation, request.variables ?? {});
      if (error) throw error;
    },
  };

  return {
    name: 'limits',
    routes: [httpInputRoute()],
    values,
    validationRules,
    checkRequest: (schema, request) => {
      checkPersistedQuery(request.query, request.extensions);
      if (!schema || typeof request.query !== 'string') return;
      const key = passedKey(request.query);
      if (passed.has(key)) return;
      let document: DocumentNode;
      try {
        document = parse(request.query, parseOptions);
      } catch {
        return;
      }
      const error = preValidationError(schema, document, values.maxFieldRepeats);
      if (error) throw error;
      passed.set(key, true);
    },
    checkOperation: (schema, document, variables = {}, operationName = null) => {
      const early = preValidationError(schema, document, values.maxFieldRepeats);
      if (early) return [early];
      const errors = validate(schema, document, validationRules);
      if (errors.length > 0) return errors;
      if (!variableSized.has(document)) return [];
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION && (operationName == null || d.name?.value === operationName),
      );
      const error = operation ? variableCostError(schema, document, operation, variables) : null;
      return error ? [error] : [];
    },
    parseOptions,
    // Armor's plugins are typed for any context; the hub's context is one.
    plugins: [{ requestDidStart: async () => listener }, ...(armor.plugins as Array<ApolloServerPlugin<HubContext>>)],
    allowBatchedHttpRequests: values.maxBatchSize > 0,
    checkBatch: (body) => {
      if (!Array.isArray(body)) return;
      if (values.maxBatchSize === 0) {
        throw new OperationLimitError(
          'Batched operations are not accepted: send one operation per request',
          'batch',
          0,
          body.length,
        );
      }
      if (body.length > values.maxBatchSize) {
        throw new OperationLimitError(
          `Batch size ${body.length} exceeds the limit of ${values.maxBatchSize}`,
          'batch',
          values.maxBatchSize,
          body.length,
        );
      }
    },
    formatError: (formatted) => {
      if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED') return formatted;
      if (!TOKEN_GUARD.test(formatted.message)) return formatted;
      return {
        message: `Query token count exceeds the limit of ${values.maxTokens}`,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        extensions: {
          ...formatted.extensions,
          code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
          limit: 'tokens',
          max: values.maxTokens,
        },
      };
    },
  };
}
