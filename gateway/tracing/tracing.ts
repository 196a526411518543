import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { startSpan, traceOfHeaders, type TraceSpan } from '../../platform/tracing';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';

export interface TracingOptions {
  /**
   * Continue a well-formed `traceparent` from the client (its trace id, its span as the parent); false starts
   * a new trace for every request. @default true
   */
  trustIncoming?: boolean;
}

export interface Tracing extends GatewayPart {
  plugins: readonly [ApolloServerPlugin<HubContext>];
  /**
   * Builds a GraphQL request's context inside its span (which continues the client's trace), and puts the span
   * on the context: shard calls are its children, log lines of the request name it.
   */
  traced(request: IncomingMessage, context: () => Promise<HubContext>): Promise<HubContext>;
}

const firstValue = (request: IncomingMessage) => (name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * A span per GraphQL request at the gateway, named after its operation (type and name), with its outcome;
 * W3C trace context in (from the client) and out (to every shard call, see routing/shard-call.ts).
 */
export function useTracing(options: TracingOptions = {}): Tracing {
  const trustIncoming = options.trustIncoming ?? true;
  const listener = (span: TraceSpan): GraphQLRequestListener<HubContext> => ({
    async didResolveOperation({ operation, operationName }) {
      if (!operation) return;
      span.updateName(`${operation.operation} ${operationName ?? '(anonymous)'}`);
      span.setAttributes({
        'graphql.operation.type': operation.operation,
        'graphql.operation.name': operationName ?? '',
      });
    },
    async willSendResponse({ response, errors }) {
      const status = response.http.status ?? 200;
      const failed = (errors?.length ?? 0) > 0;
      span.setAttributes({ 'hub.outcome': failed ? 'errors' : 'ok', 'http.response.status_code': status });
      span.end(status >= 500 ? `HTTP ${status}` : undefined);
    },
  });
  return {
    name: 'tracing',
    plugins: [
      {
        async requestDidStart({ contextValue }) {
          return contextValue.trace ? listener(contextValue.trace) : undefined;
        },
      },
    ],
    traced: async (request, context) => {
      const span = startSpan('graphql', {
        kind: 'server',
        parent: trustIncoming ? traceOfHeaders(firstValue(request)) : null,
      });
      try {
        return { ...(await context()), trace: span };
      } catch (error) {
        // Refused before Apollo took it up (limits, authentication): the span ends here.
        span.setAttributes({ 'hub.outcome': 'refused' });
        span.end((error as Error).message);
        throw error;
      }
    },
  };
}

/**
 * The log fields naming a request's trace. The gateway keeps no request storage (on Node.js 22 one costs every
 * promise of every request), so its log lines take them from the context.
 */
export function traceFieldsOf(
  context: Pick<HubContext, 'trace'>,
): { trace_id: string; span_id: string } | Record<string, never> {
  return context.trace ? { trace_id: context.trace.context.traceId, span_id: context.trace.context.spanId } : {};
}
