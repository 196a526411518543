import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from '../../platform/logger';
import { setScopeTrace, startSpan, traceOfHeaders, type TraceSpan } from '../../platform/tracing';
import { currentRequestScope, runInRequestScope } from './request-scope';

/**
 * The shard half of tracing: each request continues the trace its hop names (`traceparent`, the gateway's
 * shard-call span as parent), every log line while it runs names its trace, and its span (exported when the
 * process exports, see platform/tracing.ts) ends when its answer is sent.
 */
export interface ShardTracing<C extends BaseContext> {
  /** Runs one request in its request scope, with room for its trace. */
  scope: <T>(work: () => Promise<T>) => Promise<T>;
  /** Starts the request's span from its headers; called once the request's scope is running. */
  start(header: (name: string) => string | undefined): TraceSpan;
  /** Names the span after the operation, records its outcome, ends it, and logs the request (at debug). */
  plugin: ApolloServerPlugin<C>;
}

export function useShardTracing<C extends BaseContext>(options: {
  kind: string;
  institution: string;
  log: Logger;
}): ShardTracing<C> {
  const attributes = { 'hub.kind': options.kind, 'hub.institution': options.institution };
  return {
    scope: (work) => runInRequestScope(work),
    start: (header) => {
      const span = startSpan(`${options.kind} shard`, { kind: 'server', parent: traceOfHeaders(header), attributes });
      setScopeTrace(span.context);
      const scope = currentRequestScope();
      if (scope) scope.trace = span;
      return span;
    },
    plugin: {
      async requestDidStart() {
        const started = performance.now();
        return {
          async didResolveOperation({ operation, operationName }) {
            if (operation)
              currentRequestScope()?.trace?.updateName(
                `${options.kind} shard: ${operation.operation} ${operationName ?? '(anonymous)'}`,
              );
          },
          async willSendResponse({ response, errors, operationName }) {
            const span = currentRequestScope()?.trace;
            const outcome = (errors?.length ?? 0) > 0 ? 'errors' : 'ok';
            const status = response.http.status ?? 200;
            span?.setAttributes({ 'hub.outcome': outcome, 'http.response.status_code': status });
            span?.end(status >= 500 ? `HTTP ${status}` : undefined);
            options.log.debug(
              { operationName, outcome, status, durationMs: Math.round(performance.now() - started) },
              'request answered',
            );
          },
        };
      },
    },
  };
}
