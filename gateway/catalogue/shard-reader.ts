import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { foldText, sortKeyOf } from '../../schema/cursor';
import { pickText } from '../../schema/pick-text';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop } from '../../platform/signed-hop';
import type { Shard } from '../registry/registry';
import { withDeadline } from '../resilience/deadline';
import { AnswerPastLimit, readWithinCaps } from '../resilience/json-values';
import { parseInTurns } from '../resilience/json-turns';
import {
  checkInstitution,
  checkQualification,
  checkUnit,
  MalformedCatalogueAnswer,
  type QualificationAnswer,
  type UnitAnswer,
} from './answer-shape';
import { TEXT_LANGUAGE, type InstitutionPart, type PartChanges, type QualificationDoc, type UnitDoc } from './engine';
import { DEFAULT_MAX_ITEMS_PER_INSTITUTION } from './settings';

const UNIT_FIELDS = `localId titles { lang value } eqfLevel ecvetPoints status assessmentCriteria { texts { lang value } }
  learningOutcomes { statements { lang value } escoSkills } qualification { localId }`;
const QUALIFICATION_FIELDS =
  'localId titles { lang value } descriptions { lang value } eqfLevel ecvetPoints iscedCode escoOccupation status';
/** Most items one page of a rebuild asks for (the shards' own limit). */
const PAGE = 100;
/**
 * Most bytes of one answer. Parsing an answer costs the hub's event loop (npm run bench -- catalogue-hostile: when an
 * answer could hold 64 MiB and was parsed in one step, a hostile member's page of 60 MiB held the hub 1.6 s). Within
 * 2 MiB, its text parses in a few milliseconds, and MAX_ANSWER_VALUES bounds what its objects cost. Any item the
 * catalogue accepts fits in one: its text is at most MAX_ITEM_TEXT_CHARS characters, at most 6 bytes each in JSON (an
 * escape), some 1.2 MB. A page whose items do not fit asks for fewer (see `pages`), and a change's records are read in
 * parts.
 */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
/**
 * Most JSON values of one answer, counted as it arrives (resilience/json-values.ts). A parse's cost is its values more
 * than its bytes: 2 MiB of empty objects, or of small objects each under a key of its own, cost 100–200 ms to parse;
 * 100,000 values of the costliest shapes measured, 30–40 ms (70 at worst of five runs). An answer of more than 20,000
 * values is parsed in turns of the event loop (resilience/json-turns.ts): a page just under both caps, parsed in one
 * step, held a hub 93–103 ms on a 2-core Intel Xeon and 137–173 ms on an AMD EPYC; in turns, 66–77 ms on the AMD
 * (npm run bench -- catalogue-hostile). Any item the catalogue accepts fits in one: each of its texts and list entries counts
 * 20 of its MAX_ITEM_TEXT_CHARS, so it holds at most 10,000 of them, and some 50,000 values (outcomes of empty lists,
 * five values each). A page of 100 demo units holds about 11,000.
 */
export const MAX_ANSWER_VALUES = 100_000;
/**
 * What a page's answer aims at: each page asks for as many items as fill it at the size of the last page's items. A
 * quarter of MAX_ANSWER_BYTES and of MAX_ANSWER_VALUES, so a page of items up to four times larger still fits.
 */
const PAGE_TARGET_BYTES = MAX_ANSWER_BYTES / 4;
const PAGE_TARGET_VALUES = MAX_ANSWER_VALUES / 4;
/**
 * Most bytes of all the answers to one whole read of an institution (its own record, its qualifications and its units
 * together). Each answer may hold MAX_ANSWER_BYTES and a read may run to DEFAULT_MAX_ITEMS_PER_INSTITUTION items a
 * list, so without this one member could have the hub read terabytes. A read's documents stay in memory until it
 * ends, at two to three times its answers' bytes, and WHOLE_READS_AT_ONCE run together: at 256 MiB each, four
 * members answering their most hold some 2–3 GiB, within the gateway's heap. 25,000 units fit, each with its title,
 * six learning outcomes and six assessment criteria in three languages of 200 characters (10 KB of answer); at the
 * item limit, items must average 2.6 KB.
 */
export const MAX_READ_BYTES_PER_INSTITUTION = 256 * 1024 * 1024;

