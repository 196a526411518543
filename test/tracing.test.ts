import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracingFromEnv, type StopTracing } from '../platform/tracing';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { ROOT, startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * One learning-agreement query through the real gateway, shards as processes, every process exporting to an
 * OTLP collector stand-in: the client's trace is continued at the gateway, each shard call is a span under the
 * gateway's, each shard's request span under its call, and the shards' log lines name the trace.
 */

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: OtlpValue }>;
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
  attribute(key: string): string | number | boolean | undefined;
}

const CLIENT_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN_ID = 'b7ad6b7169203331';
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY', 'LOG_LEVEL', 'LOG_FORMAT'] as const;

const received: ReceivedSpan[] = [];
const saved = OTEL_VARIABLES.map((name) => [name, process.env[name]] as const);
let collector: Server;
let stopTracing: StopTracing;
let hub: TestHub;

function readValue(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}

/** A collector stand-in: OTLP/HTTP JSON on POST /v1/traces, spans kept with their service's name. */
function startCollector(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (
        request.method !== 'POST' ||
        request.url !== '/v1/traces' ||
        !String(request.headers['content-type']).startsWith('application/json')
      ) {
        response.writeHead(404).end();
        return;
      }
      const payload = JSON.parse(body) as {
        resourceSpans?: Array<{
          resource?: { attributes?: OtlpSpan['attributes'] };
          scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
        }>;
      };
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = String(
          readValue(resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value),
        );
        for (const span of (resourceSpans.scopeSpans ?? []).flatMap((scope) => scope.spans ?? [])) {
          received.push({
            ...span,
            service,
            attribute: (key) => readValue(span.attributes?.find((a) => a.key === key)?.value),
          });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  collector = await startCollector();
  // The shard processes inherit these; the gateway runs in this process and starts tracing as its main would.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
  process.env.LOG_LEVEL = 'debug';
  process.env.LOG_FORMAT = 'json';
  stopTracing = startTracingFromEnv('ecvet-hub-gateway');
  hub = await startTestHub({ institutions: ['rvt.lv', 'cifp-aviles.es'], mobilities: true });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
}, 120_000);

