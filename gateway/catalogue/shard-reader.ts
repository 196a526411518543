import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { foldText, sortKeyOf } from '../../schema/cursor';
import { pickText } from '../../schema/pick-text';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop } from '../../platform/signed-hop';
import type { Shard } from '../registry/registry';
import {
  checkInstitution,
  checkQualification,
  checkUnit,
  MalformedCatalogueAnswer,
  type QualificationAnswer,
  type UnitAnswer,
} from './answer-shape';
import type { InstitutionPart, PartChanges, QualificationDoc, UnitDoc } from './engine';
import { DEFAULT_MAX_ITEMS_PER_INSTITUTION } from './settings';

const UNIT_FIELDS = `localId titles { lang value } eqfLevel ecvetPoints status assessmentCriteria { texts { lang value } }
  learningOutcomes { statements { lang value } escoSkills } qualification { localId }`;
const QUALIFICATION_FIELDS =
  'localId titles { lang value } descriptions { lang value } eqfLevel ecvetPoints iscedCode escoOccupation status';
/** Most items one page of a rebuild asks for (the shards' own limit). */
const PAGE = 100;
/** Most bytes of one answer: a page of items at their largest text, with room for JSON's escapes. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

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
    if (!/^[a-z]{2,3}$/.test(language)) continue;
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
  timeoutMs: number;
  /** Most units, and most qualifications, read of one institution. @default DEFAULT_MAX_ITEMS_PER_INSTITUTION */
  maxItems?: number;
}

/** An answer's body as JSON, read no further than MAX_ANSWER_BYTES. */
async function boundedJson(body: AsyncIterable<Buffer>, shard: Shard): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES)
      throw new MalformedCatalogueAnswer(
        `the ${shard.kind} shard of ${shard.institution}`,
        `answered more than ${MAX_ANSWER_BYTES} bytes`,
      );
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** One page of a connection as a shard answered it, its shape checked (its items are checked by the caller). */
function pageOf(
  data: unknown,
  where: string,
): { edges: Array<{ cursor: string; node: unknown }>; hasNextPage: boolean } {
  const page = (data as { page?: unknown } | null)?.page as
    { edges?: unknown; pageInfo?: { hasNextPage?: unknown } | null } | null | undefined;
  const edges = page?.edges;
  if (!Array.isArray(edges)) throw new MalformedCatalogueAnswer(where, 'answered a page without a list of edges');
  if (edges.length > PAGE)
    throw new MalformedCatalogueAnswer(where, `answered ${edges.length} items to a page of at most ${PAGE}`);
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
  const ask = async <T>(shard: Shard, query: string, variables: Record<string, unknown>): Promise<T> => {
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
    const response = await request(shard.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = (await boundedJson(response.body, shard)) as { data?: T; errors?: Array<{ message: string }> } | null;
    if (response.statusCode !== 200 || body?.errors?.length || !body?.data)
      throw new Error(
        `the ${shard.kind} shard of ${shard.institution} answered ${response.statusCode}: ${String(body?.errors?.[0]?.message ?? 'no data').slice(0, 500)}`,
      );
    return body.data;
  };

  /**
   * Every item of a list, page by page, each checked by `check`. A hostile shard cannot keep the hub reading: a
   * cursor must move on (one seen before is an error), and past `maxItems` the read fails.
   */
  async function pages<T>(
    shard: Shard,
    list: 'units' | 'qualifications',
    fields: string,
    check: (node: unknown, where: string) => T,
  ): Promise<T[]> {
    const where = `the ${shard.kind} shard of ${shard.institution} (${list})`;
    const query = `query CatalogueRead($after: String) { page: ${list}(first: ${PAGE}, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage } } }`;
    const all: T[] = [];
    const cursors = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = pageOf(await ask<unknown>(shard, query, { after }), where);
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
        all.push(check(edge.node, `the ${shard.kind} shard of ${shard.institution}: ${list}[${all.length}]`));
      }
      const last = page.edges.at(-1);
      if (!page.hasNextPage || !last) return all;
      after = last.cursor;
    }
  }

  return {
    /** Everything the catalogue holds of the institution. */
    async readInstitution(shard: Shard): Promise<InstitutionPart> {
      const [own, qualifications, units] = await Promise.all([
        ask<{ institution: unknown }>(
          shard,
          'query CatalogueInstitution($id: ID!) { institution(id: $id) { id country } }',
          { id: shard.institution },
        ),
        pages(shard, 'qualifications', QUALIFICATION_FIELDS, checkQualification),
        pages(shard, 'units', UNIT_FIELDS, checkUnit),
      ]);
      if (!own.institution) throw new Error(`the shard of ${shard.institution} does not know its own institution`);
      const { country } = checkInstitution(own.institution, `the ${shard.kind} shard of ${shard.institution}`);
      return {
        institution: { code: shard.institution, country },
        qualifications: qualifications.map(qualificationDoc),
        units: units.map(unitDoc),
      };
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
      const selections: string[] = [];
      const variables: Record<string, unknown> = {};
      const definitions: string[] = [];
      if (institution) {
        definitions.push('$institution: ID!');
        variables.institution = shard.institution;
        selections.push('institution(id: $institution) { id country }');
      }
      [...units].forEach((localId, index) => {
        definitions.push(`$u${index}: ID!`);
        variables[`u${index}`] = `${shard.institution}:${localId}`;
        selections.push(`u${index}: unit(id: $u${index}) { ${UNIT_FIELDS} }`);
      });
      [...qualifications].forEach((localId, index) => {
        definitions.push(`$q${index}: ID!`);
        variables[`q${index}`] = `${shard.institution}:${localId}`;
        selections.push(`q${index}: qualification(id: $q${index}) { ${QUALIFICATION_FIELDS} }`);
      });
      if (selections.length === 0) return {};
      const data = await ask<Record<string, unknown>>(
        shard,
        `query CatalogueChanges(${definitions.join(', ')}) { ${selections.join(' ')} }`,
        variables,
      );
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
