import { metricSum } from '../faults';
import { startTestHub, type TestHub } from '../harness/hub';
import { seedUnits } from '../seeds';

/** What the HTTP security tests send and check: a raw answer, the rvt.lv shard's state, one expected error. */
export interface Answer {
  status: number;
  text: string;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

export const unitId = () => seedUnits(['rvt.lv'])[0]?.id as string;
export const RENAME =
  'mutation Rename($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';

/** What a refused write must leave as it was: the shard's units and audit trail, and the count of shard calls. */
export async function shardState(
  hub: TestHub,
  gatewayUrl = hub.url,
): Promise<{ units: unknown; audits: unknown; shardCalls: number }> {
  const db = hub.shards.get('rvt.lv')?.db;
  if (!db) throw new Error('in-process shard expected');
  return {
    units: await db.dataSource.query('SELECT * FROM unit ORDER BY id'),
    audits: await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_entry'),
    shardCalls: await metricSum(gatewayUrl, 'hub_shard_calls_total'),
  };
}

/** The answer is `status` with exactly one error of `code` (and `extensions`, and a message matching `message`). */
export function expectOnly(
  answer: Answer,
  status: number,
  code: string,
  extensions: Record<string, unknown> = {},
  message?: RegExp,
): void {
  expect(answer.status).toBe(status);
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      ...(message ? { message: expect.stringMatching(message) } : {}),
      extensions: expect.objectContaining({ code, requestId: expect.any(String), ...extensions }),
    }),
  ]);
}

/**
 * A hub of rvt.lv and omnia.fi with in-process shards (their databases are read directly) and a coordinator's
 * token of rvt.lv, started before the file's tests and disposed of after them; the fields are set once started.
 */
export function useAttemptHub(): { hub: TestHub; coordinator: string } {
  const current = {} as { hub: TestHub; coordinator: string };
  beforeAll(async () => {
    current.hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
    current.coordinator = await current.hub.token('rvt.lv', ['coordinator']);
  });
  afterAll(async () => current.hub?.dispose());
  return current;
}
