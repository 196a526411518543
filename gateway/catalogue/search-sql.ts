import type { ListPosition, SearchRequest } from './engine';

/** A statement with `?` placeholders, in order; an engine renumbers them if it must. */
export interface Statement {
  sql: string;
  params: Array<string | number>;
}

/**
 * The distinct words of a folded text. A query word is folded too ([a-z0-9] only, no space), so it occurs in the text
 * exactly when it occurs inside one of these words: the engines match a word against their (small) vocabulary of
 * words and read the rows that hold one of the words found, instead of reading every row's text again.
 */
export function wordsOf(foldedText: string): string[] {
  return [...new Set(foldedText.split(' ').filter((word) => word.length > 0))];
}

/**
 * A text search's words as an engine matches them: through its word index, as each word's alternatives (the
 * vocabulary's words that hold it, see wordsOf), or, for a common word (more alternatives than the engine looks up:
 * the index's cost grows faster than their number), in the items' own text.
 */
export interface WordMatch {
  /** For each query word, its alternatives, or null for a common word. */
  byWord: ReadonlyArray<string[] | null>;
  /** The alternatives of the words matched through the word index. */
  alternatives: string[][];
  /** The words matched in the items' own text. */
  common: string[];
}

/**
 * The words' match, from each word's alternatives as found (at most `max` + 1 of them); null when a word is in no
 * vocabulary word, so in no row.
 */
export function wordMatchOf(words: readonly string[], found: readonly string[][], max: number): WordMatch | null {
  if (found.some((alternatives) => alternatives.length === 0)) return null;
  const byWord = found.map((alternatives) => (alternatives.length > max ? null : alternatives));
  return {
    byWord,
    alternatives: byWord.filter((alternatives) => alternatives !== null),
    common: words.filter((_word, i) => byWord[i] === null),
  };
}

/** How an engine spells the text match of folded words (`LIKE '%word%'` on the search text, as the shards do). */
export interface TextMatch {
  /** The rows of `list` whose search text holds every word, as a condition on alias `r`. */
  (list: 'unit' | 'qualification', words: readonly string[]): Statement;
}

/**
 * The conditions, any of which holds, nested in halves: a chain of one `OR` per member would be as deep as the
 * federation is large, and SQLite refuses an expression deeper than 1,000.
 */
function anyOf(parts: readonly Statement[]): Statement {
  if (parts.length === 1) return parts[0] as Statement;
  const middle = Math.ceil(parts.length / 2);
  const [left, right] = [anyOf(parts.slice(0, middle)), anyOf(parts.slice(middle))];
  return { sql: `(${left.sql} OR ${right.sql})`, params: [...left.params, ...right.params] };
}

function positionsCondition(after: Readonly<Record<string, ListPosition>>): Statement {
  const institutions = Object.keys(after);
  if (institutions.length === 0) return { sql: '1 = 1', params: [] };
  const parts: Statement[] = [
    { sql: `r.inst NOT IN (${institutions.map(() => '?').join(', ')})`, params: institutions },
  ];
  for (const institution of institutions) {
    const position = after[institution] as ListPosition;
    parts.push({
      sql: '(r.inst = ? AND (r.sort_key > ? OR (r.sort_key = ? AND r.id > ?)))',
      params: [institution, position.sortKey, position.sortKey, position.id],
    });
  }
  return anyOf(parts);
}

/**
 * The ISCED-F prefix as the shards match it (`LIKE 'prefix%'`). With `range`, a prefix of digits (every ISCED-F
 * field is one) is rather read as bounds of the code on both sides, so that an index on the code is read as a range (SQLite reads
 * none for a `LIKE`): for a count. A page rather reads an index in the list's order, which SQLite, weighing ranges
 * without statistics, would leave for the range (and sort every match).
 */
function iscedCondition(prefix: string, range: boolean): [string, ...string[]] {
  if (!range || !/^[0-9]+$/.test(prefix)) return ['r.isced LIKE ?', `${prefix}%`];
  const next = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
  // Digits have no case and no wildcard: the range is the `LIKE` exactly.
  return ['r.isced >= ? AND r.isced < ?', prefix, next];
}

