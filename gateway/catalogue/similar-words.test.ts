import { minCommonTrigrams, mostSimilar, similarity, SIMILARITY_THRESHOLD, trigramsOf } from './similar-words';

/** Figures read off PostgreSQL 15's pg_trgm (`show_trgm`, `similarity`): both engines must suggest alike. */
test("a word's trigrams are pg_trgm's: padded with two spaces before and one after", () => {
  expect([...trigramsOf('weld')].sort()).toEqual(['  w', ' we', 'eld', 'ld ', 'wel']);
  expect(trigramsOf('aaaa').size).toBe(4); // '  a', ' aa', 'aaa', 'aa ': each once
});

test.each([
  ['welding', 'weldng', 0.5],
  ['welding', 'welder', 0.36363637],
  ['safety', 'safty', 0.44444445],
  ['hello', 'hallo', 0.33333334],
  ['aaz', 'az', 0.4],
  ['sicherheit', 'sicherhiet', 0.46666667],
  ['x1', 'x12', 0.4],
])('similarity(%s, %s) is pg_trgm’s %d', (a, b, figure) => {
  expect(similarity(a, b)).toBeCloseTo(figure, 6);
  expect(similarity(b, a)).toBeCloseTo(figure, 6);
});

test('no word at the threshold shares fewer trigrams than the bound the engines read by', () => {
  const letters = 'abcde';
  const words: string[] = [];
  const grow = (prefix: string) => {
    if (prefix.length > 0) words.push(prefix);
    if (prefix.length < 5) for (const letter of letters) grow(prefix + letter);
  };
  grow('');
  for (const word of ['abcab', 'dead', 'cab', 'eeee', 'abcde']) {
    const own = trigramsOf(word);
    for (const other of words) {
      if (similarity(word, other) < SIMILARITY_THRESHOLD) continue;
      const common = [...trigramsOf(other)].filter((trigram) => own.has(trigram)).length;
      expect(common).toBeGreaterThanOrEqual(minCommonTrigrams(word));
    }
  }
});

test('the most similar come first, ties by length nearest the word, then in word order; the word itself and those below the threshold never', () => {
  const candidates = ['welder', 'weld', 'welding', 'weldx', 'weldng', 'wells', 'pipe', 'weldings', 'welda'].map(
    (word) => ({
      word,
      similarity: similarity('weldng', word),
    }),
  );
  expect(mostSimilar('weldng', candidates)).toEqual([
    'welding', // 0.5, as weld, but one letter longer where weld is two shorter
    'weld',
    'welda', // 0.44, as weldx
    'weldx',
    'welder', // 0.4
    'weldings', // 0.33
    'wells', // 0.3: the threshold is in
  ]);
  expect(mostSimilar('weldng', candidates).every((word) => similarity('weldng', word) >= 0.3)).toBe(true);
});
