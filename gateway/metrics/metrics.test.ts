import type { ShardCallEvent } from '../routing/data-source';
import { useMetrics } from './metrics';

const event = (outcome: ShardCallEvent['outcome']): ShardCallEvent => ({
  shard: { institution: 'rvt.lv', kind: 'qualifications', url: 'http://127.0.0.1:1/graphql' },
  operation: 'query',
  outcome,
  durationMs: 12,
  requestId: 'r1',
});

test('shard calls by institution, kind and outcome; circuits read at each scrape', async () => {
  let state: 'closed' | 'open' = 'closed';
  const metrics = useMetrics({
    processMetrics: false,
    circuits: () => [{ institution: 'rvt.lv', kind: 'qualifications', state }],
  });
  metrics.observeShardCall(event('ok'));
  metrics.observeShardCall(event('ok'));
  metrics.observeShardCall(event('timeout'));
  let text = await metrics.registry.metrics();
  expect(text).toContain('hub_shard_calls_total{institution="rvt.lv",kind="qualifications",outcome="ok"} 2');
  expect(text).toContain('hub_shard_calls_total{institution="rvt.lv",kind="qualifications",outcome="timeout"} 1');
  expect(text).toContain('hub_shard_call_duration_seconds_count{institution="rvt.lv",kind="qualifications"} 3');
  expect(text).toContain('hub_shard_circuit_state{institution="rvt.lv",kind="qualifications"} 0');
  state = 'open';
  text = await metrics.registry.metrics();
  expect(text).toContain('hub_shard_circuit_state{institution="rvt.lv",kind="qualifications"} 1');
  expect(text).not.toContain('process_cpu');
});

test('label values chosen by others are capped: later ones count as "(other)"', async () => {
  const metrics = useMetrics({ processMetrics: false, maxLabelValues: 2 });
  for (const code of ['A', 'B', 'C', 'D', 'A']) metrics.countError(code);
  const text = await metrics.registry.metrics();
  expect(text).toContain('hub_errors_total{code="A"} 2');
  expect(text).toContain('hub_errors_total{code="B"} 1');
  expect(text).toContain('hub_errors_total{code="(other)"} 2');
});
