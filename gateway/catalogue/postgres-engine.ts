import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool, type ClientBase, type PoolClient, type QueryResultRow } from 'pg';
import type { Logger } from '../../platform/logger';
import type {
  CatalogueEngine,
  InstitutionPart,
  PartChanges,
  QualificationDoc,
  SearchFilter,
  SearchPage,
  SearchRequest,
  UnitDoc,
} from './engine';
import { createInstitutionLocks, DEFAULT_LOCK_WAIT_MS } from './postgres-locks';
import {
  isOccupationAndMore,
  searchStatements,
  titlePage,
  whereOf,
  wordMatchOf,
  wordsOf,
  type SearchDialect,
  type Statement,
  type TextMatch,
  type WordMatch,
} from './search-sql';
import { similarity, SIMILARITY_THRESHOLD, suggestionsOf } from './similar-words';
import { occupationFacetOf, skillFacetOf, titleWordFacetOf } from './unit-facets';

// "C" collation: rows order byte by byte, as the shards' keys and the hub's merge compare them.
const SCHEMA = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE TABLE IF NOT EXISTS institution (code TEXT COLLATE "C" PRIMARY KEY, country TEXT NOT NULL);
-- Where each part stands in its shard's change feed (see PartPosition); times in ms since the epoch.
CREATE TABLE IF NOT EXISTS part_position (
  inst TEXT COLLATE "C" PRIMARY KEY, feed_id TEXT NOT NULL, seq BIGINT NOT NULL, read_at BIGINT NOT NULL,
  current_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS qualification (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, sort_key TEXT COLLATE "C" NOT NULL,
  title_text TEXT NOT NULL, search_text TEXT NOT NULL, eqf INTEGER NOT NULL, points DOUBLE PRECISION NOT NULL,
  isced TEXT COLLATE "C" NOT NULL, occupation TEXT, status TEXT NOT NULL, PRIMARY KEY (inst, id));
CREATE INDEX IF NOT EXISTS qualification_order ON qualification (sort_key, id, inst);
CREATE TABLE IF NOT EXISTS unit (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, qualification TEXT COLLATE "C" NOT NULL,
  sort_key TEXT COLLATE "C" NOT NULL, title_text TEXT NOT NULL, search_text TEXT NOT NULL, eqf INTEGER NOT NULL,
  points DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, isced TEXT COLLATE "C" NOT NULL DEFAULT '', occupation TEXT,
  PRIMARY KEY (inst, id));
CREATE INDEX IF NOT EXISTS unit_order ON unit (sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_eqf_isced ON unit (eqf, isced text_pattern_ops);
CREATE INDEX IF NOT EXISTS unit_eqf_order ON unit (eqf, sort_key, id, inst);
CREATE INDEX IF NOT EXISTS unit_qualification ON unit (inst, qualification);
-- A filter by ESCO occupation reads that occupation's units in TITLE order, and counts them, from this index alone:
-- without it, every unit was read (0.3 s at 200,000 units).
CREATE INDEX IF NOT EXISTS unit_occupation_order ON unit (occupation, sort_key, id, inst);
CREATE TABLE IF NOT EXISTS unit_skill (
  inst TEXT COLLATE "C" NOT NULL, unit TEXT COLLATE "C" NOT NULL, qualification TEXT COLLATE "C" NOT NULL, skill TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unit_skill_skill ON unit_skill (skill, inst, unit);
CREATE INDEX IF NOT EXISTS unit_skill_unit ON unit_skill (inst, unit);
-- The default collation, as the word arrays have: an array of "C" words would not be compared through their index.
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS vocabulary_text ON vocabulary USING gin (word gin_trgm_ops);
-- A unit's words sit in a table of their own, kept out of line (toast_tuple_target): a count of the rows that hold
-- some words reads the word index and this narrow table's pages, not the units' wide rows.
ALTER TABLE unit DROP COLUMN IF EXISTS words;
-- The trigram indexes of the texts (their former text match) are gone; one had the text table's name.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass('unit_text') AND relkind = 'i') THEN DROP INDEX unit_text; END IF;
END $$;
DROP INDEX IF EXISTS qualification_text;
CREATE TABLE IF NOT EXISTS unit_text (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, words TEXT[] NOT NULL, PRIMARY KEY (inst, id))
  WITH (toast_tuple_target = 128);
-- The unit's place in TITLE order rides with its words: a text search's page is a top-N over this narrow table alone.
-- A catalogue of the former layout gets it from its units, once (words of no unit would find nothing).
ALTER TABLE unit_text ADD COLUMN IF NOT EXISTS sort_key TEXT COLLATE "C";
UPDATE unit_text w SET sort_key = u.sort_key FROM unit u WHERE w.sort_key IS NULL AND u.inst = w.inst AND u.id = w.id;
DELETE FROM unit_text WHERE sort_key IS NULL;
ALTER TABLE unit_text ALTER COLUMN sort_key SET NOT NULL;
-- Only the words go out of line: a sort key moved there too was fetched again at every comparison of the sort
-- (1.2 s instead of 0.2 s for the first page of "welding safety" at 1,000,000 units).
ALTER TABLE unit_text ALTER COLUMN inst SET STORAGE MAIN, ALTER COLUMN id SET STORAGE MAIN,
  ALTER COLUMN sort_key SET STORAGE MAIN;
-- The unit's EQF level, ISCED-F field, status and points ride with its words too, copied from its row: a text search
-- with those filters (or by country, institution or skill, which need no copy) is the same top-N over this table's
-- matching rows. Read in order through the units' filter index instead, the matches of "welding safety" at EQF level 4
-- came after 156,500 others in title order (3.5 s at 1,000,000 units). Not the qualification and its ESCO occupation:
-- with every filter's field here, a search of the words alone took 1.45 times as long at that size, with these four
-- some 1.04 times (each added in turn, timed beside the table before it). The occupation is a facet word in the
-- words array instead (see FACET_LAYOUT).
ALTER TABLE unit_text ADD COLUMN IF NOT EXISTS eqf INTEGER, ADD COLUMN IF NOT EXISTS isced TEXT COLLATE "C",
  ADD COLUMN IF NOT EXISTS status TEXT, ADD COLUMN IF NOT EXISTS points DOUBLE PRECISION;
UPDATE unit_text w SET eqf = u.eqf, isced = u.isced, status = u.status, points = u.points
FROM unit u WHERE w.points IS NULL AND u.inst = w.inst AND u.id = w.id;
DELETE FROM unit_text WHERE points IS NULL;
ALTER TABLE unit_text ALTER COLUMN eqf SET NOT NULL, ALTER COLUMN isced SET NOT NULL, ALTER COLUMN status SET NOT NULL,
  ALTER COLUMN points SET NOT NULL, ALTER COLUMN isced SET STORAGE MAIN, ALTER COLUMN status SET STORAGE MAIN;
CREATE INDEX IF NOT EXISTS unit_text_words ON unit_text USING gin (words);
-- Each item's words in each language apart: RELEVANCE ranks first what holds the words in the query's language.
CREATE TABLE IF NOT EXISTS unit_lang (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, lang TEXT NOT NULL, words TEXT[] NOT NULL,
  PRIMARY KEY (inst, id, lang));
-- Their index by language and word: see LANGUAGE_INDEXES.
CREATE TABLE IF NOT EXISTS qualification_lang (
  inst TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, lang TEXT NOT NULL, words TEXT[] NOT NULL,
  PRIMARY KEY (inst, id, lang));
ALTER TABLE qualification ADD COLUMN IF NOT EXISTS words TEXT[]
  GENERATED ALWAYS AS (string_to_array(search_text, ' ')) STORED;
CREATE INDEX IF NOT EXISTS qualification_words ON qualification USING gin (words);
-- The catalogue's layout, where a change of it needs more than this script (see PRUNED_LAYOUT): one row.
CREATE TABLE IF NOT EXISTS catalogue_layout (version INT NOT NULL);
-- Words a write took out of some item, until a prune weighs them (see pruneWords). Written in the write's transaction
-- and kept in the catalogue, so that a prune that could not run, or a replica that stopped, leaves them to the next
-- prune of any replica.
CREATE TABLE IF NOT EXISTS prune_candidate (word TEXT PRIMARY KEY);
`;

/**
 * The texts by language are indexed by language and word at once (btree_gin): the items holding a word in one
 * language are one lookup, where an index of the words alone (`former`) found every language's texts holding it, each
 * then read for its language (at 1,000,000 units, no Latvian text holds "welding": the English texts of 343,500 units
 * were read to know it, 4.9 s). A catalogue of an earlier layout gets them in the background (see
 * indexLanguages): built as the engine started, they held it back 148 s at that size, and every write of texts with it.
 */
const LANGUAGE_INDEXES = [
  { name: 'unit_lang_language_words', table: 'unit_lang', former: 'unit_lang_words' },
  { name: 'qualification_lang_language_words', table: 'qualification_lang', former: 'qualification_lang_words' },
] as const;
/** The session lock of the replica that builds the language indexes (the schema's is 20020). */
const LANGUAGE_INDEX_LOCK = 20022;
/** The delay before a failed layout step is tried again (see untilDone), doubled at each failure up to the second. */
const LAYOUT_RETRY_FIRST_MS = 1_000;
const LAYOUT_RETRY_MAX_MS = 60_000;
/** How often a replica whose catalogue lacks the language indexes looks whether another replica has built them. */
const LANGUAGE_INDEX_POLL_MS = 1_000;

/** Whether the language indexes stand (and only they). */
async function languagesIndexedIn(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ ready: boolean }>(
    `SELECT
       (SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN (${LANGUAGE_INDEXES.map(
         ({ name }) => `to_regclass('${name}')`,
       ).join(', ')})) = ${LANGUAGE_INDEXES.length}
       AND ${LANGUAGE_INDEXES.map(({ former }) => `to_regclass('${former}') IS NULL`).join(' AND ')} AS ready`,
  );
  return rows[0]?.ready === true;
}

/** Whether the texts the language indexes are on are empty (a new catalogue). */
async function textsEmptyIn(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>(
    `SELECT ${LANGUAGE_INDEXES.map(({ table }) => `NOT EXISTS (SELECT 1 FROM ${table})`).join(' AND ')} AS empty`,
  );
  return rows[0]?.empty === true;
}

/**
 * The rows holding a word that a suggestion's lookup reads for two institutions holding it (see suggestionsOf): the
 * word index finds every row holding it at once (at 1,000,000 units, 343,500 hold "welding": 17-23 ms), and a second
 * lookup for an institution other than the first found took as long again. One institution's items sit together in
 * the table (a rebuild writes them at once), so these rows mostly reach past the first's; only when they do not is
 * another institution looked up.
 */
export const HOLDER_ROWS = 2_500;

/** The layout whose vocabulary holds only the words some item holds: a catalogue of an earlier one is pruned once. */
const PRUNED_LAYOUT = 1;

/**
 * The layout whose unit word arrays also hold facet words (see unit-facets.ts), so that a search by their field is
 * one lookup in the word index; a catalogue of an earlier layout gets them once, in the background after start.
 * - Layout 2: the unit's ESCO occupation. Read in title order instead, checking each unit's occupation, "welding
 *   safety" with an occupation none of its 187,500 units has read all 1,000,000 units (9.5–11 s).
 * - Layout 3: each ESCO skill the unit links. Through the units' skill rows instead, at 1,000,000 units, the most
 *   common skill (313,000 units) took 427 ms, and a less common one at EQF level 4 3.4 s: PostgreSQL probed the
 *   skill rows of each EQF level 4 unit in title order.
 * - Layout 4: each word of the unit's title (titleWordFacetOf), RELEVANCE's first tier (see search-sql.ts).
 *   Without it, "welding safety" in RELEVANCE order scored each of its 187,500 units at 1,000,000 (2.4 s against
 *   128 ms).
 */
const FACET_LAYOUT = 4;
/** The layout from which the units' word arrays hold their occupation's and skills' facet words. */
const SKILL_LAYOUT = 3;

/** How long the facet words' layout step waits for a row a write holds before it gives way (see addFacetWords). */
const FACET_STEP_LOCK_WAIT_MS = 100;
/** PostgreSQL's error code for a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The unit `alias`'s occupation facet word as SQL, an array of it or an empty one: occupationFacetOf's `_o` and the
 * value's UTF-8 bytes in lower-case hex.
 */
const occupationWordsOf = (alias: string) =>
  `CASE WHEN ${alias}.occupation IS NULL THEN '{}'::text[]
     ELSE ARRAY['_o' || encode(convert_to(${alias}.occupation, 'UTF8'), 'hex')] END`;

/** Array literals of quoted words: words are [a-z0-9], and an unquoted `null` would be no word. */
const arraysOf = (alternatives: readonly string[][]) =>
  alternatives.map((found) => `{${found.map((word) => `"${word}"`).join(',')}}`);

/** The word array in `column` holds one of each word's alternatives (`arraysOf` gives the values). */
const holdsAll = (column: string, alternatives: readonly string[][]) =>
  alternatives.map(() => `${column} && ?::text[]`).join(' AND ');

/**
 * Above this many units holding the words, a text search in TITLE order reads the units in order and keeps those
 * that hold them (the first page is soon found); at or below it, it reads those units and sorts them.
 */
const ORDERED_SCAN_ROWS = 5_000;

/**
 * Once this many rows were written since the tables were last settled (and at least half as many as they held). Low,
 * because without statistics the planner misjudges even a few thousand rows (a text search at 4,000–6,000 units:
 * p99 180–240 ms before its first settling); settling small tables costs milliseconds, and halves keep it geometric.
 */
const SETTLE_MIN_ROWS = 1_000;

/**
 * `LIKE '%word%'` on the folded text, answered by the word index as on SQLite (see wordsOf): `alternatives` are, for
 * each query word, the vocabulary's words that hold it (its trigram index finds them); a row's GIN-indexed word
 * array then holds one of each. No row's text is read again (a trigram index on the texts themselves made every
 * candidate's text be checked again: 28 ms against 4 ms for "welding safety" at 20,000 units). The alternatives go
 * in as values, so the planner weighs them with its statistics of the words. A common word (see wordMatchOf) is
 * matched in the row's own text.
 */
function textMatchOf(match: WordMatch | null, ordered: boolean): TextMatch {
  if (match === null) return () => ({ sql: '1 = 0', params: [] });
  const { alternatives, common } = match;
  const holds = (column: string) => holdsAll(column, alternatives);
  const params = arraysOf(alternatives);
  const indexed = (list: 'unit' | 'qualification'): Statement => {
    if (list === 'qualification') return { sql: holds('r.words'), params };
    // A scalar subquery is never turned into a join: the units are read in order, each one's words looked up.
    if (ordered)
      return {
        sql: `(SELECT ${holds('w.words')} FROM unit_text w WHERE w.inst = r.inst AND w.id = r.id)`,
        params,
      };
    return { sql: `(r.inst, r.id) IN (SELECT w.inst, w.id FROM unit_text w WHERE ${holds('w.words')})`, params };
  };
  return (list) => {
    const parts: Statement[] = common.map((word) => ({ sql: 'r.search_text LIKE ?', params: [`%${word}%`] }));
    if (alternatives.length > 0) parts.unshift(indexed(list));
    return { sql: parts.map((part) => part.sql).join(' AND '), params: parts.flatMap((part) => part.params) };
  };
}

/** The words of these texts, each once, in one order. */
const wordSetOf = (texts: readonly string[]) => [...new Set(texts.flatMap(wordsOf))].sort();

/**
 * The words enter the vocabulary, each once. A write enters its words first before its transaction, in a statement of
 * its own, so that rebuilds running at once (replicas, institutions) never wait on each other's new words; then again
 * in it (holdVocabulary).
 */
async function enterWords(db: Pool | PoolClient, words: readonly string[]): Promise<void> {
  if (words.length > 0)
    await db.query('INSERT INTO vocabulary (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [words]);
}

/**
 * A write's first statement: enters its words again (any a prune took out since, none mostly) and holds the
 * vocabulary's ROW EXCLUSIVE lock until the write commits, so that no prune (see pruneWords) weighs the words while
 * rows that hold them are being written, nor the words the write takes out before it has.
 */
async function holdVocabulary(client: PoolClient, words: readonly string[]): Promise<void> {
  if (words.length > 0) await enterWords(client, words);
  else await client.query('LOCK TABLE vocabulary IN ROW EXCLUSIVE MODE');
}

/** How long a prune waits for the vocabulary's lock; past it, its words are weighed by the next prune instead. */
const PRUNE_LOCK_WAIT_MS = 50;

/**
 * In the client's transaction, under the vocabulary's SHARE ROW EXCLUSIVE lock (see pruneWords), waited for at most
 * `lockWaitMs` when given: the candidates writes noted (or every word of the vocabulary) that no unit or
 * qualification holds leave it.
 */
async function pruneIn(client: PoolClient, weighed: 'candidates' | 'every word', lockWaitMs?: number): Promise<void> {
  // Rows written since the last vacuum sit in each word index's pending list, which every lookup reads whole (at
  // 20,000 units, 312 pages: 1.9 ms a word; 0.1 ms once moved into the index): moved first, in bulk, unlocked.
  await client.query("SELECT gin_clean_pending_list('unit_text_words'), gin_clean_pending_list('qualification_words')");
  if (lockWaitMs !== undefined) await client.query(`SET LOCAL lock_timeout = ${lockWaitMs}`);
  await client.query('LOCK TABLE vocabulary IN SHARE ROW EXCLUSIVE MODE');
  // Every candidate is weighed now: no write that noted one is in progress, and none begins before this commits.
  const noted = await client.query<{ word: string }>('DELETE FROM prune_candidate RETURNING word');
  const candidates = weighed === 'candidates' ? noted.rows.map((row) => row.word) : null;
  if (candidates?.length === 0) return;
  // First the candidates no row holds, each looked up in the word indexes (never a scan of every row's words), then
  // those taken out by primary key. Not in one statement: the planner looked the candidates up in the vocabulary
  // through its trigram index, which answers `=` too, reading each word's trigrams and its pending list (2,000
  // candidates: 5.8 s; a rename's prune, 3.5 ms at first, 30 ms after 1,000). That index is read by bitmap scans only.
  await client.query('SET LOCAL enable_seqscan = off');
  const { rows } = await client.query<{ word: string }>(
    `SELECT c.word FROM ${candidates ? 'unnest($1::text[]) AS c (word)' : 'vocabulary c'}
     WHERE NOT EXISTS (SELECT 1 FROM unit_text w WHERE w.words @> ARRAY[c.word])
       AND NOT EXISTS (SELECT 1 FROM qualification q WHERE q.words @> ARRAY[c.word])`,
    candidates ? [candidates] : [],
  );
  if (rows.length === 0) return;
  await client.query('SET LOCAL enable_bitmapscan = off');
  await client.query('DELETE FROM vocabulary WHERE word = ANY($1::text[])', [rows.map((row) => row.word)]);
}

/**
 * In a write's transaction, before it changes these items: the words their texts hold now, less those the write
 * enters (`kept`), become candidates for the next prune. Returns how many words the write takes out.
 */
async function noteRemovedWords(
  client: PoolClient,
  institution: string,
  items: { units: readonly string[] | 'all'; qualifications: readonly string[] | 'all' },
  kept: readonly string[],
): Promise<number> {
  const of = (ids: readonly string[] | 'all', at: number) =>
    ids === 'all' ? { sql: 'inst = $1', params: [] } : { sql: `inst = $1 AND id = ANY($${at})`, params: [ids] };
  const units = of(items.units, 3);
  const qualifications = of(items.qualifications, 3 + units.params.length);
  // Not the facet words (see FACET_LAYOUT): the vocabulary never holds them.
  const { rows } = await client.query<{ n: number }>(
    `WITH removed AS (
       SELECT held.word FROM (
         SELECT unnest(words) AS word FROM unit_text WHERE ${units.sql}
         UNION SELECT unnest(words) FROM qualification WHERE ${qualifications.sql}) AS held
       WHERE NOT starts_with(held.word, '_')
       EXCEPT SELECT unnest($2::text[])),
     noted AS (INSERT INTO prune_candidate (word) SELECT word FROM removed ON CONFLICT DO NOTHING)
     SELECT count(*)::int AS n FROM removed`,
    [institution, kept, ...units.params, ...qualifications.params],
  );
  return rows[0]?.n ?? 0;
}

const concat = (...parts: string[]) => parts.join(' || ');

/**
 * The rows `items` (a statement selecting inst and id) names, joined to the ranked rows `r` as `alias`: read once, as
 * one set (the fence keeps the planner from looking each ranked row up in them).
 */
function joinedSet(alias: string, items: Statement): Statement & { join: Statement } {
  return {
    sql: `${alias}.id IS NOT NULL`,
    params: [],
    join: {
      sql: `LEFT JOIN (${items.sql} OFFSET 0) ${alias} ON ${alias}.inst = r.inst AND ${alias}.id = r.id`,
      params: items.params,
    },
  };
}

/**
 * The items whose words in `lang` hold the word (one of its alternatives, see wordMatchOf), read as one set from
 * the word index and joined, as wholeWordOf's are.
 */
function inLanguageOf(words: readonly string[], match: WordMatch | null): NonNullable<SearchDialect['inLanguage']> {
  return (list, word, lang, alias) => {
    const found = match?.byWord[words.indexOf(word)];
    if (found === undefined) return { sql: 'FALSE', params: [] };
    // A common word: the item's words in that language, as one text.
    if (found === null)
      return {
        sql: `EXISTS (SELECT 1 FROM ${list}_lang l WHERE l.inst = r.inst AND l.id = r.id AND l.lang = ? AND array_to_string(l.words, ' ') LIKE ?)`,
        params: [lang, `%${word}%`],
      };
    return joinedSet(alias, {
      sql: `SELECT l.inst, l.id FROM ${list}_lang l WHERE l.lang = ? AND l.words && ?::text[]`,
      params: [lang, ...arraysOf([found])],
    });
  };
}

/**
 * The words (as their alternatives, see wordMatchOf) that some unit's words in `lang` hold, for RELEVANCE's first tier
 * (see languageHoldsAll): each found so in one lookup of the index by language and word. Null when a word is common
 * (matched in the texts themselves).
 */
async function languageHoldsAllOf(
  withWordIndex: <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>,
  match: WordMatch,
  lang: string,
): Promise<string[][] | null> {
  if (match.common.length > 0) return null;
  // Through the index by language and word alone: the planner, expecting some row soon, read the whole table (11.7 s
  // at 1,000,000 units when no Latvian text holds "welding") or the whole key index (2.4 s), against 0.1 s a word.
  const { text, values } = numbered({
    sql: `SELECT ${match.alternatives
      .map((_alternatives, i) => `EXISTS (SELECT 1 FROM unit_lang WHERE lang = ? AND words && ?::text[]) AS h${i}`)
      .join(', ')}`,
    params: match.alternatives.flatMap((alternatives) => [lang, ...arraysOf([alternatives])]),
  });
  const { rows } = await withWordIndex(async (client) => {
    await client.query('SET LOCAL enable_indexscan = off');
    return client.query<Record<string, boolean>>(text, values);
  });
  return match.alternatives.filter((_alternatives, i) => rows[0]?.[`h${i}`] === true);
}

/**
 * The title matches RELEVANCE's first tier with a language walks, in TITLE order, at most: a walk that found too few
 * of them holding the words in the language leaves the page to scoring.
 */
const TIER_WALK_ROWS = 5_000;

/**
 * How many of the first walk's titles may miss the language (see walkedTier): it walks as many titles as can fill
 * the page with no more misses than this, and only when it comes short is the walk as long as TIER_WALK_ROWS. Most
 * tiers fill in the first walk, and when the language's texts hold none of the words its titles are the page. At
 * 1,000,000 units, "welding" in Latvian (no Latvian text holds it): the walk of 5,000 titles took 107–112 ms, a walk
 * of 121 65 ms; the top 5,000 of the 280,500 title matches cost more to sort, and each of them is looked up.
 */
const TIER_FIRST_WALK_MISSES = 100;

/**
 * RELEVANCE's first tier with a language from the narrow table: of the units whose title holds every word (`inTitles`),
 * the first TIER_WALK_ROWS of them in TITLE order, each then looked up for its words in the language. The units
 * holding the words in the language read as one set instead (187,500 hold "welding" and "safety" in English at
 * 1,000,000 units) took 1.5 s. The tier's first rows are the same whatever the walk's length, so its page is exact
 * when the walk finds more than a page; otherwise the page is left to scoring.
 *
 * The same walk brings the page of the titles alone in TITLE order (`titled`): the tier when the language's texts hold
 * none of the words. Read apart, it sorted the title matches a second time (at 1,000,000 units, 85 ms of the 220–330 that
 * "welding" in Latvian took). Its rows are the walk's first (ranked `n`, in the order the walk already has), so the
 * walk still stops once it holds both pages.
 */
function walkedTier(
  request: SearchRequest,
  inTitles: Statement,
  lang: string,
  held: readonly string[][],
  withTitles: boolean,
  walkRows: number,
): Statement {
  // A scalar subquery, which PostgreSQL does not turn into a join: each walked unit's row by language is looked up by
  // its key (at 1,000,000 units, 80–92 ms for the 5,000).
  const inLanguage = {
    sql: `(SELECT ${holdsAll('l.words', held)} FROM unit_lang l WHERE l.inst = t.inst AND l.id = t.id AND l.lang = ?)`,
    params: [...arraysOf(held), lang],
  };
  // Both pages are among the walk's first rows: `reach` rows for each. The titles' page is read only where asked and
  // within the walk (`titlesReach` 0: none); a deeper page reads it apart.
  const reach = request.offset + request.first + 1;
  const titlesReach = titlesWalked(request, withTitles, walkRows) ? reach : 0;
  return {
    sql: `SELECT t.inst, t.id, t.sort_key, t.n > ? AND t.n <= ? AS titled, ${inLanguage.sql} AS walked
      FROM (SELECT s.inst, s.id, s.sort_key, row_number() OVER (ORDER BY s.sort_key, s.id, s.inst) AS n
        FROM (SELECT r.inst, r.id, r.sort_key FROM unit_text r WHERE ${inTitles.sql}
          ORDER BY r.sort_key, r.id, r.inst LIMIT ?) s) t
      WHERE t.n <= ? OR ${inLanguage.sql}
      ORDER BY t.sort_key, t.id, t.inst LIMIT ?`,
    params: [
      request.offset,
      titlesReach,
      ...inLanguage.params,
      ...inTitles.params,
      walkRows,
      titlesReach,
      ...inLanguage.params,
      titlesReach + reach,
    ],
  };
}

/** A row of walkedTier's: of the titles' page, of the walked units holding the words in the language, or both. */
interface TierRow extends QueryResultRow {
  inst: string;
  id: string;
  sort_key: string;
  titled: boolean;
  walked: boolean | null;
}

/** Whether walkedTier reads the titles' page: when asked and the walk of `walkRows` reaches past its last row. */
const titlesWalked = (request: SearchRequest, withTitles: boolean, walkRows: number) =>
  withTitles && request.offset + request.first + 1 <= walkRows;

/** walkedTier's two pages: the tier's, and the titles' alone (null when it did not read them). */
function tierPages(request: SearchRequest, rows: readonly TierRow[], withTitles: boolean, walkRows: number) {
  return {
    walked: rows.filter((row) => row.walked === true).slice(request.offset, request.offset + request.first + 1),
    titles: titlesWalked(request, withTitles, walkRows) ? rows.filter((row) => row.titled) : null,
  };
}

/** The units whose words in `lang` hold each of `held` (see languageHoldsAllOf), as a condition on `r`. */
const languageCondition = (lang: string, held: readonly string[][]): Statement =>
  held.length === 0
    ? { sql: 'TRUE', params: [] }
    : {
        sql: `(r.inst, r.id) IN (SELECT l.inst, l.id FROM unit_lang l WHERE l.lang = ? AND ${holdsAll('l.words', held)})`,
        params: [lang, ...arraysOf(held)],
      };

/**
 * A ranked unit holds the word whole when it is among the units the word index finds for it, read as one set and
 * joined: reading every ranked unit's text for the word took most of a RELEVANCE search. A qualification's words sit in its own row.
 */
const wholeWordOf: NonNullable<SearchDialect['wholeWord']> = (list, word, alias) =>
  list === 'qualification'
    ? { sql: 'r.words @> ?::text[]', params: arraysOf([[word]]) }
    : joinedSet(alias, {
        sql: 'SELECT w.inst, w.id FROM unit_text w WHERE w.words @> ?::text[]',
        params: arraysOf([[word]]),
      });

/**
 * At most this many vocabulary words holding a query word are looked up in the word index, as alternatives; a word
 * held by more (a letter or two, say) is matched in the units' own text (`LIKE`). At 40,000 units, counting "p"
 * (575 words of 3,269) took 159 ms through the index against 201 ms in the texts, "at" (309) 78 against 192 ms;
 * before, "a" (1,870) took 0.96 s a search and "a e" 1.9 s, and a member could add words to the vocabulary at will.
 */
const MAX_WORD_ALTERNATIVES = 384;

/**
 * For each query word, the vocabulary's words that hold it (`LIKE '%word%'`, through its trigram index), up to one
 * more than MAX_WORD_ALTERNATIVES, in one statement (see wordMatchOf).
 */
async function matchWords(pool: Pool | PoolClient, words: readonly string[]): Promise<WordMatch | null> {
  const { rows } = await pool.query<Record<string, string[]>>(
    `SELECT ${words.map((_word, i) => `ARRAY(SELECT v.word FROM vocabulary v WHERE v.word LIKE $${i + 1} LIMIT ${MAX_WORD_ALTERNATIVES + 1}) AS w${i}`).join(', ')}`,
    words.map((word) => `%${word}%`),
  );
  return wordMatchOf(
    words,
    words.map((_word, i) => rows[0]?.[`w${i}`] ?? []),
    MAX_WORD_ALTERNATIVES,
  );
}

/** `?` placeholders as PostgreSQL numbers them. */
function numbered(statement: Statement): { text: string; values: Array<string | number> } {
  let n = 0;
  return { text: statement.sql.replace(/\?/g, () => `$${++n}`), values: statement.params };
}

/** The unit `alias`'s skills' facet words as SQL (skillFacetOf's `_k` and the value in hex), from its skill rows. */
const skillWordsOf = (alias: string) =>
  `ARRAY(SELECT DISTINCT '_k' || encode(convert_to(s.skill, 'UTF8'), 'hex') FROM unit_skill s
     WHERE s.inst = ${alias}.inst AND s.unit = ${alias}.id ORDER BY 1)`;

/** The unit `alias`'s title words' facet words as SQL (titleWordFacetOf's `_w` and the word in hex). */
const titleWordsOf = (alias: string) =>
  `ARRAY(SELECT DISTINCT '_w' || encode(convert_to(t, 'UTF8'), 'hex') FROM unnest(string_to_array(${alias}.title_text, ' ')) t
     WHERE t <> '' ORDER BY 1)`;

/**
 * The words array of the unit `alias` in the narrow text table: its text's words, its occupation's facet word, its
 * skills' (written after its skill rows) and its title words'.
 */
const unitWordsOf = (alias: string) =>
  `string_to_array(${alias}.search_text, ' ') || ${occupationWordsOf(alias)} || ${skillWordsOf(alias)} || ${titleWordsOf(alias)}`;

/** The narrow text table's rows (see SCHEMA) of the units (alias `u`) that meet `where`, from their rows as written. */
const unitTextOf = (where: string) =>
  `INSERT INTO unit_text (inst, id, sort_key, words, eqf, isced, status, points)
   SELECT u.inst, u.id, u.sort_key, ${unitWordsOf('u')}, u.eqf, u.isced, u.status, u.points
   FROM unit u WHERE ${where}`;

/**
 * The filters a unit's row in the narrow text table answers beside its words: its own, its country, its skills and
 * its occupation (facet words in its words array; see narrowWhereOf).
 */
const WORDS_TABLE_FILTERS: ReadonlySet<keyof SearchFilter> = new Set<keyof SearchFilter>([
  'words',
  'lang',
  'eqfLevel',
  'iscedPrefix',
  'status',
  'pointsMin',
  'pointsMax',
  'institution',
  'country',
  'escoSkills',
  'escoOccupation',
]);

const onWordsTable = (filter: SearchFilter) =>
  Object.entries(filter).every(
    ([name, value]) => value === undefined || WORDS_TABLE_FILTERS.has(name as keyof SearchFilter),
  );

/**
 * The condition on the narrow text table (alias `r`) of a units search that holds the words (`alternatives`, none
 * for a search without words) and meets filters the table answers (onWordsTable): the occupation, as its facet word,
 * is looked up in the same word index, and so are the skills (any of them) once the words hold theirs (`skillsHeld`).
 */
function narrowWhereOf(request: SearchRequest, alternatives: readonly string[][], skillsHeld: boolean): Statement {
  const { escoOccupation, escoSkills, ...filter } = request.filter;
  // Until the words hold the skills' facet words, the skill rows answer (whereOf).
  const skillWords = skillsHeld && escoSkills !== undefined && escoSkills.length > 0;
  const held = [
    ...alternatives,
    ...(escoOccupation === undefined ? [] : [[occupationFacetOf(escoOccupation)]]),
    ...(skillWords ? [escoSkills.map(skillFacetOf)] : []),
  ];
  const rest = { ...filter, words: null, ...(skillWords ? {} : { escoSkills }) };
  const others = whereOf({ ...request, filter: rest }, () => ({ sql: '1 = 0', params: [] }));
  return { sql: `${holdsAll('r.words', held)} AND ${others.sql}`, params: [...arraysOf(held), ...others.params] };
}

async function putUnit(client: PoolClient, institution: string, unit: UnitDoc): Promise<void> {
  await client.query('DELETE FROM unit_skill WHERE inst = $1 AND unit = $2', [institution, unit.localId]);
  await client.query(
    `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE(q.isced, ''), q.occupation
     FROM (SELECT 1) AS one LEFT JOIN qualification q ON q.inst = $1 AND q.id = $3
     ON CONFLICT (inst, id) DO UPDATE SET qualification = EXCLUDED.qualification, sort_key = EXCLUDED.sort_key,
       title_text = EXCLUDED.title_text, search_text = EXCLUDED.search_text, eqf = EXCLUDED.eqf,
       points = EXCLUDED.points, status = EXCLUDED.status, isced = EXCLUDED.isced, occupation = EXCLUDED.occupation`,
    [
      institution,
      unit.localId,
      unit.qualification,
      unit.sortKey,
      unit.titleText,
      unit.searchText,
      unit.eqfLevel,
      unit.ecvetPoints,
      unit.status,
    ],
  );
  if (unit.skills.length > 0)
    await client.query(
      'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT $1, $2, $3, unnest($4::text[])',
      [institution, unit.localId, unit.qualification, unit.skills],
    );
  await client.query(
    `${unitTextOf('u.inst = $1 AND u.id = $2')}
     ON CONFLICT (inst, id) DO UPDATE SET sort_key = EXCLUDED.sort_key, words = EXCLUDED.words, eqf = EXCLUDED.eqf,
       isced = EXCLUDED.isced, status = EXCLUDED.status, points = EXCLUDED.points`,
    [institution, unit.localId],
  );
  await putLangs(client, 'unit', institution, [unit]);
}

/** The items' words by language (see UnitDoc.langTexts), in place of those they had. */
async function putLangs(
  client: PoolClient,
  list: 'unit' | 'qualification',
  institution: string,
  docs: ReadonlyArray<{ localId: string; langTexts: Record<string, string> }>,
): Promise<void> {
  const rows = docs.flatMap((doc) => Object.entries(doc.langTexts).map(([lang, text]) => [doc.localId, lang, text]));
  await client.query(`DELETE FROM ${list}_lang WHERE inst = $1 AND id = ANY($2::text[])`, [
    institution,
    docs.map((doc) => doc.localId),
  ]);
  if (rows.length > 0)
    await client.query(
      `INSERT INTO ${list}_lang (inst, id, lang, words) SELECT $1, r.id, r.lang, string_to_array(r.text, ' ')
       FROM unnest($2::text[], $3::text[], $4::text[]) AS r (id, lang, text)`,
      [institution, rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2])],
    );
}

/** The catalogue's layout (one row; see PRUNED_LAYOUT), under the start's advisory lock. */
async function setLayout(client: PoolClient, version: number): Promise<void> {
  await client.query('DELETE FROM catalogue_layout');
  await client.query('INSERT INTO catalogue_layout (version) VALUES ($1)', [version]);
}

async function putQualification(client: PoolClient, institution: string, doc: QualificationDoc): Promise<void> {
  await client.query(
    `INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (inst, id) DO UPDATE SET sort_key = EXCLUDED.sort_key, title_text = EXCLUDED.title_text,
       search_text = EXCLUDED.search_text, eqf = EXCLUDED.eqf, points = EXCLUDED.points, isced = EXCLUDED.isced,
       occupation = EXCLUDED.occupation, status = EXCLUDED.status`,
    [
      institution,
      doc.localId,
      doc.sortKey,
      doc.titleText,
      doc.searchText,
      doc.eqfLevel,
      doc.ecvetPoints,
      doc.iscedCode,
      doc.escoOccupation,
      doc.status,
    ],
  );
  await client.query('UPDATE unit SET isced = $1, occupation = $2 WHERE inst = $3 AND qualification = $4', [
    doc.iscedCode,
    doc.escoOccupation,
    institution,
    doc.localId,
  ]);
  // Found through the units' index of their qualification (unit_text has none of its own). Only the rows whose
  // field or occupation changed are written again.
  await client.query(
    `UPDATE unit_text w SET isced = n.isced, words = n.words
     FROM (SELECT u.inst, u.id, u.isced, ${unitWordsOf('u')} AS words FROM unit u
           WHERE u.inst = $1 AND u.qualification = $2) n
     WHERE w.inst = n.inst AND w.id = n.id AND (w.isced <> n.isced OR w.words IS DISTINCT FROM n.words)`,
    [institution, doc.localId],
  );
  await putLangs(client, 'qualification', institution, [doc]);
}

/** A page from its rows (one more than asked, to know whether another follows) and its count, when asked. */
function pageOf(
  request: SearchRequest,
  rows: ReadonlyArray<{ inst: string; id: string; sort_key: string }>,
  counted: { rows: Array<{ n: string }> } | null,
): SearchPage {
  return {
    items: rows
      .slice(0, request.first)
      .map((row) => ({ institution: row.inst, localId: row.id, sortKey: row.sort_key })),
    hasNextPage: rows.length > request.first,
    totalCount: counted ? Number(counted.rows[0]?.n ?? 0) : null,
  };
}

export interface PostgresEngineOptions {
  /** How long a read waits for an institution another replica is reading and applying. @default 30_000 */
  lockWaitMs?: number;
  /** Where the engine tells of the work it does in the background (a step to a new layout). @default none */
  log?: Logger;
}

/** The shared engine (`CATALOG_URL`): one PostgreSQL every gateway replica reads and writes. */
export function createPostgresEngine(url: string, options: PostgresEngineOptions = {}): CatalogueEngine {
  const pool = new Pool({ connectionString: url, max: 8 });
  // An idle connection the server ended (a restart, a failover, an administrator): the pool drops it and opens
  // another for the next statement. Unheard, the pool's error event would end the gateway's process.
  pool.on('error', () => undefined);
  // Replicas follow the same feeds and read the same records after each change: without these, one replica's read
  // from before a change could be applied after another's from after it, and the catalogue would hold the older.
  const locks = createInstitutionLocks(url, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  /** `institution`: a write of its part, which commits only while this process's hold on it (if any) stands. */
  const inTransaction = async (work: (client: PoolClient) => Promise<void>, institution?: string) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      if (institution !== undefined) await locks.confirm(client, institution);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  /**
   * One statement that matches words, read through the word index by this connection's process alone.
   * - The text search's page and count each read the matches' rows of the narrow words table, side by side: parallel
   *   workers started for them cost more than they share out (at 1,000,000 units, 76 and 85 ms with them against 57
   *   and 47 ms without).
   * - No sequential scan: the planner does not weigh reading each row's words array (kept out of line, several pages
   *   a row), so below some 100,000 units it scanned every row instead of the GIN index: at 20,000 units a count of
   *   "welding safety" took 450–550 ms that way, 28 ms through the index.
   * - No nested loop: the matches of some words are read as one set and hashed against the other filters' rows. Its
   *   estimates of word matches are rough, and a nested loop it chose read an institution's words once per unit
   *   of it (one institution's units about welding safety at 60,000 units: 28 s, 8 ms hashed).
   */
  const withWordIndex = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(
        'BEGIN; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_seqscan = off; SET LOCAL enable_nestloop = off',
      );
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  /** A prune of this engine could not run: the candidates it left wait for the next one (see pruneWords). */
  let candidatesLeft = false;
  /**
   * After a write that took words out of some item (`removed` of them, noted in its transaction by noteRemovedWords)
   * commits: the candidates no unit or qualification holds any more leave the vocabulary, so that a text taken out of
   * every member's catalogue (a name written by mistake, say) leaves no word of it behind.
   * - Under the vocabulary's SHARE ROW EXCLUSIVE lock: it is granted once no write (holdVocabulary) is in progress, on
   *   any replica, and holds back the writes beginning meanwhile. So a word is never weighed while a row that holds it
   *   is being written, and a write after the prune enters again any word it took out.
   * - Waiting for that lock holds back every write behind it: a prune waits PRUNE_LOCK_WAIT_MS at most. When it cannot
   *   run (the lock is busy, or the database failed it) the write stands, and its candidates stay in the catalogue for
   *   the next prune of any replica.
   */
  const pruneWords = async (removed: number) => {
    if (removed === 0 && !candidatesLeft) return;
    try {
      await inTransaction((client) => pruneIn(client, 'candidates', PRUNE_LOCK_WAIT_MS));
      candidatesLeft = false;
    } catch {
      candidatesLeft = true;
    }
  };
  const throughWordIndex = <Row extends QueryResultRow>(statement: Statement) =>
    withWordIndex((client) => client.query<Row>(numbered(statement)));
  /**
   * Autovacuum may be off, or come late: after a bulk write the planner would weigh the words and filters with
   * statistics of a much smaller catalogue, and a count could not be read from an index alone (the visibility map
   * would not know the new pages). So the engine settles the tables itself once the rows written since it last did
   * reach half of those written before (and SETTLE_MIN_ROWS): a few times while a catalogue is first built. A table
   * an index is being built on (see indexLanguages) is skipped, not waited for: the rebuild that settles would wait
   * for the whole build.
   */
  let unsettled = 0;
  let settled = 0;
  const settleAfter = async (rows: number) => {
    unsettled += rows;
    if (unsettled < Math.max(SETTLE_MIN_ROWS, settled / 2)) return;
    settled += unsettled;
    unsettled = 0;
    await pool.query(
      'VACUUM (ANALYZE, SKIP_LOCKED) unit, unit_text, unit_lang, unit_skill, qualification, qualification_lang, vocabulary',
    );
  };
  /**
   * The layout the units' word arrays are in (see FACET_LAYOUT). While a catalogue of an earlier layout gets its
   * facet words (addFacetWords), a search by occupation or skill without them reads the units' rows instead, and
   * RELEVANCE scores every match: slower, as exact.
   */
  let wordsLayout = FACET_LAYOUT;
  let addingFacetWords: Promise<void> = Promise.resolve();
  const closing = new AbortController();
  /**
   * The facet words of a catalogue of an earlier layout, in the background once the engine has started: in one
   * statement it took 64 s at 200,000 units, and the gateway did not answer meanwhile.
   * - One institution per transaction, so the writes of the others go on.
   * - Its units are locked FOR SHARE first: a write of one of them (or of its qualification) waits, or has committed
   *   and is read as it stands, so no facet word comes from an occupation or a skill the unit no longer has (a write
   *   waiting writes the unit's words again after the step).
   * - The step never waits long for a lock (FACET_STEP_LOCK_WAIT_MS): a write that holds some of its rows (a rebuild
   *   takes the words table's rows before the units') would otherwise wait for the step while the step waits for it,
   *   until PostgreSQL ended one of the two, the write perhaps. The step gives way and tries the institution again.
   * - A unit whose array holds its facet word already (written since, or by another replica's step) is left as it is.
   */
  const addFacetWords = async () => {
    const started = performance.now();
    const { rows } = await pool.query<{ inst: string }>('SELECT DISTINCT inst FROM unit');
    for (const { inst } of rows) {
      for (let attempt = 1; ; attempt++) {
        if (closing.signal.aborted) return;
        try {
          await inTransaction(async (client) => {
            await client.query(`SET LOCAL lock_timeout = ${FACET_STEP_LOCK_WAIT_MS}`);
            await client.query('SELECT 1 FROM unit WHERE inst = $1 ORDER BY id FOR SHARE', [inst]);
            await client.query(
              `UPDATE unit_text w SET words = n.words
               FROM (SELECT u.inst, u.id, ${unitWordsOf('u')} AS words FROM unit u WHERE u.inst = $1) n
               WHERE w.inst = n.inst AND w.id = n.id AND w.words IS DISTINCT FROM n.words`,
              [inst],
            );
          });
          break;
        } catch (error) {
          // A write holds some of its rows: the step gives way, and tries again soon.
          if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
          await sleep(Math.min(100 * attempt, 2_000), undefined, { signal: closing.signal });
        }
      }
    }
    await inTransaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(20020)');
      await setLayout(client, FACET_LAYOUT);
    });
    wordsLayout = FACET_LAYOUT;
    options.log?.info(
      { institutions: rows.length, ms: Math.round(performance.now() - started) },
      'catalogue layout step done: occupation, skill and title facet words added',
    );
  };
  /**
   * Whether the texts by language have their index by language and word (see LANGUAGE_INDEXES). Until then, a
   * RELEVANCE search with a language scores its matches, without the first tier: slower, as exact.
   */
  let languagesIndexed = true;
  let indexingLanguages: Promise<void> = Promise.resolve();
  /** Cancels the build of a language index in progress, as the engine closes. */
  let cancelIndexing = async () => undefined;
  /**
   * The language indexes of a catalogue of an earlier layout, in the background once the engine has started.
   * - CONCURRENTLY: the texts' writes go on meanwhile, where a plain build held them back until it was done.
   * - One replica builds them, holding a session lock; the others look every LANGUAGE_INDEX_POLL_MS whether they stand.
   *   Not by waiting for that lock in a statement: the build waits for every transaction older than its own, and the
   *   two would wait for each other.
   * - A build cut short (its process ended, or the engine closed) leaves an invalid index, dropped and built again.
   * - The former indexes go once the new ones stand: until then, the texts' searches read through them.
   */
  const indexLanguages = async () => {
    const started = performance.now();
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    cancelIndexing = async () => {
      await pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    };
    // Checked just before each build statement, with nothing awaited between: a close that came while the previous
    // statement ran (its cancel then too early) starts no build it would have to wait for.
    const build = (sql: string) => {
      if (closing.signal.aborted) throw new Error('the engine is closing');
      return client.query(sql);
    };
    let built = false;
    try {
      while (!(await languagesIndexedIn(client))) {
        const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [
          LANGUAGE_INDEX_LOCK,
        ]);
        if (!rows[0]?.held) {
          await sleep(LANGUAGE_INDEX_POLL_MS, undefined, { signal: closing.signal });
          continue;
        }
        try {
          for (const { name, table, former } of LANGUAGE_INDEXES) {
            const { rows: found } = await client.query<{ valid: boolean }>(
              'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
              [name],
            );
            if (found[0]?.valid === false) await build(`DROP INDEX CONCURRENTLY ${name}`);
            if (found[0]?.valid !== true) {
              await build(`CREATE INDEX CONCURRENTLY ${name} ON ${table} USING gin (lang, words)`);
              built = true;
            }
            await build(`DROP INDEX CONCURRENTLY IF EXISTS ${former}`);
          }
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [LANGUAGE_INDEX_LOCK]);
        }
      }
      languagesIndexed = true;
      options.log?.info(
        { built, ms: Math.round(performance.now() - started) },
        'catalogue layout step done: texts by language indexed by language and word',
      );
    } finally {
      cancelIndexing = async () => undefined;
      await client.end().catch(() => undefined);
    }
  };
  /**
   * A layout step in the background, tried again after a failure (PostgreSQL restarted, its statement cancelled by
   * an operator), each time after twice the delay up to LAYOUT_RETRY_MAX_MS, until it is done or the engine closes:
   * given up, it left the replica on the slower searches until its next start. Each step is whole again on a retry.
   * Not cockatiel's retry: its delay goes on after a close, which waits for the step.
   */
  const untilDone = async (step: () => Promise<void>, failed: string) => {
    for (let attempt = 0; !closing.signal.aborted; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (closing.signal.aborted) return;
        const retryInMs = Math.min(LAYOUT_RETRY_FIRST_MS * 2 ** attempt, LAYOUT_RETRY_MAX_MS);
        options.log?.error({ err: error, retryInMs }, `catalogue layout step failed: ${failed}`);
        await sleep(retryInMs, undefined, { signal: closing.signal }).catch(() => undefined);
      }
    }
  };
  return {
    name: 'postgres',
    start: async () => {
      // Replicas starting together would race to create the tables: one at a time.
      await inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(20020)');
        const { rows } = await client.query<{ languages: boolean; vocabulary: boolean }>(
          "SELECT to_regclass('unit_lang') IS NOT NULL AS languages, to_regclass('vocabulary') IS NOT NULL AS vocabulary",
        );
        // The vocabulary first, as every write locks it first (enterWords): the script then locks the other tables,
        // and in the other order a write of another replica and this start could each wait for the other.
        if (rows[0]?.vocabulary) await client.query('LOCK TABLE vocabulary IN SHARE ROW EXCLUSIVE MODE');
        await client.query(SCHEMA);
        // A catalogue of the former layout has no words by language: each part is read whole again.
        if (!rows[0]?.languages) await client.query('DELETE FROM part_position');
        languagesIndexed = await languagesIndexedIn(client);
        // Without texts (a new catalogue), built at once.
        if (!languagesIndexed && (await textsEmptyIn(client))) {
          for (const { name, table, former } of LANGUAGE_INDEXES)
            await client.query(`DROP INDEX IF EXISTS ${name}, ${former};
              CREATE INDEX ${name} ON ${table} USING gin (lang, words)`);
          languagesIndexed = true;
        }
      });
      if (!languagesIndexed) indexingLanguages = untilDone(indexLanguages, 'texts by language not indexed');
      // Not under the script's locks, which hold back every search meanwhile.
      let version = 0;
      await inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(20020)');
        const layout = await client.query<{ version: number }>('SELECT version FROM catalogue_layout');
        version = layout.rows[0]?.version ?? 0;
        if (version >= FACET_LAYOUT) return;
        // Its vocabulary kept every word ever written: those no item holds any more leave it, once.
        if (version < PRUNED_LAYOUT) await pruneIn(client, 'every word');
        // A catalogue without units (a new one) lacks no facet word.
        const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM unit) AS empty');
        if (rows[0]?.empty) version = FACET_LAYOUT;
        await setLayout(client, Math.max(version, PRUNED_LAYOUT));
      });
      if (version < FACET_LAYOUT) {
        wordsLayout = version;
        addingFacetWords = untilDone(addFacetWords, 'facet words not added');
      }
      // Candidates a replica left unweighed (its prune could not run, and it stopped since) are weighed now.
      const left = await pool.query('SELECT 1 FROM prune_candidate LIMIT 1');
      candidatesLeft = (left.rowCount ?? 0) > 0;
      await pruneWords(0);
    },
    replaceInstitution: async (part: InstitutionPart) => {
      const code = part.institution.code;
      const words = wordSetOf([...part.qualifications, ...part.units].map((doc) => doc.searchText));
      await enterWords(pool, words);
      let removed = 0;
      await inTransaction(async (client) => {
        await holdVocabulary(client, words);
        removed = await noteRemovedWords(client, code, { units: 'all', qualifications: 'all' }, words);
        for (const table of ['unit_skill', 'unit_text', 'unit_lang', 'unit', 'qualification_lang', 'qualification'])
          await client.query(`DELETE FROM ${table} WHERE inst = $1`, [code]);
        await client.query(
          'INSERT INTO institution (code, country) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET country = EXCLUDED.country',
          [code, part.institution.country],
        );
        // One statement per table, whatever the size: a rebuild of 2,000 units is three round trips, not thousands.
        const q = part.qualifications;
        await client.query(
          `INSERT INTO qualification (inst, id, sort_key, title_text, search_text, eqf, points, isced, occupation, status)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::float8[], $8::text[], $9::text[], $10::text[])`,
          [
            code,
            q.map((d) => d.localId),
            q.map((d) => d.sortKey),
            q.map((d) => d.titleText),
            q.map((d) => d.searchText),
            q.map((d) => d.eqfLevel),
            q.map((d) => d.ecvetPoints),
            q.map((d) => d.iscedCode),
            q.map((d) => d.escoOccupation),
            q.map((d) => d.status),
          ],
        );
        const u = part.units;
        await client.query(
          `INSERT INTO unit (inst, id, qualification, sort_key, title_text, search_text, eqf, points, status, isced, occupation)
           SELECT $1, u.*, COALESCE(q.isced, ''), q.occupation
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::float8[], $9::text[])
             AS u (id, qualification, sort_key, title_text, search_text, eqf, points, status)
           LEFT JOIN qualification q ON q.inst = $1 AND q.id = u.qualification`,
          [
            code,
            u.map((d) => d.localId),
            u.map((d) => d.qualification),
            u.map((d) => d.sortKey),
            u.map((d) => d.titleText),
            u.map((d) => d.searchText),
            u.map((d) => d.eqfLevel),
            u.map((d) => d.ecvetPoints),
            u.map((d) => d.status),
          ],
        );
        const skills = u.flatMap((d) => d.skills.map((skill) => [d.localId, d.qualification, skill] as const));
        await client.query(
          'INSERT INTO unit_skill (inst, unit, qualification, skill) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])',
          [code, skills.map((r) => r[0]), skills.map((r) => r[1]), skills.map((r) => r[2])],
        );
        await client.query(unitTextOf('u.inst = $1'), [code]);
        await putLangs(client, 'qualification', code, q);
        await putLangs(client, 'unit', code, u);
      }, code);
      await pruneWords(removed);
      await settleAfter(part.units.length + part.qualifications.length);
    },
    apply: async (institution: string, changes: PartChanges) => {
      const words = wordSetOf(
        [...(changes.qualifications ?? []), ...(changes.units ?? [])].flatMap(({ doc }) =>
          doc ? [doc.searchText] : [],
        ),
      );
      await enterWords(pool, words);
      let removed = 0;
      await inTransaction(async (client) => {
        await holdVocabulary(client, words);
        removed = await noteRemovedWords(
          client,
          institution,
          {
            units: (changes.units ?? []).map((change) => change.localId),
            qualifications: (changes.qualifications ?? []).map((change) => change.localId),
          },
          words,
        );
        if (changes.institution)
          await client.query(
            'INSERT INTO institution (code, country) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET country = EXCLUDED.country',
            [institution, changes.institution.country],
          );
        for (const { localId, doc } of changes.qualifications ?? []) {
          if (doc) await putQualification(client, institution, doc);
          else
            for (const table of ['qualification_lang', 'qualification'])
              await client.query(`DELETE FROM ${table} WHERE inst = $1 AND id = $2`, [institution, localId]);
        }
        for (const { localId, doc } of changes.units ?? []) {
          if (doc) await putUnit(client, institution, doc);
          else {
            await client.query('DELETE FROM unit_skill WHERE inst = $1 AND unit = $2', [institution, localId]);
            for (const table of ['unit_text', 'unit_lang', 'unit'])
              await client.query(`DELETE FROM ${table} WHERE inst = $1 AND id = $2`, [institution, localId]);
          }
        }
      }, institution);
      await pruneWords(removed);
    },
    exclusive: (institution, work) => locks.exclusive(institution, work),
    search: async (request: SearchRequest) => {
      const words = request.filter.words;
      const match = words && words.length > 0 ? await matchWords(pool, words) : null;
      // The narrow table answers words matched through the word index alone: a common word is matched in the units'
      // text, which it does not hold.
      const indexedOnly = match && match.common.length === 0 ? match.alternatives : null;
      // Units that hold the words and meet filters the narrow text table answers too (see SCHEMA): its rows alone,
      // read from the word index. So are units by ESCO occupation and more without words (see isOccupationAndMore;
      // with EQF level 4 at 200,000 units, 23 ms against 0.2–0.3 s through the units' indexes), and by skills.
      // Until the units' word arrays hold the facet words (see addFacetWords), their rows answer.
      const facetWordsHeld = wordsLayout >= SKILL_LAYOUT;
      const facetsHeld = facetWordsHeld || request.filter.escoOccupation === undefined;
      const byOccupation = facetsHeld && isOccupationAndMore(request);
      const bySkills = facetWordsHeld && words === null && (request.filter.escoSkills?.length ?? 0) > 0;
      const narrow =
        (indexedOnly !== null || byOccupation || bySkills) &&
        request.list === 'units' &&
        onWordsTable(request.filter) &&
        facetsHeld
          ? narrowWhereOf(request, indexedOnly ?? [], facetWordsHeld)
          : null;
      const countNarrow = (where: Statement) =>
        throughWordIndex<{ n: string }>({
          sql: `SELECT count(*) AS n FROM unit_text r WHERE ${where.sql}`,
          params: where.params,
        });
      if (narrow && request.order === 'TITLE') {
        // The page is a top-N over those rows, and the count reads the same rows meanwhile.
        const [rows, counted] = await Promise.all([
          throughWordIndex<{ inst: string; id: string; sort_key: string }>(titlePage(request, 'unit_text', narrow)),
          request.count ? countNarrow(narrow) : null,
        ]);
        return pageOf(request, rows.rows, counted);
      }
      // With a filter the narrow table does not answer, in TITLE order: whether more than ORDERED_SCAN_ROWS units
      // hold the words decides how the page reads them, so they are counted only that far (the total is counted
      // apart). At 1,000,000 units, "welding safety" is held by 187,500.
      const indexed = match?.alternatives ?? [];
      const textRows =
        indexed.length === 0 || request.list !== 'units' || request.order !== 'TITLE'
          ? null
          : Number(
              (
                await throughWordIndex<{ n: string }>({
                  sql: `SELECT count(*) AS n FROM (SELECT 1 FROM unit_text w WHERE ${holdsAll('w.words', indexed)} LIMIT ?) AS held`,
                  params: [...arraysOf(indexed), ORDERED_SCAN_ROWS + 1],
                })
              ).rows[0]?.n ?? 0,
            );
      const ordered = textRows !== null && textRows > ORDERED_SCAN_ROWS;
      // RELEVANCE's first tier (see firstTier) from the narrow table alone when it answers the filters, not from the
      // units' wide rows joined to the title words' matches.
      const { lang } = request.filter;
      const narrowTier =
        narrow !== null &&
        words !== null &&
        words.length > 0 &&
        request.order === 'RELEVANCE' &&
        wordsLayout >= FACET_LAYOUT &&
        (lang === undefined || (languagesIndexed && match?.common.length === 0));
      // Otherwise, with a language, the tier needs the words its texts hold first (see languageHoldsAll).
      const heldInLanguage =
        !narrowTier &&
        request.list === 'units' &&
        request.order === 'RELEVANCE' &&
        wordsLayout >= FACET_LAYOUT &&
        languagesIndexed &&
        match &&
        lang !== undefined
          ? await languageHoldsAllOf(withWordIndex, match, lang)
          : null;
      const { page, count, tier } = searchStatements(request, textMatchOf(match, ordered), {
        concat,
        // A count reads every match: the matches as one set from the word index, not each counted row's words.
        countMatch: textMatchOf(match, false),
        wholeWord: wholeWordOf,
        inLanguage: inLanguageOf(words ?? [], match),
        titleHoldsAll: (list, titleWords) =>
          list === 'unit' && wordsLayout >= FACET_LAYOUT
            ? {
                sql: '(r.inst, r.id) IN (SELECT w.inst, w.id FROM unit_text w WHERE w.words @> ?::text[])',
                params: arraysOf([titleWords.map(titleWordFacetOf)]),
              }
            : null,
        languageHoldsAll: (list) =>
          list === 'unit' && heldInLanguage && lang !== undefined ? languageCondition(lang, heldInLanguage) : null,
      });
      const read = <Row extends QueryResultRow>(statement: Statement) =>
        indexed.length === 0 ? pool.query<Row>(numbered(statement)) : throughWordIndex<Row>(statement);
      const readRows = async (statement: Statement) =>
        (await read<{ inst: string; id: string; sort_key: string }>(statement)).rows;
      const tierRows = async () => {
        if (!narrowTier || !words) return tier ? readRows(tier) : [];
        const inTitles = narrowWhereOf(
          request,
          words.map((word) => [titleWordFacetOf(word)]),
          facetWordsHeld,
        );
        // The page of those units in TITLE order that also meet `and`.
        const titledPage = (and: Statement): Statement => ({
          sql: `SELECT r.inst, r.id, r.sort_key FROM unit_text r WHERE ${inTitles.sql} AND ${and.sql}
            ORDER BY r.sort_key, r.id, r.inst LIMIT ? OFFSET ?`,
          params: [...inTitles.params, ...and.params, request.first + 1, request.offset],
        });
        const titled = titledPage({ sql: 'TRUE', params: [] });
        if (lang === undefined || !match) return readRows(titled);
        // With a language, first as if its texts held every word, over a few titles (TIER_FIRST_WALK_MISSES): when the
        // walk fills the page, they do. Only when it comes short are the words they hold looked up (10–150 ms a word at
        // 1,000,000 units): a word none of them holds is left out of a walk of TIER_WALK_ROWS titles (none held: the
        // tier without a language, the first walk's titles).
        const walk = async (held: readonly string[][], withTitles: boolean, walkRows: number) =>
          tierPages(
            request,
            (await read<TierRow>(walkedTier(request, inTitles, lang, held, withTitles, walkRows))).rows,
            withTitles,
            walkRows,
          );
        const reach = request.offset + request.first + 1;
        // A page past the longest walk is among no walk's rows: none is read for it.
        const walks = reach <= TIER_WALK_ROWS;
        const firstWalkRows = Math.min(reach + TIER_FIRST_WALK_MISSES, TIER_WALK_ROWS);
        const { walked, titles } = walks
          ? await walk(match.alternatives, true, firstWalkRows)
          : { walked: [], titles: null };
        if (walked.length > request.first) return walked;
        const held = await languageHoldsAllOf(withWordIndex, match, lang);
        if (held?.length === 0) return titles ?? readRows(titled);
        const walkedHeld = held && held.length < match.alternatives.length ? held : match.alternatives;
        const walkedLong =
          !walks || (walkedHeld === match.alternatives && firstWalkRows === TIER_WALK_ROWS)
            ? walked
            : (await walk(walkedHeld, false, TIER_WALK_ROWS)).walked;
        if (walkedLong.length > request.first) return walkedLong;
        // More titles than the walk reached: the tier is read as one set, their units joined to those holding the words
        // in the language, before the page is left to scoring every match (a walk that reached every title found the
        // whole tier). The set reads no more rows than the matches: at 1,000,000 units 31,500 units hold "tig" in
        // Spanish, none among the first 5,000 titles holding it; the set took 146 ms, scoring the 282,500 matches 1.5 s.
        const titleCount = await read<{ n: string }>({
          sql: `SELECT count(*) AS n FROM (SELECT 1 FROM unit_text r WHERE ${inTitles.sql} LIMIT ?) AS t`,
          params: [...inTitles.params, TIER_WALK_ROWS + 1],
        });
        if (Number(titleCount.rows[0]?.n ?? 0) <= TIER_WALK_ROWS) return walkedLong;
        return readRows(titledPage(languageCondition(lang, walkedHeld)));
      };
      const pageRows = async () => {
        const rows = await tierRows();
        return rows.length > request.first ? rows : readRows(page);
      };
      const [rows, counted] = await Promise.all([
        pageRows(),
        !count ? null : narrow ? countNarrow(narrow) : read<{ n: string }>(count),
      ]);
      return pageOf(request, rows, counted);
    },
    // One transaction for every word: the vocabulary's trigram index finds the words at the threshold (pg_trgm's %,
    // its limit set here whatever the database's default).
    suggest: (list, words) =>
      withWordIndex(async (client) => {
        const table = list === 'units' ? 'unit_text' : 'qualification';
        await client.query(`SET LOCAL pg_trgm.similarity_threshold = ${SIMILARITY_THRESHOLD}`);
        const exists = async (statement: Statement) =>
          (await client.query<{ held: boolean }>(numbered(statement))).rows[0]?.held === true;
        return suggestionsOf(words, {
          found: async (word) => {
            const match = await matchWords(client, [word]);
            if (match === null) return false;
            // A common word: the first item whose text holds it is soon found.
            if (match.common.length > 0)
              return exists({
                sql: `SELECT EXISTS (SELECT 1 FROM ${list === 'units' ? 'unit' : 'qualification'} w WHERE w.search_text LIKE ?) AS held`,
                params: [`%${word}%`],
              });
            return exists({
              sql: `SELECT EXISTS (SELECT 1 FROM ${table} w WHERE ${holdsAll('w.words', match.alternatives)}) AS held`,
              params: arraysOf(match.alternatives),
            });
          },
          candidates: async (word) =>
            (
              await client.query<{ word: string }>('SELECT v.word FROM vocabulary v WHERE v.word % $1', [word])
            ).rows.map((row) => ({ word: row.word, similarity: similarity(word, row.word) })),
          holders: async (word) => {
            const { rows } = await client.query<{ first: string | null; last: string | null; n: string }>(
              `SELECT min(s.inst) AS first, max(s.inst) AS last, count(*) AS n
               FROM (SELECT t.inst FROM ${table} t WHERE t.words @> ARRAY[$1] LIMIT ${HOLDER_ROWS}) s`,
              [word],
            );
            const { first, last, n } = rows[0] ?? { first: null, last: null, n: '0' };
            if (first === null) return 0;
            if (first !== last) return 2;
            if (Number(n) < HOLDER_ROWS) return 1;
            const other = await client.query<{ held: boolean }>(
              `SELECT EXISTS (SELECT 1 FROM ${table} t WHERE t.words @> ARRAY[$1] AND t.inst <> $2) AS held`,
              [word, first],
            );
            return other.rows[0]?.held === true ? 2 : 1;
          },
          federated: async () =>
            (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM institution LIMIT 2) i'))
              .rows[0]?.n === 2,
        });
      }),
    institutions: async () =>
      (await pool.query<{ code: string }>('SELECT code FROM institution ORDER BY code')).rows.map((row) => row.code),
    rows: async () =>
      (
        await pool.query<{ institution: string; units: string; qualifications: string }>(
          `SELECT i.code AS institution, (SELECT count(*) FROM unit u WHERE u.inst = i.code) AS units,
             (SELECT count(*) FROM qualification q WHERE q.inst = i.code) AS qualifications
           FROM institution i ORDER BY i.code`,
        )
      ).rows.map((row) => ({
        institution: row.institution,
        units: Number(row.units),
        qualifications: Number(row.qualifications),
      })),
    positions: async () =>
      new Map(
        (
          await pool.query<{ inst: string; feed_id: string; seq: string; read_at: string; current_at: string }>(
            'SELECT inst, feed_id, seq, read_at, current_at FROM part_position',
          )
        ).rows.map((row) => [
          row.inst,
          {
            feedId: row.feed_id,
            seq: Number(row.seq),
            readAt: Number(row.read_at),
            currentAt: Number(row.current_at),
          },
        ]),
      ),
    // SET reads the row as it was: within one feed each value only rises, another feed's replaces them.
    setPosition: async (institution, { feedId, seq, readAt, currentAt }) => {
      await pool.query(
        `INSERT INTO part_position AS p (inst, feed_id, seq, read_at, current_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (inst) DO UPDATE SET feed_id = EXCLUDED.feed_id,
           seq = CASE WHEN p.feed_id = EXCLUDED.feed_id THEN GREATEST(p.seq, EXCLUDED.seq) ELSE EXCLUDED.seq END,
           read_at = CASE WHEN p.feed_id = EXCLUDED.feed_id THEN GREATEST(p.read_at, EXCLUDED.read_at)
             ELSE EXCLUDED.read_at END,
           current_at = CASE WHEN p.feed_id = EXCLUDED.feed_id THEN GREATEST(p.current_at, EXCLUDED.current_at)
             ELSE EXCLUDED.current_at END`,
        [institution, feedId, seq, readAt, currentAt],
      );
    },
    forgetPosition: async (institution) => {
      await pool.query('DELETE FROM part_position WHERE inst = $1', [institution]);
    },
    close: async () => {
      closing.abort();
      await cancelIndexing();
      await Promise.all([addingFacetWords, indexingLanguages]);
      await locks.close();
      await pool.end();
    },
  };
}