/** A text's language as RELEVANCE compares it: its primary subtag (`de-AT` is `de`). */
export const primaryLanguage = (tag: string): string => (tag.split('-')[0] ?? '').toLowerCase();

/**
 * The folded texts of each language. A text whose tag names no language (a shard may send anything) is searched, as
 * its shard searches it, but ranks in none.
 */
export function langTextsOf(texts: ReadonlyArray<{ lang: string; value: string }>): Record<string, string> {
  const byLanguage = new Map<string, string[]>();
  for (const { lang, value } of texts) {
    const language = primaryLanguage(lang);
    if (!TEXT_LANGUAGE.test(language)) continue;
    const values = byLanguage.get(language);
    if (values) values.push(value);
    else byLanguage.set(language, [value]);
  }
  return Object.fromEntries([...byLanguage].map(([language, values]) => [language, foldText(values.join(' '))]));
}

/** The unit as the shard indexes it (subgraphs/qualifications/unit/unit.service.ts `indexText`). */
export function unitDoc(unit: UnitAnswer): UnitDoc {
  const texts = [
    unit.localId,
    ...unit.titles.map((t) => t.value),
    ...unit.learningOutcomes.flatMap((o) => o.statements.map((t) => t.value)),
    ...unit.assessmentCriteria.flatMap((c) => c.texts.map((t) => t.value)),
  ];
  return {
    localId: unit.localId,
    qualification: unit.qualification.localId,
    sortKey: sortKeyOf(pickText(unit.titles, 'en') ?? unit.localId),
    searchText: foldText(texts.join(' ')),
    titleText: foldText(unit.titles.map((t) => t.value).join(' ')),
    langTexts: langTextsOf([
      ...unit.titles,
      ...unit.learningOutcomes.flatMap((o) => o.statements),
      ...unit.assessmentCriteria.flatMap((c) => c.texts),
    ]),
    eqfLevel: unit.eqfLevel,
    ecvetPoints: unit.ecvetPoints,
    status: unit.status,
    skills: [...new Set(unit.learningOutcomes.flatMap((o) => o.escoSkills))],
  };
}

/** The qualification as the shard indexes it (qualification.service.ts `indexText`). */
export function qualificationDoc(qualification: QualificationAnswer): QualificationDoc {
  const texts = [
    qualification.localId,
    ...qualification.titles.map((t) => t.value),
    ...qualification.descriptions.map((t) => t.value),
  ];
  return {
    localId: qualification.localId,
    sortKey: sortKeyOf(pickText(qualification.titles, 'en') ?? qualification.localId),
    searchText: foldText(texts.join(' ')),
    titleText: foldText(qualification.titles.map((t) => t.value).join(' ')),
    langTexts: langTextsOf([...qualification.titles, ...qualification.descriptions]),
    eqfLevel: qualification.eqfLevel,
    ecvetPoints: qualification.ecvetPoints,
    iscedCode: qualification.iscedCode,
    escoOccupation: qualification.escoOccupation,
    status: qualification.status,
  };
}

export interface ShardReaderOptions {
  /** The hub's hop key: the catalogue reads public data, signed as the hub with no caller. */
  hopKey: HopSigningKey | null;
  /** How long one request may take, to the last byte of its answer (a whole read asks once a page, each this long). */
  timeoutMs: number;
  /** Most units, and most qualifications, read of one institution. @default DEFAULT_MAX_ITEMS_PER_INSTITUTION */
  maxItems?: number;
  /** Most bytes of all answers to one whole read of an institution. @default MAX_READ_BYTES_PER_INSTITUTION */
  maxReadBytes?: number;
  /** Told the bytes of every answer as they arrive, of every read (the catalogue's budget per member). */
  onBytes?: (shard: Shard, bytes: number) => void;
}

/**
 * One whole read of an institution: the bytes its answers may still bring, shared by its lists, and its end: once one
 * list fails, the requests of the others stop too instead of reading on for a part that is thrown away.
 */
class WholeRead {
  private bytes = 0;
  private readonly end = new AbortController();
  constructor(
    private readonly shard: Shard,
    private readonly maxBytes: number,
  ) {}

  get signal(): AbortSignal {
    return this.end.signal;
  }

