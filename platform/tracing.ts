import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span as ApiSpan,
} from '@opentelemetry/api';

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) for the hub and its shards: the `traceparent` a
 * client sends is continued, every hop carries one naming the span that made it, and every log line of a
 * request names its trace. Propagation is always on; spans are exported over OTLP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: without it the SDK is never
 * loaded and the OpenTelemetry API's no-op tracer makes spans that cost next to nothing.
 */

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Where a request's spans hang: its trace, the span the next hop names as its parent, and the sampled flag. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** Trace flags; bit 0 says the caller records (samples) the trace. */
  flags: number;
  /** Vendors' `tracestate`, passed on as it came (when well-formed and short). */
  traceState?: string;
}

/** The longest `traceparent` read: a version-00 header is 55 characters; later versions may append fields. */
export const MAX_TRACEPARENT_LENGTH = 256;
/** The longest `tracestate` passed on: the specification's 32 members fit, and propagators may drop longer ones. */
export const MAX_TRACESTATE_LENGTH = 512;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** `key=value` members, comma-separated; the characters the specification allows, nothing else. */
const TRACESTATE = /^[\x20-\x7e]*$/;

/**
 * Reads a `traceparent` header; null when absent or malformed (then the request starts a new trace: a
 * malformed header is never trusted). Version ff is invalid; version 00 has exactly four fields; a later
 * version may carry more, which are ignored.
 */
export function parseTraceparent(header: string | undefined, traceState?: string): TraceContext | null {
  if (header === undefined || header.length > MAX_TRACEPARENT_LENGTH) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return null;
  const state = parseTracestate(traceState);
  return { traceId, spanId, flags: parseInt(flags, 16), ...(state ? { traceState: state } : {}) };
}

/** A `tracestate` worth passing on: short, printable, or nothing. */
export function parseTracestate(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  return trimmed !== '' && trimmed.length <= MAX_TRACESTATE_LENGTH && TRACESTATE.test(trimmed) ? trimmed : undefined;
}

/** The version-00 `traceparent` naming `context.spanId` as the parent of the next hop. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The headers a hop carries for its trace. */
export function traceHeaders(context: TraceContext): Record<string, string> {
  return context.traceState
    ? { [TRACEPARENT_HEADER]: formatTraceparent(context), [TRACESTATE_HEADER]: context.traceState }
    : { [TRACEPARENT_HEADER]: formatTraceparent(context) };
}

/** The trace context of an incoming request's headers; null when it has none or a malformed one. */
export function traceOfHeaders(get: (name: string) => string | undefined): TraceContext | null {
  return parseTraceparent(get(TRACEPARENT_HEADER), get(TRACESTATE_HEADER));
}

// Ids come from a pooled buffer: one randomBytes call per 256 spans rather than one per id.
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(2048);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  // An all-zero id is invalid: vanishingly rare, but never sent.
  return /^0+$/.test(hex) ? randomHex(bytes) : hex;
}

/** One span: its context (the parent the next hop names) and, when exported, what it records. */
export interface TraceSpan {
  readonly context: TraceContext;
  setAttributes(attributes: Attributes): void;
  /** Names the span once what it did is known (the operation a request turned out to be). */
  updateName(name: string): void;
  /** Ends the span; with `error`, marked failed with that message. */
  end(error?: string): void;
}

export interface SpanOptions {
  /** `server` for a request taken in, `client` for a call made. */
  kind: 'server' | 'client';
  /** The caller's span (a client's, the gateway's); null starts a new trace. */
  parent: TraceContext | null;
  attributes?: Attributes;
}

const API_KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;
const tracer = trace.getTracer('ecvet-federation-hub');
let exporting = false;

class ApiTraceSpan implements TraceSpan {
  constructor(
    private readonly span: ApiSpan,
    readonly context: TraceContext,
  ) {}

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  updateName(name: string): void {
    this.span.updateName(name);
  }

  end(error?: string): void {
    if (error !== undefined) this.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.span.end();
  }
}

