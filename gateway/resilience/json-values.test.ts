import { AnswerPastLimit, JsonValueCount, readWithinCaps } from './json-values';
import { randomValue, seeded } from './random-json.fixture';

/** The count the scanner should reach, from the parsed value: each container, and each item or member after the first. */
function expected(value: unknown): number {
  if (Array.isArray(value))
    return 1 + Math.max(0, value.length - 1) + value.reduce((sum: number, item) => sum + expected(item), 0);
  if (value !== null && typeof value === 'object') {
    const members = Object.values(value);
    return 1 + Math.max(0, members.length - 1) + members.reduce((sum: number, item) => sum + expected(item), 0);
  }
  return 0;
}

/** The objects and members the scanner should tally, from the parsed value. */
function shapeOf(value: unknown): { objects: number; members: number } {
  const inner = (Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [])
    .map(shapeOf)
    .reduce((sum, one) => ({ objects: sum.objects + one.objects, members: sum.members + one.members }), {
      objects: 0,
      members: 0,
    });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return inner;
  return { objects: inner.objects + 1, members: inner.members + Object.keys(value).length };
}

function scanned(text: string, splitAt: number[] = []): JsonValueCount {
  const bytes = Buffer.from(text);
  const counter = new JsonValueCount();
  let from = 0;
  for (const at of [...splitAt, bytes.length]) {
    counter.add(bytes.subarray(from, at));
    from = at;
  }
  return counter;
}

const counted = (text: string, splitAt: number[] = []): number => scanned(text, splitAt).count;

test('each object and array counts one, and each item or member after the first; brackets and commas in strings do not', () => {
  expect(counted('{}')).toBe(1);
  expect(counted('[1,2,3]')).toBe(3);
  expect(counted('{"a":1,"b":[{},{}]}')).toBe(6);
  expect(counted('"{[,]}"')).toBe(0);
  expect(counted('{"a\\"{,":"\\\\",  "b" : "[\\u005b"}')).toBe(2);
  expect(counted('{"data":{"units":{"nodes":[{"id":"x"},{"id":"y"}]}}}')).toBe(7);
  const { objects, members } = scanned('{"a":{"b:":[{"c":1},"d:{"]}}');
  expect({ objects, members }).toEqual({ objects: 3, members: 3 });
});

test('the count is the same however the text is split into chunks, inside strings and escapes too', () => {
  const random = seeded(20);
  for (let round = 0; round < 300; round += 1) {
    const text = JSON.stringify(randomValue(random, 0));
    const whole = counted(text);
    expect(whole).toBe(expected(JSON.parse(text)));
    const { objects, members } = scanned(text, [Math.floor(text.length / 2)]);
    expect({ objects, members }).toEqual(shapeOf(JSON.parse(text)));
    const length = Buffer.byteLength(text);
    for (let at = 0; at <= length; at += 1) expect(counted(text, [at])).toBe(whole);
    // Split into many small pieces (1 to 3 bytes), as a slow connection delivers them.
    const cuts: number[] = [];
    for (let at = 1 + Math.floor(random() * 3); at < length; at += 1 + Math.floor(random() * 3)) cuts.push(at);
    expect(counted(text, cuts)).toBe(whole);
  }
});

test('a long run of escapes in one string is read once, not once per escape', () => {
  const text = JSON.stringify({ text: '\\"'.repeat(200_000) + ',{[' });
  expect(counted(text)).toBe(1);
  expect(counted(text, [1_000, 1_001, 400_000])).toBe(1);
});

async function* chunksOf(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

test('readWithinCaps returns the whole answer within its caps, and reports every chunk read', async () => {
  const seen: number[] = [];
  const answer = await readWithinCaps(chunksOf('{"a":[1,', '2]}'), { maxBytes: 11, maxValues: 3 }, (bytes) =>
    seen.push(bytes),
  );
  expect(answer).toEqual({ text: '{"a":[1,2]}', bytes: 11, values: 3 });
  expect(seen).toEqual([8, 3]);
});

test('readWithinCaps gives up at the chunk that crosses a cap, and reads no further', async () => {
  let read = 0;
  async function* endless(): AsyncIterable<Uint8Array> {
    for (;;) {
      read += 1;
      yield Buffer.from('[{},{},{},{}]');
    }
  }
  await expect(readWithinCaps(endless(), { maxBytes: 1_000_000, maxValues: 20 })).rejects.toEqual(
    new AnswerPastLimit('values', 20),
  );
  expect(read).toBe(3);
  await expect(readWithinCaps(chunksOf('"', 'x'.repeat(100)), { maxBytes: 50, maxValues: 20 })).rejects.toThrow(
    'the answer holds more than 50 bytes',
  );
});

test('readWithinCaps with uncountedBytes: an answer within them gives its bytes for its values, a larger one its count', async () => {
  const random = seeded(7);
  for (let i = 0; i < 200; i += 1) {
    const text = JSON.stringify(randomValue(random, 0, { depth: 4, width: 6 }));
    const bytes = Buffer.byteLength(text);
    const at = Math.floor(random() * bytes);
    const split = () => chunksOf(text.slice(0, at), text.slice(at));
    const exact = await readWithinCaps(split(), { maxBytes: 1_000_000, maxValues: 1_000_000 });
    expect(exact.values).toBe(counted(text));
    for (const uncountedBytes of [0, at, bytes - 1, bytes, bytes + 1]) {
      const answer = await readWithinCaps(split(), { maxBytes: 1_000_000, maxValues: 1_000_000, uncountedBytes });
      expect(answer.text).toBe(text);
      expect(answer.values).toBe(bytes <= uncountedBytes ? bytes : exact.values);
      expect(answer.values).toBeGreaterThanOrEqual(exact.values);
    }
  }
});

test('readWithinCaps with uncountedBytes past the values cap still counts from the cap on', async () => {
  const text = JSON.stringify(Array.from({ length: 30 }, () => []));
  await expect(
    readWithinCaps(chunksOf(text), { maxBytes: 1_000, maxValues: 20, uncountedBytes: 1_000 }),
  ).rejects.toEqual(new AnswerPastLimit('values', 20));
  // Within the cap in bytes, so within it in values: not counted.
  const small = '[[],[],[]]';
  expect(await readWithinCaps(chunksOf(small), { maxBytes: 1_000, maxValues: 20, uncountedBytes: 1_000 })).toEqual({
    text: small,
    bytes: 10,
    values: 10,
  });
});

test('readWithinCaps decodes UTF-8 characters split between chunks, and replaces bytes that are not UTF-8 as Buffer does', async () => {
  const text = '{"name":"Rīgas Valsts tehnikums — Ülemiste 🎓"}';
  const bytes = Buffer.from(text);
  for (let at = 1; at < bytes.length; at += 1) {
    async function* split(): AsyncIterable<Uint8Array> {
      yield bytes.subarray(0, at);
      yield bytes.subarray(at);
    }
    expect((await readWithinCaps(split(), { maxBytes: 1_000, maxValues: 10 })).text).toBe(text);
  }
  const invalid = Buffer.from([0x22, 0xff, 0xc3, 0x22]);
  async function* once(): AsyncIterable<Uint8Array> {
    yield invalid;
  }
  expect((await readWithinCaps(once(), { maxBytes: 1_000, maxValues: 10 })).text).toBe(invalid.toString('utf8'));
});
