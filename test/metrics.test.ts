import { metricSum } from './faults';
import { startTestHub, type TestHub } from './harness/hub';

/** Prometheus metrics at /metrics: requests and latency by operation, shard calls by institution, errors by code, circuits. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => hub?.dispose());

const scrape = async () => {
  const response = await fetch(new URL('/metrics', hub.url));
  return { type: response.headers.get('content-type'), text: await response.text() };
};

test('requests by operation name, shard calls by institution and outcome, errors by code, circuits, process metrics', async () => {
  for (let i = 0; i < 2; i += 1)
    expect((await hub.request('query UnitsPage { units(first: 5) { nodes { id } } }')).body.errors).toBeUndefined();
  await hub.request('{ institutions { id } }');
  await hub.request('{ nope }');
  const { type, text } = await scrape();
  expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(text).toContain('hub_graphql_requests_total{operation="UnitsPage"} 2');
  expect(text).toContain('hub_graphql_requests_total{operation="(anonymous)"} 1');
  expect(text).toContain('hub_graphql_requests_total{operation="(invalid)"} 1');
  expect(text).toContain('hub_graphql_request_duration_seconds_count{operation="UnitsPage"} 2');
  expect(text).toMatch(/hub_shard_calls_total\{institution="rvt\.lv",kind="qualifications",outcome="ok"\} [3-9]/);
  expect(text).toMatch(/hub_shard_call_duration_seconds_count\{institution="omnia\.fi",kind="qualifications"\} [3-9]/);
  expect(text).toContain('hub_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1');
  expect(text).toContain('hub_shard_circuit_state{institution="omnia.fi",kind="qualifications"} 0');
  expect(text).toContain('process_cpu_user_seconds_total');
});

test('refusals outside GraphQL (413, 401) are counted by code too', async () => {
  const before = await metricSum(hub.url, 'hub_errors_total', 'code="PAYLOAD_TOO_LARGE"');
  await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }', junk: 'x'.repeat(1_100_000) }),
  });
  await hub.request('{ institutions { id } }', undefined, 'not-a-token');
  expect(await metricSum(hub.url, 'hub_errors_total', 'code="PAYLOAD_TOO_LARGE"')).toBe(before + 1);
  expect(await metricSum(hub.url, 'hub_errors_total', 'code="UNAUTHENTICATED"')).toBe(1);
});