/** The shards' filters, written over the catalogue's tables (alias `r` is the list's row). */
export function whereOf(request: SearchRequest, textMatch: TextMatch, iscedRange = false): Statement {
  const { filter } = request;
  const table = request.list === 'units' ? 'unit' : 'qualification';
  const parts: string[] = [];
  const params: Array<string | number> = [];
  const add = (sql: string, ...values: Array<string | number>) => {
    parts.push(sql);
    params.push(...values);
  };
  if (filter.words) {
    if (filter.words.length === 0) add('1 = 0');
    else {
      const match = textMatch(table, filter.words);
      add(match.sql, ...match.params);
    }
  }
  if (filter.eqfLevel !== undefined) add('r.eqf = ?', filter.eqfLevel);
  if (filter.pointsMin !== undefined) add('r.points >= ?', filter.pointsMin);
  if (filter.pointsMax !== undefined) add('r.points <= ?', filter.pointsMax);
  if (filter.status !== undefined) add('r.status = ?', filter.status);
  if (filter.institution !== undefined) add('r.inst = ?', filter.institution);
  if (filter.country !== undefined)
    add('r.inst IN (SELECT i.code FROM institution i WHERE i.country = ?)', filter.country);
  if (table === 'unit') {
    if (filter.qualification)
      add('r.inst = ? AND r.qualification = ?', filter.qualification.institution, filter.qualification.localId);
    // The qualification's fields are copied onto its units (the engines keep them in step): no lookup per row.
    if (filter.iscedPrefix !== undefined) add(...iscedCondition(filter.iscedPrefix, iscedRange));
    if (filter.escoOccupation !== undefined) add('r.occupation = ?', filter.escoOccupation);
    if (filter.escoSkills && filter.escoSkills.length > 0)
      add(
        `EXISTS (SELECT 1 FROM unit_skill s WHERE s.inst = r.inst AND s.unit = r.id AND s.skill IN (${filter.escoSkills.map(() => '?').join(', ')}))`,
        ...filter.escoSkills,
      );
  } else {
    if (filter.iscedPrefix !== undefined) add(...iscedCondition(filter.iscedPrefix, iscedRange));
    if (filter.escoOccupation !== undefined) add('r.occupation = ?', filter.escoOccupation);
    const [skill] = filter.escoSkills ?? [];
    if (skill !== undefined)
      add(
        'EXISTS (SELECT 1 FROM unit_skill s WHERE s.inst = r.inst AND s.qualification = r.id AND s.skill = ?)',
        skill,
      );
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1 = 1', params };
}

/**
 * Whether the words are the search's only filter: then its count is the number of rows that hold them, which an
 * engine reads from its text index alone, without the list's rows.
 */
export function isTextOnly(request: SearchRequest): boolean {
  const { words } = request.filter;
  return words !== null && words.length > 0 && hasNoFilterButWords(request);
}

/**
 * Whether a search without words filters by ESCO occupation and by more: the units' index by occupation holds no
 * other field (each of its units would be read to check the others), so an engine reads such a search from its word
 * index, where a unit's facet words hold its occupation beside its other fields. By occupation alone, the index is
 * faster (at 200,000 units, 3 and 10 ms against 20 and 17 ms on SQLite and PostgreSQL).
 */
export function isOccupationAndMore(request: SearchRequest): boolean {
  const { escoOccupation, ...others } = request.filter;
  return others.words === null && escoOccupation !== undefined && !hasNoFilterButWords({ ...request, filter: others });
}

/** Whether the search has no filter besides its words, if any. */
export function hasNoFilterButWords(request: SearchRequest): boolean {
  const none: TextMatch = () => ({ sql: '', params: [] });
  return whereOf({ ...request, filter: { ...request.filter, words: null } }, none).sql === '1 = 1';
}

/** How an engine spells what the shared statements leave to it. */
export interface SearchDialect {
  /** String concatenation of SQL expressions. */
  concat: (...parts: string[]) => string;
  /**
   * The text match of the count, when the page's would read each counted row's words (a page stops after a few
   * rows, a count reads them all). @default the page's
   */
  countMatch?: TextMatch;
  /**
   * The rows of `list` whose search text holds `word` as a whole word, as a condition on alias `r` and, with `join`,
   * on a table that clause joins to `r` (named `alias`, unique to the word).
   * @default `' ' || r.search_text || ' ' LIKE '% word %'`, which reads each ranked row's whole text
   */
  wholeWord?: (list: 'unit' | 'qualification', word: string, alias: string) => Statement & { join?: Statement };
  /**
   * The rows of `list` whose texts in language `lang` hold `word`, as `wholeWord`'s are given.
   * @default (also when null) the row's text in `lang` (table `<list>_lang`) `LIKE '%word%'`
   */
  inLanguage?: (
    list: 'unit' | 'qualification',
    word: string,
    lang: string,
    alias: string,
  ) => (Statement & { join?: Statement }) | null;
  /**
   * The rows of `list` whose title holds every word whole, as a condition on alias `r` read from an index of the
   * titles' words; none when the engine keeps no such index for the list (RELEVANCE then scores every match).
   */
  titleHoldsAll?: (list: 'unit' | 'qualification', words: readonly string[]) => Statement | null;
  /**
   * The rows of `list` whose texts in `lang` hold each of the words that some row's texts there hold (as `inLanguage`
   * matches them), as a condition on alias `r` read from an index of each language's words; `1 = 1` when no row's
   * texts there hold any of them. Null when the engine keeps no such index for the list, or a word is matched in the
   * texts themselves (RELEVANCE with a language then scores every match).
   */
  languageHoldsAll?: (list: 'unit' | 'qualification', words: readonly string[], lang: string) => Statement | null;
}

/** A word in the query's language counts more than any place it has in other languages' texts (4 + 2 + 1). */
const IN_LANGUAGE = 8;

/**
 * A word in the texts of the query's language (when given) counts most; then a match in the title, a whole word more
 * than a part of one; then the other texts (descriptions, outcomes, criteria). Words are folded [a-z0-9], so they go
 * into the patterns as they are.
 */
function scoreOf(
  list: 'unit' | 'qualification',
  { words, lang }: SearchRequest['filter'],
  { concat, wholeWord, inLanguage }: SearchDialect,
): { score: Statement; joins: Statement } | null {
  // A text of punctuation alone names no word (and finds nothing): there is nothing to rank by.
  if (!words || words.length === 0) return null;
  const params: Array<string | number> = [];
  const joins: Statement = { sql: '', params: [] };
  const joined = (term: Statement & { join?: Statement }) => {
    if (term.join) {
      joins.sql += ` ${term.join.sql}`;
      joins.params.push(...term.join.params);
    }
    return term;
  };
  const terms = words.map((word, i) => {
    const whole = joined(
      wholeWord?.(list, word, `whole${i}`) ?? {
        sql: `${concat("' '", 'r.search_text', "' '")} LIKE ?`,
        params: [`% ${word} %`],
      },
    );
    const inQueryLanguage =
      lang === undefined
        ? null
        : joined(
            inLanguage?.(list, word, lang, `lang${i}`) ?? {
              sql: `EXISTS (SELECT 1 FROM ${list}_lang l WHERE l.inst = r.inst AND l.id = r.id AND l.lang = ? AND l.text LIKE ?)`,
              params: [lang, `%${word}%`],
            },
          );
    params.push(...(inQueryLanguage?.params ?? []), `%${word}%`, `% ${word} %`, ...whole.params);
    return (
      `(${inQueryLanguage ? `CASE WHEN ${inQueryLanguage.sql} THEN ${IN_LANGUAGE} ELSE 0 END + ` : ''}` +
      `CASE WHEN r.title_text LIKE ? THEN 4 ELSE 0 END` +
      ` + CASE WHEN ${concat("' '", 'r.title_text', "' '")} LIKE ? THEN 2 ELSE 0 END` +
      ` + CASE WHEN ${whole.sql} THEN 1 ELSE 0 END)`
    );
  });
  return { score: { sql: terms.join(' + '), params }, joins };
}

/**
 * The first tier of a RELEVANCE search, as a page in TITLE order: the matches whose title holds every word whole and,
 * with a language, whose texts in it hold every word that some item's texts there hold. Each of them scores the most
 * a match can (see scoreOf: 7 a word, and 8 more for each word in the language's texts), and any other match less (a
 * word not whole in the title at most 5 + 8, a word some texts in the language hold missing from its own at most 7),
 * so when the tier fills the page, the page is the tier's in TITLE order, RELEVANCE's order among equal scores. Read
 * through the index of the titles' words (and of each language's), it spares scoring every match (at 1,000,000 units,
 * the 187,500 holding "welding safety"). Null when the engine has no such index.
 */
function firstTier(
  request: SearchRequest,
  { titleHoldsAll, languageHoldsAll }: Pick<SearchDialect, 'titleHoldsAll' | 'languageHoldsAll'>,
): Statement | null {
  const { words, lang } = request.filter;
  if (!words || words.length === 0 || request.order !== 'RELEVANCE' || !titleHoldsAll) return null;
  const table = request.list === 'units' ? 'unit' : 'qualification';
  const inTitle = titleHoldsAll(table, words);
  if (inTitle === null) return null;
  const inLanguage =
    lang === undefined ? { sql: '1 = 1', params: [] } : (languageHoldsAll?.(table, words, lang) ?? null);
  if (inLanguage === null) return null;
  // A title holding a word whole holds it in the search text too (the text holds the titles): the title's match is
  // the text's, and spares the text index's far larger set.
  const where = whereOf(request, () => ({
    sql: `${inTitle.sql} AND ${inLanguage.sql}`,
    params: [...inTitle.params, ...inLanguage.params],
  }));
  return {
    sql: `SELECT r.inst, r.id, r.sort_key FROM ${table} r WHERE ${where.sql} ORDER BY r.sort_key, r.id, r.inst LIMIT ? OFFSET ?`,
    params: [...where.params, request.first + 1, request.offset],
  };
}

/**
 * The page (one more than asked, to know whether another follows) and, when asked, the count. A RELEVANCE search
 * may come with its first tier: when that statement answers more rows than asked, they are the page.
 */
export function searchStatements(
  request: SearchRequest,
  textMatch: TextMatch,
  dialect: SearchDialect,
): { page: Statement; count: Statement | null; tier?: Statement | null } {
  const table = request.list === 'units' ? 'unit' : 'qualification';
  const where = whereOf(request, textMatch);
  const counted = request.count ? whereOf(request, dialect.countMatch ?? textMatch, true) : null;
  const count = counted
    ? { sql: `SELECT COUNT(*) AS n FROM ${table} r WHERE ${counted.sql}`, params: counted.params }
    : null;
  if (request.order === 'RELEVANCE') {
    const ranked = scoreOf(table, request.filter, dialect);
    return {
      page: {
        sql:
          `SELECT r.inst, r.id, r.sort_key FROM ${table} r${ranked?.joins.sql ?? ''} WHERE ${where.sql}` +
          ` ORDER BY ${ranked ? `${ranked.score.sql} DESC, ` : ''}r.sort_key, r.id, r.inst LIMIT ? OFFSET ?`,
        params: [
          ...(ranked?.joins.params ?? []),
          ...where.params,
          ...(ranked?.score.params ?? []),
          request.first + 1,
          request.offset,
        ],
      },
      count,
      tier: firstTier(request, dialect),
    };
  }
  return { page: titlePage(request, table, where), count };
}

/**
 * The page in TITLE order (one more than asked) of the rows that meet `where`, after the request's positions. `from`
 * ends in the table aliased `r` that has the list's inst, id and sort_key (other tables before it are joined in
 * `where`).
 */
export function titlePage(request: SearchRequest, from: string, where: Statement): Statement {
  const positions = positionsCondition(request.after);
  return {
    sql: `SELECT r.inst, r.id, r.sort_key FROM ${from} r WHERE ${where.sql} AND ${positions.sql} ORDER BY r.sort_key, r.id, r.inst LIMIT ?`,
    params: [...where.params, ...positions.params, request.first + 1],
  };
}
