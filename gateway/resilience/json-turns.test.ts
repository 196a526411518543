import { JsonValueCount } from './json-values';
import { parseInTurns, TURN_VALUES } from './json-turns';
import { randomValue, seeded } from './random-json.fixture';
import { withTurns } from './turns.fixture';

const countOf = (text: string) => new JsonValueCount().add(Buffer.from(text));

/** The text parsed in turns of `turnValues`, the count taken as json-values.ts takes it. */
const inTurns = (text: string, turnValues: number) => parseInTurns(text, countOf(text), turnValues);

/** What JSON.parse gives, or its error. */
function parsed(text: string): { value: unknown } | { error: unknown } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error };
  }
}

/** The same value as JSON.parse gives, keys in the same order. */
async function expectAsJsonParse(text: string, turnValues: number): Promise<void> {
  const value = await inTurns(text, turnValues);
  expect(value).toStrictEqual(JSON.parse(text));
  expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(text)));
}

test('random JSON, compact and indented, in turns of 1 to 8 values: what JSON.parse gives', async () => {
  const random = seeded(7);
  for (let i = 0; i < 400; i += 1) {
    const value = randomValue(random, 0, { depth: 5, width: 7 });
    const turnValues = 1 + (i % 8);
    await expectAsJsonParse(JSON.stringify(value), turnValues);
    await expectAsJsonParse(JSON.stringify(value, null, i % 3), turnValues);
  }
});

test('keys as JSON.parse sets them: __proto__ an own key, index keys first, the last of a duplicate kept in its first place', async () => {
  const filler = Array.from({ length: 30 }, (_, i) => `"f${i}":[1,2]`).join(',');
  const text = `{"b":1,"__proto__":{"polluted":true},"10":"ten",${filler},"2":"two","b":2,"constructor":{"prototype":1}}`;
  const value = (await inTurns(text, 4)) as Record<string, unknown>;
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(value)).toEqual(Object.keys(JSON.parse(text) as object));
  expect(value.b).toBe(2);
  expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(text)));
});

test('a text that is not JSON throws a SyntaxError wherever JSON.parse throws, and parses as it does otherwise', async () => {
  const broken = [
    '[1 2]',
    '[1,]',
    '[,1]',
    '{"a" 1}',
    '{"a":}',
    '{"a":1,}',
    '{a:1}',
    '[1,2',
    '[1,2]]',
    '[1,2}',
    '{"a":[1,2}',
    '[1,2] x',
    '["a]',
    '[tru]',
    '[1,"\\"]',
    '',
  ];
  for (const text of broken) {
    const padded = text.startsWith('{')
      ? `{"pad":[${'0,'.repeat(20)}0],${text.slice(1)}`
      : text.startsWith('[')
        ? `[${'0,'.repeat(20)}${text.slice(1)}`
        : text;
    for (const candidate of [text, padded]) {
      expect(() => JSON.parse(candidate)).toThrow(SyntaxError);
      await expect(inTurns(candidate, 2)).rejects.toThrow(SyntaxError);
    }
  }
  // Random texts with a character taken out or put in: either both parsers refuse it, or both give the same value.
  const random = seeded(11);
  for (let i = 0; i < 600; i += 1) {
    const text = JSON.stringify(randomValue(random, 0, { depth: 4, width: 6 }));
    const at = Math.floor(random() * text.length);
    const inserted = '{}[],:"\\ 1x'[Math.floor(random() * 12)] as string;
    const changed =
      i % 2 === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + inserted + text.slice(at);
    const expected = parsed(changed);
    if ('error' in expected) await expect(inTurns(changed, 1 + (i % 4))).rejects.toThrow(SyntaxError);
    else expect(await inTurns(changed, 1 + (i % 4))).toStrictEqual(expected.value);
  }
});

test('an answer of many values gives the event loop a turn after every TURN_VALUES or so, as JSON.parse never does', async () => {
  // The costliest shape measured: small objects, each under a key of its own.
  const text = JSON.stringify({ data: { padding: Array.from({ length: 50_000 }, (_, i) => ({ [`k${i}`]: 0 })) } });
  expect(countOf(text)).toBeGreaterThan(10 * TURN_VALUES - 100);
  const { value, turns } = await withTurns(() => parseInTurns(text, countOf(text)));
  expect(value).toStrictEqual(JSON.parse(text));
  expect(turns).toBeGreaterThanOrEqual(9);
});

test('deeply nested arrays and objects: built without recursion, as JSON.parse builds them', async () => {
  const depth = 50_000;
  const text = `${'[{"a":'.repeat(depth)}0${'}]'.repeat(depth)}`;
  const value = await inTurns(text, 1_000);
  let level = 0;
  let node: unknown = value;
  while (Array.isArray(node)) {
    node = (node[0] as { a: unknown }).a;
    level += 1;
  }
  expect(level).toBe(depth);
  expect(node).toBe(0);
});

test('a text of no more than twice a turn of values is handed to JSON.parse whole', async () => {
  expect(await parseInTurns('[1,2,3]', 3, 2)).toEqual([1, 2, 3]);
  await expect(parseInTurns('[1,2', 2, 2)).rejects.toThrow(SyntaxError);
});
