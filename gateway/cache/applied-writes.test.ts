import type { Shard } from '../registry/registry';
import { APPLIED_MEMORY, createAppliedWrites } from './applied-writes';

const shard = (institution: string): Shard => ({ kind: 'qualifications', institution, url: `http://${institution}` });

test("a write's changes past the feed's cursor are taken once when the feed brings them; those it delivered already are not kept", () => {
  const applied = createAppliedWrites();
  applied.remember(shard('rvt.lv'), [4, 5, 6, 'seven'], 4);
  expect(applied.take(shard('rvt.lv'), 4)).toBe(false);
  expect(applied.take(shard('rvt.lv'), 5)).toBe(true);
  expect(applied.take(shard('rvt.lv'), 5)).toBe(false);
  expect(applied.take(shard('omnia.fi'), 6)).toBe(false);
  expect(applied.take(shard('rvt.lv'), 6)).toBe(true);
});

test('before the first feed answer nothing is remembered; forget drops a shard; the oldest go first past the memory', () => {
  const applied = createAppliedWrites();
  applied.remember(shard('rvt.lv'), [1, 2], null);
  expect(applied.take(shard('rvt.lv'), 1)).toBe(false);
  applied.remember(shard('rvt.lv'), [3], 0);
  applied.forget(shard('rvt.lv'));
  expect(applied.take(shard('rvt.lv'), 3)).toBe(false);
  applied.remember(
    shard('rvt.lv'),
    Array.from({ length: APPLIED_MEMORY + 5 }, (_, i) => i + 1),
    0,
  );
  expect(applied.take(shard('rvt.lv'), 5)).toBe(false);
  expect(applied.take(shard('rvt.lv'), 6)).toBe(true);
  expect(applied.take(shard('rvt.lv'), APPLIED_MEMORY + 5)).toBe(true);
});
