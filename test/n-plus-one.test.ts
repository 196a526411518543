import { startTestHub, type TestHub } from './harness/hub';

/** Nested lists are loaded in batches: the SQL statements a query issues do not grow with the rows. */
let hub: TestHub;
beforeAll(async () => {
  // The shards share this test's thread: on a loaded machine (load average 5 in CI) the warm-up request outlasted
  // the usual 5 s per shard call. This test counts statements, not time.
  hub = await startTestHub({ shards: 'in-process', shardTimeoutMs: 30_000 });
});
afterAll(async () => hub?.dispose());

const NESTED = `query($first: Int!) {
  units(first: $first) {
    nodes {
      id title
      institution { id name }
      qualification { id title units { id } }
      escoSkills
      learningOutcomes { id category statement escoSkills unit { id } }
    }
  }
}`;

async function statementsFor(first: number): Promise<{ total: number; rows: number }> {
  const shards = [...hub.shards.values()];
  const before = shards.map((shard) => shard.db?.statements.count ?? 0);
  const answer = await hub.request(NESTED, { first });
  expect(answer.body.errors).toBeUndefined();
  const rows = (answer.body.data?.units as { nodes: unknown[] }).nodes.length;
  const total = shards.reduce((sum, shard, i) => sum + (shard.db?.statements.count ?? 0) - (before[i] ?? 0), 0);
  return { total, rows };
}

test('a nested query costs the same number of statements for 2 rows as for 40', async () => {
  await statementsFor(1); // warm-up: first requests may load the institution row
  const small = await statementsFor(2);
  const large = await statementsFor(40);
  expect(large.rows).toBeGreaterThan(small.rows * 5);
  expect(large.total).toBe(small.total);
  // Per shard: page + institution + qualification + units of qualification + outcomes + skills + outcome. The
  // outcomes' units are the page's own, which the page leaves to the unit loader: they are not read again.
  expect(large.total / hub.shards.size).toBeLessThanOrEqual(7);
});