  /** Counts bytes of an answer as they arrive; past the budget the read fails. */
  spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes)
      throw new MalformedCatalogueAnswer(
        `the ${this.shard.kind} shard of ${this.shard.institution}`,
        `answered more than ${this.maxBytes} bytes to one whole read (${this.bytes} so far), the most the catalogue reads of one institution`,
      );
  }

  stop(reason: unknown): void {
    this.end.abort(reason);
  }
}

/** An answer past MAX_ANSWER_BYTES or MAX_ANSWER_VALUES, left unparsed: a page of fewer items, or fewer records, may fit. */
class AnswerTooLarge extends MalformedCatalogueAnswer {
  /** The cap it went past, in words ("2097152 bytes"). */
  readonly past: string;
  constructor(shard: Shard, past: string) {
    super(`the ${shard.kind} shard of ${shard.institution}`, `answered more than ${past} to one request`);
    this.past = past;
  }
}

/** A parsed answer, and what it held. */
interface BoundedAnswer {
  json: unknown;
  bytes: number;
  values: number;
}

/** An answer's body as JSON; read no further than MAX_ANSWER_BYTES nor past the whole read's budget, parsed only within MAX_ANSWER_VALUES. */
async function boundedJson(
  body: AsyncIterable<Buffer>,
  shard: Shard,
  read: WholeRead | null,
  onBytes: ShardReaderOptions['onBytes'],
): Promise<BoundedAnswer> {
  try {
    const answer = await readWithinCaps(body, { maxBytes: MAX_ANSWER_BYTES, maxValues: MAX_ANSWER_VALUES }, (bytes) => {
      onBytes?.(shard, bytes);
      read?.spend(bytes);
    });
    return { json: await parseInTurns(answer.text, answer.values), bytes: answer.bytes, values: answer.values };
  } catch (error) {
    if (!(error instanceof AnswerPastLimit)) throw error;
    throw new AnswerTooLarge(shard, `${error.cap} ${error.limit === 'bytes' ? 'bytes' : 'JSON values'}`);
  }
}

/** One page of a connection as a shard answered it, its shape checked (its items are checked by the caller). */
function pageOf(
  data: unknown,
  where: string,
  first: number,
): { edges: Array<{ cursor: string; node: unknown }>; hasNextPage: boolean } {
  const page = (data as { page?: unknown } | null)?.page as
    { edges?: unknown; pageInfo?: { hasNextPage?: unknown } | null } | null | undefined;
  const edges = page?.edges;
  if (!Array.isArray(edges)) throw new MalformedCatalogueAnswer(where, 'answered a page without a list of edges');
  if (edges.length > first)
    throw new MalformedCatalogueAnswer(where, `answered ${edges.length} items to a page of at most ${first}`);
  if (typeof page?.pageInfo?.hasNextPage !== 'boolean')
    throw new MalformedCatalogueAnswer(where, 'answered a page without pageInfo.hasNextPage');
  for (const edge of edges as Array<{ cursor?: unknown } | null>) {
    if (typeof edge?.cursor !== 'string' || edge.cursor.length === 0 || edge.cursor.length > 1_000)
      throw new MalformedCatalogueAnswer(where, 'answered an edge without a cursor of at most 1,000 characters');
  }
  return { edges: edges as Array<{ cursor: string; node: unknown }>, hasNextPage: page.pageInfo.hasNextPage };
}

