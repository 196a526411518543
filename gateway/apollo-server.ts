import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import type { HubContext } from './context';
import type { ErrorHandling } from './errors/errors';
import type { Limits } from './limits/limits';

export interface ApolloServerOptions {
  gateway: ApolloGateway;
  /** No introspection, no field suggestions and no schema details in client errors. */
  production: boolean;
  limits: Limits;
  errors: ErrorHandling;
  /** The parts' plugins, in their order. */
  plugins: ApolloServerPlugin<HubContext>[];
  /** A part's response text for a result it already wrote once (statistics/kept-answers.ts); undefined: written as usual. */
  keptJson?: (result: FormattedExecutionResult) => string | undefined;
}

/** Apollo Server over the gateway, with the operation limits and error shaping every request goes through. */
export function createApolloServer(options: ApolloServerOptions): ApolloServer<HubContext> {
  const { limits, errors, production } = options;
  return new ApolloServer<HubContext>({
    gateway: options.gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // On by default in Apollo Server 5; stated here because the hub relies on it (GET mutations, form posts).
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: production,
    // Shutdown is the gateway's (main.ts): Apollo's own handler would stop it under in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    formatError: (formatted, error) => errors.formatError(limits.formatError(formatted), error),
    plugins: options.plugins,
    // Apollo Server's own text (prettyJSONStringify) unless a part kept it.
    stringifyResult: (result) => options.keptJson?.(result) ?? `${JSON.stringify(result)}\n`,
  });
}

/** Runs a query through the supergraph on a caller's behalf (subscription payloads, document downloads). */
export async function executeAs(
  apollo: ApolloServer<HubContext>,
  query: string,
  variables: Record<string, unknown>,
  contextValue: HubContext,
): Promise<ExecutionResult> {
  // Its deadline counts from now: a subscription's context was made when its socket opened.
  const answer = await apollo.executeOperation(
    { query, variables },
    { contextValue: { ...contextValue, receivedAt: performance.now() } },
  );
  if (answer.body.kind !== 'single')
    return { errors: [new GraphQLError('Incremental delivery is not used by the hub')] };
  const { data, errors } = answer.body.singleResult;
  // Apollo hands back formatted errors; graphql-ws serialises GraphQLErrors (toJSON), so they become ones again.
  return {
    data: data ?? null,
    ...(errors
      ? {
          errors: errors.map(
            (error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
          ),
        }
      : {}),
  };
}
