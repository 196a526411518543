import type { Shard } from '../registry/registry';
import { Feed, type FeedSource, type Subscriber } from './feed';
import type { Resolution } from './hold';
import type { UpstreamEvent } from './upstream';

const RVT: Shard = { institution: 'rvt.lv', kind: 'mobilities', url: 'http://rvt.invalid' };
const OMNIA: Shard = { institution: 'omnia.fi', kind: 'mobilities', url: 'http://omnia.invalid' };
const event = (seq: number): UpstreamEvent => ({
  cursor: `e1.${seq}`,
  type: 'ASSESSMENT_RECORDED',
  occurredAt: '2026-05-01T10:00:00Z',
  ids: { assessment: `a${seq}` },
});
const complete = (seq: number): Resolution => ({
  answer: { data: { assessment: { id: `a${seq}`, unit: { title: 'MAG welding' } } } },
});
const outage: Resolution = { outage: { institution: 'rvt.lv', kind: 'qualifications' } };

/** Upstreams the test pushes events into, and payloads it settles by hand (pending until `settle`). */
function fakeSource(shards: Shard[]) {
  const upstreams: Array<{ shard: Shard; after: string | null; push: (seq: number) => void; stopped: boolean }> = [];
  const pending = new Map<string, (resolution: Resolution) => void>();
  const source: FeedSource = {
    shards,
    open: (shard, after, onEvent) => {
      const upstream = { shard, after, push: (seq: number) => onEvent(event(seq)), stopped: false };
      upstreams.push(upstream);
      return () => {
        upstream.stopped = true;
      };
    },
    resolve: (e) => new Promise((resolve) => pending.set(`${e.ids.assessment}`, resolve)),
  };
  const settle = async (seq: number, resolution: Resolution = complete(seq)) => {
    await until(() => pending.has(`a${seq}`));
    pending.get(`a${seq}`)?.(resolution);
    pending.delete(`a${seq}`);
    await flush();
  };
  return { source, upstreams, pending, settle };
}

/** What one subscriber received: the cursors per institution, and how it ended. */
function recorder() {
  const received: string[] = [];
  const ended: Array<{ institution: string; positions: Record<string, string> }> = [];
  const subscriber: Subscriber = {
    deliver: (shard, e, answer) => received.push(`${shard.institution} ${e.cursor}${answer?.data ? '' : ' empty'}`),
    end: (_shard, why, positions) => ended.push({ institution: why.institution, positions: { ...positions } }),
  };
  return { subscriber, received, ended };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn += 1) await flush();
  if (!condition()) throw new Error('condition never held');
}

test("a held event keeps its shard's later events behind it, and no other shard's", async () => {
  const { source, upstreams, settle, pending } = fakeSource([RVT, OMNIA]);
  const dashboard = recorder();
  const feed = new Feed(source, {}, () => undefined);
  feed.founder(dashboard.subscriber);
  const [rvt, omnia] = upstreams;
  rvt?.push(1);
  rvt?.push(2);
  omnia?.push(11);
  await settle(11);
  expect(pending.has('a2')).toBe(false);
  expect(dashboard.received).toEqual(['omnia.fi e1.11']);
  await settle(1);
  await settle(2);
  expect(dashboard.received).toEqual(['omnia.fi e1.11', 'rvt.lv e1.1', 'rvt.lv e1.2']);
});

test('past the hold, a member that lacks the event ends at the position before it; one already past it goes on', async () => {
  const { source, upstreams, settle } = fakeSource([RVT]);
  const behind = recorder();
  const ahead = recorder();
  const feed = new Feed(source, { 'rvt.lv': 'e1.3' }, () => undefined);
  feed.founder(behind.subscriber);
  expect(feed.join({ 'rvt.lv': 'e1.5' }, ahead.subscriber)).not.toBeNull();
  upstreams[0]?.push(4);
  upstreams[0]?.push(6);
  await settle(4, outage);
  expect(behind.ended).toEqual([{ institution: 'rvt.lv', positions: { 'rvt.lv': 'e1.3' } }]);
  expect(ahead.ended).toEqual([]);
  await settle(6);
  expect(behind.received).toEqual([]);
  expect(ahead.received).toEqual(['rvt.lv e1.6']);
  expect(feed.size).toBe(1);
});

test('a member catching up meets the failed event after its own catch-up, and ends there, with what came before delivered', async () => {
  const { source, upstreams, settle } = fakeSource([RVT]);
  const founder = recorder();
  const late = recorder();
  const feed = new Feed(source, { 'rvt.lv': 'e1.2' }, () => undefined);
  feed.founder(founder.subscriber);
  feed.join({}, late.subscriber);
  const [shared, catchUp] = upstreams;
  expect(catchUp?.after).toBeNull();
  shared?.push(3);
  await settle(3, outage);
  expect(founder.ended).toHaveLength(1);
  catchUp?.push(1);
  await settle(1);
  catchUp?.push(2);
  await settle(2);
  expect(late.received).toEqual(['rvt.lv e1.1', 'rvt.lv e1.2']);
  expect(late.ended).toEqual([{ institution: 'rvt.lv', positions: { 'rvt.lv': 'e1.2' } }]);
  expect(catchUp?.stopped).toBe(true);
  expect(shared?.stopped).toBe(true);
});

test('an event held in a catch-up ends only that member; the feed and its other members go on', async () => {
  const { source, upstreams, settle } = fakeSource([RVT]);
  const founder = recorder();
  const late = recorder();
  const feed = new Feed(source, { 'rvt.lv': 'e1.2' }, () => undefined);
  feed.founder(founder.subscriber);
  feed.join({}, late.subscriber);
  const [shared, catchUp] = upstreams;
  catchUp?.push(1);
  await settle(1, outage);
  expect(late.ended).toEqual([{ institution: 'rvt.lv', positions: {} }]);
  expect(catchUp?.stopped).toBe(true);
  shared?.push(3);
  await settle(3);
  expect(founder.received).toEqual(['rvt.lv e1.3']);
  expect(late.received).toEqual([]);
});

test('a member that joins while the feed holds an event receives it complete once it resolves', async () => {
  const { source, upstreams, settle, pending } = fakeSource([RVT]);
  const founder = recorder();
  const joiner = recorder();
  const feed = new Feed(source, { 'rvt.lv': 'e1.2' }, () => undefined);
  feed.founder(founder.subscriber);
  upstreams[0]?.push(3);
  await until(() => pending.has('a3'));
  feed.join({ 'rvt.lv': 'e1.2' }, joiner.subscriber);
  expect(upstreams).toHaveLength(1);
  await settle(3);
  expect(founder.received).toEqual(['rvt.lv e1.3']);
  expect(joiner.received).toEqual(['rvt.lv e1.3']);
});
