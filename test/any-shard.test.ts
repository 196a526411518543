import { BUDGET_HEADER } from '../platform/budget';
import { postGraphQL, startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';

/**
 * Fields any shard of a kind can answer (`compareUnits`): the caller's own shard answers; when it is down another
 * stands in, but when it hangs the caller hears so after one shard timeout, not after one per stand-in. The hub keeps
 * its default shard timeout, so that the stand-in's chain of shards (recognition asks qualifications through the
 * hub) is never hurried by a loaded machine; the hanging case gives its request a budget of TIMEOUT_MS instead,
 * which the hub honours as that request's deadline.
 */
const TIMEOUT_MS = 1_000;
let hub: TestHub;
let coordinator: string;
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    recognition: true,
  });
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  // What is tested starts from warm shards, so each is warmed until a whole answer comes: the caller's own, and
  // Avilés' that stands in for it (its coordinator's calls go to it first).
  for (const institution of ['rvt.lv', 'cifp-aviles.es']) {
    const caller = await hub.token(institution, ['coordinator']);
    await waitFor(
      `${institution}'s compareUnits answers whole`,
      async () => (await hub.request(COMPARE, undefined, caller)).body.errors === undefined,
      60_000,
    );
  }
}, 120_000);
afterAll(async () => {
  hub?.recognitionShards.get('rvt.lv')?.resume();
  await hub?.dispose();
});

const COMPARE = '{ compareUnits(a: "rvt.lv:WELD-U5", b: "cifp-aviles.es:SOLCAL-0094") { score eqfLevelDifference } }';

test('a hanging own shard: GATEWAY_TIMEOUT naming it after one shard timeout, no stand-in asked', async () => {
  const own = hub.recognitionShards.get('rvt.lv');
  own?.pause();
  try {
    const started = Date.now();
    const answer = await postGraphQL(hub.url, COMPARE, undefined, coordinator, { [BUDGET_HEADER]: String(TIMEOUT_MS) });
    const elapsed = Date.now() - started;
    expect(answer.body.data ?? null).toBeNull(); // compareUnits is non-null: its error nulls the answer
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        path: ['compareUnits'],
        extensions: expect.objectContaining({ code: 'GATEWAY_TIMEOUT', institution: 'rvt.lv', kind: 'recognition' }),
      }),
    ]);
    // The error (no stand-in's answer) is the proof; the time says it came from the timeout, with room for a busy machine.
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(3 * TIMEOUT_MS);
  } finally {
    own?.resume();
  }
});

test("a stopped own shard: another institution's shard stands in and answers", async () => {
  await hub.recognitionShards.get('rvt.lv')?.stop();
  const answer = await hub.request(COMPARE, undefined, coordinator);
  expect(answer.body).toEqual({ data: { compareUnits: { score: expect.any(Number), eqfLevelDifference: 0 } } });
});
