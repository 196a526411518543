import { Client } from 'pg';
import pino from 'pino';
import { qualificationOfText, unitOfText } from '../../bench/lib/synthetic-catalogue';
import { CATALOG_BASE_URL, catalogueRows, testEngine } from '../../test/harness/catalogue';
import { waitFor } from '../../test/harness/wait';
import type { CatalogueEngine, InstitutionPart, QualificationDoc, SearchFilter, UnitDoc } from './engine';
import { createPostgresEngine } from './postgres-engine';

/**
 * A search by ESCO occupation (the units' qualification's) or by ESCO skill (the unit's outcomes'), on the configured
 * engine (PostgreSQL with TEST_CATALOG_URL, else the embedded one). With words, or with other filters, both engines
 * read it in TITLE order from their word index, where the occupation and the skills are facet words beside the
 * unit's words that follow the qualification and the unit; by occupation alone, from the units' index by occupation.
 * Each answer is checked in TITLE and RELEVANCE order, which the engines read by other paths.
 */
const WELDER = 'http://data.europa.eu/esco/occupation/welder';
// The engines take any string (the shards' reader lets ESCO URIs alone through): quotes, commas and braces would
// break an array literal, bytes beyond ASCII a hex.
const ODD = 'http://data.europa.eu/esco/occupation/"a,b}{ä€';
const WELD = 'http://data.europa.eu/esco/skill/weld';
const BRAZE = 'http://data.europa.eu/esco/skill/braze';
const ODD_SKILL = 'http://data.europa.eu/esco/skill/"x,y}{ä€';

const withSkills = (unit: UnitDoc, skills: string[]): UnitDoc => ({ ...unit, skills });

const qualification = (localId: string, escoOccupation: string | null): QualificationDoc => ({
  ...qualificationOfText(localId, `qualification ${localId.toLowerCase()}`),
  escoOccupation,
});

const PART: InstitutionPart = {
  institution: { code: 'rvt.lv', country: 'LV' },
  qualifications: [qualification('Q1', WELDER), qualification('Q2', ODD), qualification('Q3', null)],
  units: [
    withSkills(unitOfText('U1', 'welding safety', 'Q1'), [WELD, ODD_SKILL]),
    withSkills(unitOfText('U2', 'welding basics', 'Q1'), [WELD]),
    unitOfText('U3', 'welding safety odd', 'Q2'),
    unitOfText('U4', 'welding safety none', 'Q3'),
    withSkills(unitOfText('U5', 'brazing', 'Q1'), [BRAZE]),
  ],
};

/** The units (by local ID) and total a search for `words` (or none) with `filter` finds, in both orders. */
async function found(engine: CatalogueEngine, words: string[] | null, filter: Omit<SearchFilter, 'words'>) {
  const answers = [];
  for (const order of ['TITLE', 'RELEVANCE'] as const) {
    const page = await engine.search({
      list: 'units',
      filter: { words, ...filter },
      first: 10,
      after: {},
      offset: 0,
      order,
      count: true,
    });
    answers.push({ ids: page.items.map((item) => item.localId).sort(), total: page.totalCount });
  }
  expect(answers[1]).toEqual(answers[0]);
  return answers[0];
}

let catalogue: Awaited<ReturnType<typeof testEngine>>;
beforeEach(async () => {
  catalogue = await testEngine([PART]);
});
afterEach(() => catalogue?.dispose());