/** Reads an institution's public data from its qualifications shard, over the same GraphQL any partner uses. */
export function createShardReader(options: ShardReaderOptions) {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS_PER_INSTITUTION;
  const maxReadBytes = options.maxReadBytes ?? MAX_READ_BYTES_PER_INSTITUTION;
  const ask = async <T>(
    shard: Shard,
    query: string,
    variables: Record<string, unknown>,
    read: WholeRead | null = null,
  ): Promise<{ data: T; bytes: number; values: number }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.hopKey)
      Object.assign(
        headers,
        await signHop({
          key: options.hopKey,
          audience: hopAudience(shard.kind, shard.institution),
          caller: null,
          requestId: randomUUID(),
          operation: { query, variables },
        }),
      );
    // A shard sending a byte now and then would otherwise hold the read, and the catalogue's readiness, for ever;
    // another list of the read failing ends this request too.
    return withDeadline(
      options.timeoutMs,
      () =>
        new Error(
          `the ${shard.kind} shard of ${shard.institution} did not answer whole within ${options.timeoutMs} ms`,
        ),
      async (signal) => {
        const response = await request(shard.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables }),
          signal,
        });
        const answer = await boundedJson(response.body, shard, read, options.onBytes);
        const body = answer.json as { data?: T; errors?: Array<{ message: string }> } | null;
        if (response.statusCode !== 200 || body?.errors?.length || !body?.data)
          throw new Error(
            `the ${shard.kind} shard of ${shard.institution} answered ${response.statusCode}: ${String(body?.errors?.[0]?.message ?? 'no data').slice(0, 500)}`,
          );
        return { data: body.data, bytes: answer.bytes, values: answer.values };
      },
      read?.signal,
    );
  };

  /**
   * Every item of a list, page by page, each checked and made the catalogue's document by `compact` as its page
   * arrives: the hub holds one answer of the list at a time, not every answer until the read ends. A hostile shard
   * cannot keep the hub reading: a cursor must move on (one seen before is an error), past `maxItems` the read fails,
   * and so it does past the whole read's byte budget. Each page asks for as many items as fill PAGE_TARGET_BYTES and
   * PAGE_TARGET_VALUES at the size of the last page's; a page past MAX_ANSWER_BYTES or MAX_ANSWER_VALUES is asked
   * again with a quarter as many, down to one item, which no item the catalogue accepts fills.
   */
  async function pages<T>(
    shard: Shard,
    read: WholeRead,
    list: 'units' | 'qualifications',
    fields: string,
    compact: (node: unknown, where: string) => T,
  ): Promise<T[]> {
    const where = `the ${shard.kind} shard of ${shard.institution} (${list})`;
    const queryOf = (first: number) =>
      `query CatalogueRead($after: String) { page: ${list}(first: ${first}, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage } } }`;
    const all: T[] = [];
    const cursors = new Set<string>();
    let after: string | null = null;
    let first = PAGE;
    for (;;) {
      let answer: { data: unknown; bytes: number; values: number };
      try {
        answer = await ask<unknown>(shard, queryOf(first), { after }, read);
      } catch (error) {
        if (!(error instanceof AnswerTooLarge)) throw error;
        if (first === 1)
          throw new MalformedCatalogueAnswer(
            where,
            `answered more than ${error.past} to a page of one item, more than any item may hold`,
          );
        first = Math.max(1, Math.floor(first / 4));
        continue;
      }
      const page = pageOf(answer.data, where, first);
      if (page.edges.length > 0)
        first = Math.min(
          PAGE,
          Math.max(
            1,
            Math.floor(
              page.edges.length *
                Math.min(PAGE_TARGET_BYTES / answer.bytes, PAGE_TARGET_VALUES / Math.max(1, answer.values)),
            ),
          ),
        );
      if (all.length + page.edges.length > maxItems)
        throw new MalformedCatalogueAnswer(
          where,
          `answered more than ${maxItems} items, the most the catalogue reads of one institution`,
        );
      for (const edge of page.edges) {
        if (cursors.has(edge.cursor))
          throw new MalformedCatalogueAnswer(
            where,
            `answered the cursor ${JSON.stringify(edge.cursor)} twice: its pages do not move on`,
          );
        cursors.add(edge.cursor);
        all.push(compact(edge.node, `the ${shard.kind} shard of ${shard.institution}: ${list}[${all.length}]`));
      }
      const last = page.edges.at(-1);
      if (!page.hasNextPage || !last) return all;
      after = last.cursor;
    }
  }

  return {
    /** Everything the catalogue holds of the institution. */
    async readInstitution(shard: Shard): Promise<InstitutionPart> {
      const read = new WholeRead(shard, maxReadBytes);
      // The first list to fail ends the others' requests (Promise.all would leave them reading on).
      const ending = <T>(list: Promise<T>): Promise<T> =>
        list.catch((error: unknown) => {
          read.stop(error);
          throw error;
        });
      const [{ data: own }, qualifications, units] = await Promise.all([
        ending(
          ask<{ institution: unknown }>(
            shard,
            'query CatalogueInstitution($id: ID!) { institution(id: $id) { id country } }',
            { id: shard.institution },
            read,
          ),
        ),
        ending(
          pages(shard, read, 'qualifications', QUALIFICATION_FIELDS, (node, where) =>
            qualificationDoc(checkQualification(node, where)),
          ),
        ),
        ending(pages(shard, read, 'units', UNIT_FIELDS, (node, where) => unitDoc(checkUnit(node, where)))),
      ]);
      if (!own.institution) throw new Error(`the shard of ${shard.institution} does not know its own institution`);
      const { country } = checkInstitution(own.institution, `the ${shard.kind} shard of ${shard.institution}`);
      return { institution: { code: shard.institution, country }, qualifications, units };
    },

    /** The records a change names (cache tags, subgraphs/qualifications/cache-tags.ts), read again. */
    async readChanged(shard: Shard, tags: readonly string[]): Promise<PartChanges> {
      const units = new Set<string>();
      const qualifications = new Set<string>();
      let institution = false;
      for (const tag of tags) {
        if (tag === 'Institution') institution = true;
        else if (tag.startsWith('Unit:')) units.add(tag.slice('Unit:'.length));
        else if (tag.startsWith('Qualification:')) qualifications.add(tag.slice('Qualification:'.length));
      }
      /** Each record asked for: its key in the answer (and its variable's name), its ID, its selection. */
      const records: Array<{ key: string; id: string; selection: string }> = [
        ...(institution
          ? [{ key: 'institution', id: shard.institution, selection: 'institution(id: $institution) { id country }' }]
          : []),
        ...[...units].map((localId, index) => ({
          key: `u${index}`,
          id: `${shard.institution}:${localId}`,
          selection: `u${index}: unit(id: $u${index}) { ${UNIT_FIELDS} }`,
        })),
        ...[...qualifications].map((localId, index) => ({
          key: `q${index}`,
          id: `${shard.institution}:${localId}`,
          selection: `q${index}: qualification(id: $q${index}) { ${QUALIFICATION_FIELDS} }`,
        })),
      ];
      if (records.length === 0) return {};
      // Records whose answer is past MAX_ANSWER_BYTES or MAX_ANSWER_VALUES are asked for again in two halves, down to
      // one record, which no record the catalogue accepts fills.
      const askFor = async (some: typeof records): Promise<Record<string, unknown>> => {
        try {
          const { data } = await ask<Record<string, unknown>>(
            shard,
            `query CatalogueChanges(${some.map((record) => `$${record.key}: ID!`).join(', ')}) { ${some.map((record) => record.selection).join(' ')} }`,
            Object.fromEntries(some.map((record) => [record.key, record.id])),
          );
          return data;
        } catch (error) {
          if (!(error instanceof AnswerTooLarge)) throw error;
          if (some.length === 1)
            throw new MalformedCatalogueAnswer(
              `the ${shard.kind} shard of ${shard.institution}`,
              `answered more than ${error.past} to one record (${some[0]?.id}), more than any item may hold`,
            );
          const half = Math.ceil(some.length / 2);
          return { ...(await askFor(some.slice(0, half))), ...(await askFor(some.slice(half))) };
        }
      };
      const data = await askFor(records);
      const own =
        data.institution == null
          ? null
          : checkInstitution(data.institution, `the ${shard.kind} shard of ${shard.institution}`);
      return {
        ...(own ? { institution: { code: shard.institution, country: own.country } } : {}),
        units: [...units].map((localId, index) => {
          const answer = data[`u${index}`];
          const where = `the ${shard.kind} shard of ${shard.institution}: unit ${localId}`;
          return { localId, doc: answer == null ? null : unitDoc(checkUnit(answer, where)) };
        }),
        qualifications: [...qualifications].map((localId, index) => {
          const answer = data[`q${index}`];
          return {
            localId,
            doc:
              answer == null
                ? null
                : qualificationDoc(
                    checkQualification(
                      answer,
                      `the ${shard.kind} shard of ${shard.institution}: qualification ${localId}`,
                    ),
                  ),
          };
        }),
      };
    },
  };
}

export type ShardReader = ReturnType<typeof createShardReader>;
