import type { Caller } from '../platform/caller';
import { generateHopKeyPair } from '../platform/hop-keys';
import { getHopOperation } from '../platform/signed-hop';
import { renameUnitAtShard } from './harness/cache';
import { startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** A qualifications shard's change feed, `GET /changes`, as the hub's entity cache reads it (signed, as the gateway signs it). */
let hub: TestHub;
let feed: URL;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv'], shards: 'in-process', gateway: { entityCache: false } });
  feed = new URL('/changes', hub.shards.get('rvt.lv')?.url);
});
afterAll(async () => hub?.dispose());

interface Page {
  kind: string;
  institution: string;
  feedId: string;
  first: number | null;
  last: number;
  changes: Array<{ seq: number; tags: string[]; occurredAt: string }>;
}

type Signing = 'gateway' | 'unsigned' | 'empty signature' | 'another key' | 'another cursor';

async function get(
  params: Record<string, string>,
  signing: Signing = 'gateway',
): Promise<{ status: number; body: Page & { error?: string } }> {
  const url = new URL(feed);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const signed = signing === 'another cursor' ? `${url.pathname}?after=0` : `${url.pathname}${url.search}`;
  const key = signing === 'another key' ? (await generateHopKeyPair()).key : hub.hopKeys.key;
  const hop = await hub.signHop({
    institution: 'rvt.lv',
    caller: null,
    requestId: 'change-feed-test',
    operation: getHopOperation(signed),
    key,
  });
  const headers = signing === 'unsigned' ? {} : signing === 'empty signature' ? { ...hop, 'x-hub-hop': '' } : hop;
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Page & { error?: string } };
}

const unit = () => seedUnits(['rvt.lv'])[0]?.id as string;

test('without a cursor it says where the feed stands; with one it replays what came after, with the tags each write changed', async () => {
  const now = (await get({})).body;
  expect(now).toEqual(expect.objectContaining({ kind: 'qualifications', institution: 'rvt.lv', changes: [] }));
  expect(now.feedId).toMatch(/^[\w-]{16}$/);
  await renameUnitAtShard(hub, unit(), 'Welding, as the feed tells it');
  const page = (await get({ after: String(now.last) })).body;
  expect(page.changes).toHaveLength(1);
  expect(page.changes[0]).toEqual(
    expect.objectContaining({
      seq: now.last + 1,
      tags: expect.arrayContaining([`Unit:${unit().split(':')[1]}`, 'UnitList']),
    }),
  );
  expect(page.last).toBe(now.last + 1);
});

test('a long poll waits for the next write and answers as soon as it commits', async () => {
  const now = (await get({})).body;
  const started = performance.now();
  const waiting = get({ after: String(now.last), waitMs: '5000', feedId: now.feedId });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await renameUnitAtShard(hub, unit(), 'Welding, while someone waited');
  const page = (await waiting).body;
  expect(page.changes.map((change) => change.seq)).toEqual([now.last + 1]);
  expect(performance.now() - started).toBeLessThan(2_000);
});

test('a long poll that names another feed history is answered at once, and one with nothing new at its deadline', async () => {
  const now = (await get({})).body;
  let started = performance.now();
  const other = (await get({ after: String(now.last), waitMs: '5000', feedId: 'another-history' })).body;
  expect(other.feedId).toBe(now.feedId);
  expect(performance.now() - started).toBeLessThan(1_000);
  started = performance.now();
  expect((await get({ after: String(now.last), waitMs: '300', feedId: now.feedId })).body.changes).toEqual([]);
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
});

test('a cursor or wait that is not a number is refused with the rule', async () => {
  const refused: Array<Record<string, string>> = [{ after: '-1' }, { after: 'e1.4' }, { after: '3', waitMs: 'soon' }];
  for (const params of refused) {
    const answer = await get(params);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(
      'after must be a change sequence number (0 or more) and waitMs a number of milliseconds',
    );
  }
});

test('the feed answers only calls the gateway signed, for the cursor it signed', async () => {
  const refusals: Array<[Signing, string]> = [
    ['unsigned', "the change feed answers the hub's gateways only: the call must be signed"],
    ['empty signature', 'Refused a malformed hop: it must be a JWT signed by the hub'],
    ['another key', 'Refused a hop signed with an unknown key id: no key of the hub has it'],
    ['another cursor', 'Refused a hop signed for another operation'],
  ];
  for (const [signing, error] of refusals) {
    const answer = await get({ after: '1' }, signing);
    expect({ signing, status: answer.status, error: answer.body.error }).toEqual({ signing, status: 401, error });
    expect(answer.body.changes).toBeUndefined();
  }
  expect((await get({ after: '1' })).status).toBe(200);
  // A captured poll cannot be sent again.
  const url = new URL(feed);
  url.searchParams.set('after', '1');
  const headers = await hub.signHop({
    institution: 'rvt.lv',
    caller: null,
    requestId: 'change-feed-test',
    operation: getHopOperation(`${url.pathname}${url.search}`),
  });
  expect((await fetch(url, { headers })).status).toBe(200);
  const replayed = await fetch(url, { headers });
  expect({ status: replayed.status, body: await replayed.json() }).toEqual({
    status: 401,
    body: { error: 'Refused a replayed hop: its nonce was used already' },
  });
});

test('concurrent writes at the shard each name exactly the changes their own rows recorded', async () => {
  const units = seedUnits(['rvt.lv']).slice(0, 6);
  const now = (await get({})).body;
  // Each write replaces its unit's outcomes with one more or fewer than its neighbour's: adjacent index ranges.
  const answers = await Promise.all(
    units.map(async (unit, index) => {
      const outcomes = Array.from({ length: 1 + (index % 3) }, (_, position) => ({
        category: 'SKILLS',
        statements: [{ lang: 'en', value: `Outcome ${position + 1}` }],
        escoSkills: [],
      }));
      const operation = {
        query:
          'mutation($id: ID!, $outcomes: [LearningOutcomeInput!]!) { updateUnit(id: $id, input: { learningOutcomes: $outcomes }) { id } }',
        variables: { id: unit.id, outcomes },
      };
      const caller: Caller = { institution: 'rvt.lv', roles: ['coordinator'], learnerId: null, subject: 'direct' };
      const headers = await hub.signHop({ institution: 'rvt.lv', caller, operation });
      const response = await fetch(hub.shards.get('rvt.lv')?.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(operation),
      });
      return {
        unit,
        body: (await response.json()) as {
          errors?: unknown;
          extensions?: { changes?: string[]; changeSeqs?: number[] };
        },
      };
    }),
  );
  const page = (await get({ after: String(now.last) })).body;
  const seqs = answers.flatMap(({ unit, body }) => {
    expect(body.errors).toBeUndefined();
    const own = page.changes.filter((change) => body.extensions?.changeSeqs?.includes(change.seq));
    // The answer names its changes' tags and no other write's.
    expect(new Set(body.extensions?.changes)).toEqual(new Set(own.flatMap((change) => change.tags)));
    expect(body.extensions?.changes).toContain(`Unit:${unit.id.split(':')[1]}`);
    return body.extensions?.changeSeqs ?? [];
  });
  expect(seqs.sort((a, b) => a - b)).toEqual(page.changes.map((change) => change.seq));
});