afterAll(async () => {
  await hub?.dispose();
  await stopTracing?.();
  await new Promise((resolve) => collector?.close(resolve));
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test("a learning agreement read is one trace: the client's, the gateway's span, a span per shard call, the shards' spans and log lines", async () => {
  const token = await hub.token('rvt.lv', ['coordinator']);
  const list = await hub.request('{ learningAgreements(first: 1) { edges { node { id } } } }', {}, token);
  const id = (list.body.data?.learningAgreements as { edges: Array<{ node: { id: string } }> } | undefined)?.edges[0]
    ?.node.id;
  if (!id) throw new Error(`no demo agreement: ${JSON.stringify(list.body.errors)}`);

  const query =
    'query Agreement($id: ID!) { learningAgreement(id: $id) { id status current { units { unit { id title } ecvetPoints } } } }';
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`,
      tracestate: 'vendor=client',
    },
    body: JSON.stringify({ query, variables: { id } }),
  });
  const body = (await response.json()) as {
    data?: { learningAgreement?: { current: { units: Array<{ unit: { title: string } | null }> } } };
    errors?: unknown[];
  };
  expect(body.errors).toBeUndefined();
  expect(body.data?.learningAgreement?.current.units.length).toBeGreaterThan(0);

  const ofTrace = () => received.filter((span) => span.traceId === CLIENT_TRACE_ID);
  const gatewaySpan = () =>
    ofTrace().find((span) => span.service === 'ecvet-hub-gateway' && span.parentSpanId === CLIENT_SPAN_ID);
  const callsOf = (kind: string) =>
    ofTrace().filter(
      (span) =>
        span.service === 'ecvet-hub-gateway' && span.attribute('hub.kind') === kind && span.name.endsWith('shard call'),
    );
  const shardSpansUnder = (call: ReceivedSpan) =>
    ofTrace().filter((span) => span.parentSpanId === call.spanId && span.service !== 'ecvet-hub-gateway');
  const sentCalls = () =>
    [...callsOf('mobilities'), ...callsOf('qualifications')].filter((call) => call.attribute('hub.cache') !== 'hit');
  await waitFor(
    "the gateway span, a span per shard call and the shards' own spans at the collector",
    () =>
      gatewaySpan() !== undefined &&
      callsOf('mobilities').length > 0 &&
      callsOf('qualifications').length > 0 &&
      sentCalls().every((call) => shardSpansUnder(call).length > 0),
    15_000,
  );

  const gateway = gatewaySpan() as ReceivedSpan;
  expect(gateway.name).toBe('query Agreement');
  expect(gateway.attribute('graphql.operation.type')).toBe('query');
  expect(gateway.attribute('hub.outcome')).toBe('ok');
  for (const call of [...callsOf('mobilities'), ...callsOf('qualifications')]) {
    expect(call.parentSpanId).toBe(gateway.spanId);
    expect(call.attribute('hub.outcome')).toBe('ok');
    expect(['hit', 'miss', 'bypass']).toContain(call.attribute('hub.cache'));
    expect(['rvt.lv', 'cifp-aviles.es']).toContain(call.attribute('hub.institution'));
    if (call.attribute('hub.cache') !== 'hit') expect(call.attribute('http.response.status_code')).toBe(200);
  }
  // Personal data: the agreement itself is never looked up in the entity cache.
  expect(callsOf('mobilities').map((call) => call.attribute('hub.cache'))).toContain('bypass');

  for (const call of sentCalls()) {
    const [shardSpan] = shardSpansUnder(call);
    expect(shardSpan?.service).toBe(`ecvet-${String(call.attribute('hub.kind'))}-shard`);
    expect(shardSpan?.attribute('hub.institution')).toBe(call.attribute('hub.institution'));
    expect(shardSpan?.attribute('hub.outcome')).toBe('ok');
    // The shard's log lines of this request name the trace and the shard's own span.
    const shard = (call.attribute('hub.kind') === 'mobilities' ? hub.mobilityShards : hub.shards).get(
      String(call.attribute('hub.institution')),
    );
    const lines = (shard?.output() ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string; msg?: string });
    expect(lines).toContainEqual(
      expect.objectContaining({ trace_id: CLIENT_TRACE_ID, span_id: shardSpan?.spanId, msg: 'request answered' }),
    );
  }
});

test('a malformed traceparent is not trusted: the request starts a trace of its own', async () => {
  const malformed = `00-${'0'.repeat(32)}-${CLIENT_SPAN_ID}-01`;
  const before = received.length;
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: malformed },
    body: JSON.stringify({ query: 'query Units { units(first: 1) { totalCount } }' }),
  });
  expect(response.status).toBe(200);
  const gatewaySpan = () =>
    received.slice(before).find((span) => span.service === 'ecvet-hub-gateway' && span.name === 'query Units');
  await waitFor('the gateway span of the request', () => gatewaySpan() !== undefined, 15_000);
  expect(gatewaySpan()?.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(gatewaySpan()?.traceId).not.toBe('0'.repeat(32));
  expect(gatewaySpan()?.parentSpanId ?? '').toBe('');
});

test('without an OTLP endpoint a process loads no OpenTelemetry SDK, and still passes trace context on', () => {
  const script = `
    const tracing = require(${JSON.stringify(`${ROOT}/dist/platform/tracing.js`)});
    const stop = tracing.startTracingFromEnv('check');
    const span = tracing.startSpan('call', { kind: 'client', parent: tracing.parseTraceparent('00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01') });
    span.end();
    const loaded = Object.keys(require.cache).filter((path) => /sdk-trace|exporter-trace|otlp/.test(path));
    console.log(JSON.stringify({ loaded, traceparent: tracing.formatTraceparent(span.context) }));
    void stop();
  `;
  const env = { ...process.env };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })) as {
    loaded: string[];
    traceparent: string;
  };
  expect(result.loaded).toEqual([]);
  expect(result.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE_ID}-(?!${CLIENT_SPAN_ID})[0-9a-f]{16}-01$`));
});