test('a text search with an occupation finds the units whose qualification has it, alone or with other filters', async () => {
  const { engine } = catalogue;
  expect(await found(engine, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2'], total: 2 });
  expect(await found(engine, ['safety'], { escoOccupation: WELDER, eqfLevel: 4, country: 'LV' })).toEqual({
    ids: ['U1'],
    total: 1,
  });
  expect(await found(engine, ['welding'], { escoOccupation: ODD })).toEqual({ ids: ['U3'], total: 1 });
  expect(await found(engine, ['welding'], { escoOccupation: `${WELDER}/other` })).toEqual({ ids: [], total: 0 });
  expect(await found(engine, ['welding'], { escoOccupation: WELDER, eqfLevel: 5 })).toEqual({ ids: [], total: 0 });
});

test('a search by occupation without words finds the same units, alone or with other filters', async () => {
  const { engine } = catalogue;
  expect(await found(engine, null, { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2', 'U5'], total: 3 });
  expect(await found(engine, null, { escoOccupation: WELDER, eqfLevel: 4, country: 'LV' })).toEqual({
    ids: ['U1', 'U2', 'U5'],
    total: 3,
  });
  expect(await found(engine, null, { escoOccupation: ODD, status: 'ACTIVE' })).toEqual({ ids: ['U3'], total: 1 });
  expect(await found(engine, null, { escoOccupation: WELDER, eqfLevel: 5 })).toEqual({ ids: [], total: 0 });
  expect(await found(engine, null, { escoOccupation: WELDER, country: 'DE' })).toEqual({ ids: [], total: 0 });
  // A filter the word index does not hold: the units' rows answer.
  expect(
    await found(engine, null, { escoOccupation: WELDER, qualification: { institution: 'rvt.lv', localId: 'Q1' } }),
  ).toEqual({ ids: ['U1', 'U2', 'U5'], total: 3 });
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: qualification('Q1', null) }] });
  expect(await found(engine, null, { escoOccupation: WELDER })).toEqual({ ids: [], total: 0 });
});

test("the units follow their qualification's occupation as it is set, changed and taken away, and a unit that moves", async () => {
  const { engine } = catalogue;
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q3', doc: qualification('Q3', WELDER) }] });
  expect(await found(engine, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2', 'U4'], total: 3 });
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: qualification('Q1', ODD) }] });
  expect(await found(engine, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U4'], total: 1 });
  expect(await found(engine, ['welding'], { escoOccupation: ODD })).toEqual({ ids: ['U1', 'U2', 'U3'], total: 3 });
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: qualification('Q1', null) }] });
  expect(await found(engine, ['welding'], { escoOccupation: ODD })).toEqual({ ids: ['U3'], total: 1 });
  // U3 moves to Q3 (the welder's now); a new unit comes under Q2.
  await engine.apply('rvt.lv', {
    units: [
      { localId: 'U3', doc: unitOfText('U3', 'welding safety odd', 'Q3') },
      { localId: 'U6', doc: unitOfText('U6', 'welding new', 'Q2') },
    ],
  });
  expect(await found(engine, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U3', 'U4'], total: 2 });
  expect(await found(engine, ['welding'], { escoOccupation: ODD })).toEqual({ ids: ['U6'], total: 1 });
});

test("a search by ESCO skills finds the units linking any of them, with words and other filters, and follows the units' writes", async () => {
  const { engine } = catalogue;
  expect(await found(engine, null, { escoSkills: [WELD] })).toEqual({ ids: ['U1', 'U2'], total: 2 });
  expect(await found(engine, null, { escoSkills: [WELD, BRAZE] })).toEqual({ ids: ['U1', 'U2', 'U5'], total: 3 });
  expect(await found(engine, ['safety'], { escoSkills: [WELD] })).toEqual({ ids: ['U1'], total: 1 });
  expect(await found(engine, null, { escoSkills: [ODD_SKILL], eqfLevel: 4, country: 'LV' })).toEqual({
    ids: ['U1'],
    total: 1,
  });
  expect(await found(engine, null, { escoSkills: [WELD], escoOccupation: WELDER, status: 'ACTIVE' })).toEqual({
    ids: ['U1', 'U2'],
    total: 2,
  });
  expect(await found(engine, null, { escoSkills: [WELD], eqfLevel: 5 })).toEqual({ ids: [], total: 0 });
  expect(await found(engine, null, { escoSkills: [`${WELD}/other`] })).toEqual({ ids: [], total: 0 });
  // A filter the word index does not hold: the units' rows answer.
  expect(
    await found(engine, null, { escoSkills: [WELD], qualification: { institution: 'rvt.lv', localId: 'Q1' } }),
  ).toEqual({ ids: ['U1', 'U2'], total: 2 });
  // U2 links another skill now, U1 is gone, U4 links one.
  await engine.apply('rvt.lv', {
    units: [
      { localId: 'U2', doc: withSkills(unitOfText('U2', 'welding basics', 'Q1'), [BRAZE]) },
      { localId: 'U1', doc: null },
      { localId: 'U4', doc: withSkills(unitOfText('U4', 'welding safety none', 'Q3'), [ODD_SKILL, ODD_SKILL]) },
    ],
  });
  expect(await found(engine, null, { escoSkills: [WELD] })).toEqual({ ids: [], total: 0 });
  expect(await found(engine, null, { escoSkills: [BRAZE] })).toEqual({ ids: ['U2', 'U5'], total: 2 });
  expect(await found(engine, ['safety'], { escoSkills: [ODD_SKILL] })).toEqual({ ids: ['U4'], total: 1 });
  // The qualification's occupation changes: its units keep their skills.
  await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: qualification('Q1', ODD) }] });
  expect(await found(engine, null, { escoSkills: [BRAZE], escoOccupation: ODD })).toEqual({
    ids: ['U2', 'U5'],
    total: 2,
  });
  await engine.replaceInstitution(PART);
  expect(await found(engine, null, { escoSkills: [WELD] })).toEqual({ ids: ['U1', 'U2'], total: 2 });
});