/** A span nothing records: its ids only, so that hops and log lines name a trace. */
class IdOnlySpan implements TraceSpan {
  constructor(readonly context: TraceContext) {}
  setAttributes(): void {}
  updateName(): void {}
  end(): void {}
}

/**
 * Starts a span under `parent`. When exporting, the SDK makes and records it; otherwise only the ids are made
 * here, so that hops and log lines name a trace either way, and the OpenTelemetry API (whose no-op span would
 * record nothing anyway) is not called on every request and shard call.
 */
export function startSpan(name: string, options: SpanOptions): TraceSpan {
  const { parent } = options;
  if (!exporting)
    return new IdOnlySpan({
      traceId: parent?.traceId ?? randomHex(16),
      spanId: randomHex(8),
      flags: parent?.flags ?? 0,
      ...(parent?.traceState ? { traceState: parent.traceState } : {}),
    });
  const parentContext = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.flags,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span = tracer.startSpan(name, { kind: API_KINDS[options.kind], attributes: options.attributes }, parentContext);
  const made = span.spanContext();
  return new ApiTraceSpan(span, {
    traceId: made.traceId,
    spanId: made.spanId,
    flags: made.traceFlags,
    ...(parent?.traceState ? { traceState: parent.traceState } : {}),
  });
}

/** Whether spans are exported (the SDK was started from the environment). */
export function tracingExported(): boolean {
  return exporting;
}

/** The endpoint spans go to, from the standard variables; undefined: no export. */
export function otlpEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
}

/** Flushes and stops the exporter; a no-op when tracing was not started. */
export type StopTracing = () => Promise<void>;

/**
 * Starts OpenTelemetry from the standard OTEL_* variables (endpoint, headers, timeout, service name, resource
 * attributes, sampler, batch sizes) when an OTLP endpoint is set; otherwise loads nothing. `serviceName` is the
 * default OTEL_SERVICE_NAME. OTEL_SDK_DISABLED=true turns it off.
 */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): StopTracing {
  if (exporting || !otlpEndpoint(env) || env.OTEL_SDK_DISABLED === 'true') return () => Promise.resolve();
  // Lazy: a process without an endpoint never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BasicTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { detectResourcesSync, envDetectorSync, Resource } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the default name.
  const resource = new Resource({ 'service.name': serviceName }).merge(
    detectResourcesSync({ detectors: [envDetectorSync] }),
  );
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  trace.setGlobalTracerProvider(provider);
  exporting = true;
  return async () => {
    await provider.shutdown();
    trace.disable();
    exporting = false;
  };
}

/** What a request carries through its call tree: room for its trace, and whatever the process adds to it. */
export interface TraceScope {
  span?: TraceContext;
}

// One AsyncLocalStorage per process for requests: on Node.js 22 every instance adds work to every promise made.
const scopes = new AsyncLocalStorage<TraceScope>();

/**
 * Runs a request in `scope`, its trace set once known (`setScopeTrace`) and read by every log line in it. A
 * process that keeps more per request (the shards, see subgraphs/shared/request-scope.ts) passes its own
 * object, so that one storage serves both.
 */
export function runInTraceScope<T>(work: () => Promise<T>, scope: TraceScope = {}): Promise<T> {
  return scopes.run(scope, work);
}

/** The running request's scope, as given to `runInTraceScope`; undefined outside one. */
export function currentTraceScope(): TraceScope | undefined {
  return scopes.getStore();
}

/** Names the span of the running request (from inside `runInTraceScope`). */
export function setScopeTrace(span: TraceContext): void {
  const scope = scopes.getStore();
  if (scope) scope.span = span;
}

/** The span of the running request, when it is traced: what a call it makes names as its parent. */
export function scopeTrace(): TraceContext | undefined {
  return scopes.getStore()?.span;
}

/** The log fields of the running request's trace: `trace_id`, `span_id` (the names log collectors join on). */
export function traceLogFields(): { trace_id: string; span_id: string } | Record<string, never> {
  const span = scopes.getStore()?.span;
  return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
