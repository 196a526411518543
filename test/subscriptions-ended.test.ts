import { setTimeout as sleep } from 'node:timers/promises';
import { OUTBOX_POLL_MS } from '../subgraphs/shared/outbox/outbox';
import { startTestHub, type TestHub } from './harness/hub';
import { socketClient } from './harness/socket-client';
import { waitFor } from './harness/wait';

/**
 * A subscription ended through the gateway's WebSocket costs its shard nothing more, even one that was shown no
 * event: a member opening and ending such subscriptions leaves no reader of the shard's outbox behind.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv'], shards: 'in-process', mobilities: true });
}, 120_000);
afterAll(() => hub?.dispose());

test('subscriptions shown no event, once ended, read nothing more from their shard', async () => {
  const db = hub.mobilityShards.get('rvt.lv')?.db;
  if (!db) throw new Error('no in-process mobilities shard for rvt.lv');
  const client = socketClient(hub.url, await hub.token('rvt.lv', ['coordinator']));
  try {
    // The shard holds no agreement yet, so its outbox has no event for anyone.
    for (let round = 0; round < 10; round++) {
      const iterator = client.iterate({ query: 'subscription { assessmentRecorded { type } }' });
      const before = db.statements.count;
      const next = iterator.next();
      await waitFor('the subscription reads the outbox', () => db.statements.count > before);
      await iterator.return?.();
      expect(await next).toEqual({ done: true, value: undefined });
    }
    const ended = db.statements.count;
    await sleep(2 * OUTBOX_POLL_MS + 200);
    expect(db.statements.count).toBe(ended);
  } finally {
    await client.dispose();
  }
});
