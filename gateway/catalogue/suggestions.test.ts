import { Client } from 'pg';
import { qualificationOfText, seededNumbers, unitOfText } from '../../bench/lib/synthetic-catalogue';
import { CATALOG_BASE_URL, testEngine } from '../../test/harness/catalogue';
import type { CatalogueEngine, InstitutionPart, ListName, QualificationDoc, UnitDoc } from './engine';
import { HOLDER_ROWS } from './postgres-engine';
import { MAX_SIMILAR, MIN_WORD_LENGTH, similarity, SIMILARITY_THRESHOLD } from './similar-words';

/**
 * The configured engine (PostgreSQL with TEST_CATALOG_URL, else the embedded one) suggests, for each query word no
 * item holds, the words held by the list's items most like it by pg_trgm's similarity: written out here over every
 * word of the items, so that both engines are held to the same rule.
 */
const UNIT_WORDS = [
  ...['welding', 'welder', 'weldings', 'welds', 'wedding', 'safety', 'safely', 'safe', 'pipe', 'pipes', 'piping'],
  ...['metal', 'metallic', 'joint', 'joints', 'jointing', 'schweissen', 'sicherheit', 'metinasana', 'drosiba'],
  ...['soldadura', 'seguridad', 'hitsaus', 'turvallisuus', 'gas', 'arc', 'tig', 'mig', 'inspection', 'inspector'],
];
/** Only in qualifications' texts: never suggested for units. */
const QUALIFICATION_WORDS = ['apprenticeship', 'apprentice', 'curriculum', 'welding', 'metal'];
/** Held by a unit that is then removed: no item holds it any more, and it is never suggested. */
const GONE = 'weldingmaster';

function partOf(code: string, seed: number): InstitutionPart {
  const next = seededNumbers(seed);
  const textOf = (words: readonly string[], n: number) =>
    Array.from({ length: n }, () => words[next(words.length)] as string).join(' ');
  const qualifications = Array.from({ length: 6 }, (_, i): QualificationDoc => {
    return qualificationOfText(`Q${i}`, textOf(QUALIFICATION_WORDS, 4));
  });
  const units = Array.from({ length: 60 }, (_, i): UnitDoc => {
    return unitOfText(`U${i}`, textOf(UNIT_WORDS, 5), 'Q0');
  });
  return { institution: { code, country: 'LV' }, qualifications, units };
}

const PARTS = [partOf('rvt.lv', 1), partOf('omnia.fi', 2)];

/** The words the list's items of one institution hold whole. */
const heldIn = (part: InstitutionPart, list: ListName): Set<string> =>
  new Set(
    (list === 'units' ? part.units : part.qualifications).flatMap((doc: UnitDoc | QualificationDoc) =>
      doc.searchText.split(' '),
    ),
  );

/** The words the list's items of both institutions hold whole: only those are suggested. */
const heldBy = (list: ListName): Set<string> => {
  const [first, second] = PARTS.map((part) => heldIn(part, list)) as [Set<string>, Set<string>];
  return new Set([...first].filter((word) => second.has(word)));
};

/**
 * The rule: the held words of three letters or more at the threshold, most similar first, ties by the length nearest
 * the word's, then in word order.
 */
function expected(list: ListName, word: string): string[] {
  const held = [...heldBy(list)];
  if (PARTS.some((part) => [...heldIn(part, list)].some((other) => other.includes(word))))
    throw new Error(`${word} is held`);
  if (word.length < MIN_WORD_LENGTH) return [];
  const off = (other: string) => Math.abs(other.length - word.length);
  return held
    .filter((other) => other.length >= MIN_WORD_LENGTH && similarity(word, other) >= SIMILARITY_THRESHOLD)
    .sort((a, b) => similarity(word, b) - similarity(word, a) || off(a) - off(b) || (a < b ? -1 : 1))
    .slice(0, MAX_SIMILAR);
}

let catalogue: Awaited<ReturnType<typeof testEngine>>;
let engine: CatalogueEngine;

beforeAll(async () => {
  catalogue = await testEngine(PARTS);
  engine = catalogue.engine;
  const unit = (PARTS[0] as InstitutionPart).units[0] as UnitDoc;
  const gone = { ...unit, localId: 'GONE', searchText: `${GONE} safety`, titleText: GONE, sortKey: GONE };
  await engine.apply('rvt.lv', { units: [{ localId: 'GONE', doc: gone }] });
  await engine.apply('rvt.lv', { units: [{ localId: 'GONE', doc: null }] });
}, 30_000);
afterAll(() => catalogue?.dispose());

test('the sample has near words to choose from, and the rule finds several for a typo', () => {
  expect(expected('units', 'weldng')).toEqual(['welding', 'welds', 'welder']);
  expect(expected('units', 'weldng').length).toBe(MAX_SIMILAR);
});

test.each<[ListName, string]>([
  ['units', 'weldng'],
  ['units', 'safty'],
  ['units', 'sicherhiet'],
  ['units', 'inspektion'],
  ['units', 'metalic'],
  ['units', 'turvalisuus'],
  ['units', 'apprentiseship'],
  ['units', 'weldingmastr'],
  ['units', 'xyzzy'],
  ['units', 'qx'],
  ['qualifications', 'apprentiseship'],
  ['qualifications', 'curiculum'],
  ['qualifications', 'weldng'],
  ['qualifications', 'safty'],
])('%s: the words most like %s that the list holds', async (list, word) => {
  expect(await engine.suggest(list, [word])).toEqual([{ word, similar: expected(list, word) }]);
});