// The layouts and the prune's candidates are PostgreSQL's tables.
if (CATALOG_BASE_URL) {
  const read = <Row extends Record<string, unknown>>(sql: string) => catalogueRows<Row>(catalogue.url as string, sql);

  /** The units' facet words of occupations (`o`), skills (`k`) or title words (`w`). */
  const facetWords = async (field: 'o' | 'k' | 'w') =>
    (
      await read<{ n: number }>(
        `SELECT count(*)::int AS n FROM unit_text, unnest(words) AS w WHERE w LIKE '\\_${field}%'`,
      )
    )[0]?.n;

  test('a write of units with occupations notes no facet word as a candidate for the vocabulary prune', async () => {
    const { engine } = catalogue;
    // Another replica's write holds the vocabulary: the prune after each write cannot run, and what the writes
    // noted stays in the catalogue, to be read here.
    const other = new Client({ connectionString: catalogue.url as string });
    await other.connect();
    await other.query('BEGIN; LOCK TABLE vocabulary IN ROW EXCLUSIVE MODE');
    try {
      await engine.apply('rvt.lv', { units: [{ localId: 'U1', doc: unitOfText('U1', 'welding safety', 'Q1') }] });
      await engine.apply('rvt.lv', { qualifications: [{ localId: 'Q1', doc: qualification('Q1', ODD) }] });
      await engine.replaceInstitution(PART);
      expect(await read('SELECT word FROM prune_candidate')).toEqual([]);
    } finally {
      await other.query('COMMIT');
      await other.end();
    }
    expect(await read("SELECT word FROM vocabulary WHERE word LIKE '\\_%'")).toEqual([]);
  });

  /**
   * The first page of two of "welding safety" in RELEVANCE order: three units' titles hold both words (the first
   * tier, read from the title words' facet words), and come in TITLE order.
   */
  const firstRanked = async (engine: CatalogueEngine) => {
    const page = await engine.search({
      list: 'units',
      filter: { words: ['welding', 'safety'] },
      first: 2,
      after: {},
      offset: 0,
      order: 'RELEVANCE',
      count: true,
    });
    return { ids: page.items.map((item) => item.localId), hasNextPage: page.hasNextPage, total: page.totalCount };
  };
  const RANKED = { ids: ['U1', 'U4'], hasNextPage: true, total: 3 };

  test('a catalogue of the layout before the facet words gets them in the background, giving way to writes; searches meanwhile read the rows', async () => {
    expect(await firstRanked(catalogue.engine)).toEqual(RANKED);
    await read(`UPDATE unit_text SET words = array(SELECT w FROM unnest(words) AS w WHERE w NOT LIKE '\\_%');
      UPDATE catalogue_layout SET version = 1`);
    expect([await facetWords('o'), await facetWords('k'), await facetWords('w')]).toEqual([0, 0, 0]);
    // The step fails (the table refuses updates of its words): the engine answers by the units' rows, and says so.
    await read(`CREATE FUNCTION refuse_words() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'words are held'; END $$;
      CREATE TRIGGER refuse_words BEFORE UPDATE OF words ON unit_text FOR EACH ROW EXECUTE FUNCTION refuse_words()`);
    const said: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => said.push(JSON.parse(line)) });
    const failing = createPostgresEngine(catalogue.url as string, { log });
    try {
      await failing.start();
      await waitFor('the step has failed', () => said.length > 0);
      expect(said).toEqual([
        expect.objectContaining({ level: 50, msg: 'catalogue layout step failed: facet words not added' }),
      ]);
      expect(await found(failing, null, { escoSkills: [WELD], eqfLevel: 4 })).toEqual({ ids: ['U1', 'U2'], total: 2 });
      expect(await found(failing, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2'], total: 2 });
      expect(await found(failing, null, { escoOccupation: WELDER, eqfLevel: 4, country: 'LV' })).toEqual({
        ids: ['U1', 'U2', 'U5'],
        total: 3,
      });
      expect(await firstRanked(failing)).toEqual(RANKED);
      expect(await read('SELECT version FROM catalogue_layout')).toEqual([{ version: 1 }]);
    } finally {
      await failing.close();
      await read('DROP TRIGGER refuse_words ON unit_text; DROP FUNCTION refuse_words()');
    }
    // Started again while a write holds the rows the step updates (here, a lock its trigger waits for): the step
    // gives way and tries again, the engine answering by the units' rows meanwhile, until the write ends.
    const holder = new Client({ connectionString: catalogue.url as string });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(4242)');
    await read(`CREATE SEQUENCE step_tries;
      CREATE FUNCTION hold_words() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM nextval('step_tries'); PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
      CREATE TRIGGER hold_words BEFORE UPDATE OF words ON unit_text FOR EACH ROW EXECUTE FUNCTION hold_words()`);
    const restarted = createPostgresEngine(catalogue.url as string, { log });
    await restarted.start();
    const tries = async () => (await read<{ n: number }>('SELECT last_value::int AS n FROM step_tries'))[0]?.n ?? 0;
    await waitFor('the step has given way and tried again', async () => (await tries()) >= 2);
    expect(await found(restarted, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2'], total: 2 });
    expect(await read('SELECT version FROM catalogue_layout')).toEqual([{ version: 1 }]);
    await holder.end();
    await waitFor('the step is done', () => said.length > 1);
    await read('DROP TRIGGER hold_words ON unit_text; DROP FUNCTION hold_words(); DROP SEQUENCE step_tries');
    expect(said[1]).toEqual(
      expect.objectContaining({
        level: 30,
        msg: 'catalogue layout step done: occupation, skill and title facet words added',
      }),
    );
    expect(await read('SELECT version FROM catalogue_layout')).toEqual([{ version: 4 }]);
    expect(await firstRanked(restarted)).toEqual(RANKED);
    expect(await found(restarted, null, { escoSkills: [ODD_SKILL], eqfLevel: 4 })).toEqual({ ids: ['U1'], total: 1 });
    expect(await found(restarted, ['welding'], { escoOccupation: WELDER })).toEqual({ ids: ['U1', 'U2'], total: 2 });
    expect(await found(restarted, ['welding'], { escoOccupation: ODD })).toEqual({ ids: ['U3'], total: 1 });
    await restarted.close();
    // Started again, it does not add them twice: an occupation each for U1, U2, U5 (the welder's) and U3; the skills
    // of U1 (two), U2 and U5; the title words of U1 to U5 (2, 2, 3, 3 and 1).
    const again = createPostgresEngine(catalogue.url as string);
    await again.start();
    await again.close();
    expect([await facetWords('o'), await facetWords('k'), await facetWords('w')]).toEqual([4, 4, 11]);
  });
}