test('a word the list holds, whole or as a part, is not corrected; each other word is, once', async () => {
  expect(await engine.suggest('units', ['weld', 'safety', 'afe'])).toEqual([]);
  const suggested = await engine.suggest('units', ['welding', 'safty', 'safty', 'pipez']);
  expect(suggested).toEqual([
    { word: 'safty', similar: expected('units', 'safty') },
    { word: 'pipez', similar: expected('units', 'pipez') },
  ]);
  expect(suggested[0]?.similar[0]).toBe('safety');
});

test('a word only the removed item held is corrected, and never suggested', async () => {
  // `weldingmast` is a part of `weldingmaster`, which only the removed item held.
  const [suggestion] = await engine.suggest('units', ['weldingmast']);
  expect(suggestion?.word).toBe('weldingmast');
  expect(suggestion?.similar).not.toContain(GONE);
  expect(suggestion?.similar).toEqual(expected('units', 'weldingmast'));
  expect(suggestion?.similar[0]).toBe('welding');
});

test('words of the other list are not suggested', async () => {
  expect((await engine.suggest('units', ['apprentiseship']))[0]?.similar).toEqual([]);
  expect((await engine.suggest('qualifications', ['apprentiseship']))[0]?.similar[0]).toBe('apprenticeship');
});

test("a word one member alone holds is not suggested to everyone; once another's items hold it, it is", async () => {
  // More like the typo than any word of the sample: a member planting it would have it suggested first.
  const PLANTED = 'weldnq';
  expect(similarity('weldng', PLANTED)).toBeGreaterThan(similarity('weldng', 'welding'));
  const unit = (PARTS[0] as InstitutionPart).units[0] as UnitDoc;
  const planted = {
    ...unit,
    localId: 'PLANTED',
    searchText: `${PLANTED} safety`,
    titleText: PLANTED,
    sortKey: PLANTED,
  };
  try {
    await engine.apply('omnia.fi', { units: [{ localId: 'PLANTED', doc: planted }] });
    expect(await engine.suggest('units', ['weldng'])).toEqual([
      { word: 'weldng', similar: expected('units', 'weldng') },
    ]);
    await engine.apply('rvt.lv', { units: [{ localId: 'PLANTED', doc: planted }] });
    expect((await engine.suggest('units', ['weldng']))[0]?.similar[0]).toBe(PLANTED);
  } finally {
    await engine.apply('omnia.fi', { units: [{ localId: 'PLANTED', doc: null }] });
    await engine.apply('rvt.lv', { units: [{ localId: 'PLANTED', doc: null }] });
  }
  // A catalogue of one institution suggests its own words.
  const alone = await testEngine([partOf('rvt.lv', 1)]);
  try {
    await alone.engine.apply('rvt.lv', { units: [{ localId: 'PLANTED', doc: planted }] });
    expect((await alone.engine.suggest('units', ['weldng']))[0]?.similar[0]).toBe(PLANTED);
  } finally {
    await alone.dispose();
  }
});

test("a word more of one member's items hold than PostgreSQL's lookup reads at once is suggested only once another member's items hold it", async () => {
  const PLANTED = 'weldnq';
  const big = partOf('rvt.lv', 1);
  // Written first, so that the table's first rows holding the word are all this member's.
  for (let i = 0; i <= HOLDER_ROWS; i++) big.units.push(unitOfText(`P${i}`, `${PLANTED} safety`, 'Q0'));
  const other = partOf('omnia.fi', 2);
  const federation = await testEngine([big, other]);
  try {
    expect((await federation.engine.suggest('units', ['weldng']))[0]?.similar).not.toContain(PLANTED);
    const planted = unitOfText('PLANTED', `${PLANTED} pipe`, 'Q0');
    await federation.engine.apply('omnia.fi', { units: [{ localId: 'PLANTED', doc: planted }] });
    expect((await federation.engine.suggest('units', ['weldng']))[0]?.similar[0]).toBe(PLANTED);
  } finally {
    await federation.dispose();
  }
});

// PostgreSQL's own figures, where it runs (CI's first run sets TEST_CATALOG_URL; similar-words.test.ts holds some).
if (CATALOG_BASE_URL)
  test("the rule's similarity is pg_trgm's, word by word", async () => {
    const client = new Client({ connectionString: catalogue.url ?? '' });
    await client.connect();
    try {
      const words = [...heldBy('units'), ...heldBy('qualifications')];
      const typos = ['weldng', 'safty', 'sicherhiet', 'metalic', 'apprentiseship', 'xyzzy'];
      const { rows } = await client.query<{ a: string; b: string; s: number }>(
        'SELECT a, b, similarity(a, b) AS s FROM unnest($1::text[]) a CROSS JOIN unnest($2::text[]) b',
        [typos, words],
      );
      for (const row of rows)
        expect([row.a, row.b, similarity(row.a, row.b)]).toEqual([row.a, row.b, expect.closeTo(row.s, 6)]);
      expect(rows.filter((row) => row.s >= SIMILARITY_THRESHOLD).length).toBeGreaterThan(10);
    } finally {
      await client.end();
    }
  });
