import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { foldText, sortKeyOf } from '../../schema/cursor';
import { pickText } from '../../schema/pick-text';
import type { HopSigningKey } from '../../platform/hop-keys';
import { hopAudience, signHop } from '../../platform/signed-hop';
import type { Shard } from '../registry/registry';
import type { InstitutionPart, PartChanges, QualificationDoc, UnitDoc } from './engine';

interface Text {
  lang: string;
  value: string;
}
interface UnitAnswer {
  localId: string;
  titles: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  status: string;
  assessmentCriteria: Array<{ texts: Text[] }>;
  learningOutcomes: Array<{ statements: Text[]; escoSkills: string[] }>;
  qualification: { localId: string };
}
interface QualificationAnswer {
  localId: string;
  titles: Text[];
  descriptions: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  iscedCode: string;
  escoOccupation: string | null;
  status: string;
}

const UNIT_FIELDS = `localId titles { lang value } eqfLevel ecvetPoints status assessmentCriteria { texts { lang value } }
  learningOutcomes { statements { lang value } escoSkills } qualification { localId }`;
const QUALIFICATION_FIELDS =
  'localId titles { lang value } descriptions { lang value } eqfLevel ecvetPoints iscedCode escoOccupation status';
/** Most items one page of a rebuild asks for (the shards' own limit). */
const PAGE = 100;

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
}

/** Reads an institution's public data from its qualifications shard, over the same GraphQL any partner uses. */
export function createShardReader(options: ShardReaderOptions) {
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
    const body = (await response.body.json()) as { data?: T; errors?: Array<{ message: string }> };
    if (response.statusCode !== 200 || body.errors?.length || !body.data)
      throw new Error(
        `the ${shard.kind} shard of ${shard.institution} answered ${response.statusCode}: ${body.errors?.[0]?.message ?? 'no data'}`,
      );
    return body.data;
  };

  async function pages<T>(shard: Shard, list: 'units' | 'qualifications', fields: string): Promise<T[]> {
    const all: T[] = [];
    let after: string | null = null;
    for (;;) {
      const query = `query CatalogueRead($after: String) { page: ${list}(first: ${PAGE}, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage } } }`;
      const data: { page: { edges: Array<{ cursor: string; node: T }>; pageInfo: { hasNextPage: boolean } } } =
        await ask(shard, query, { after });
      all.push(...data.page.edges.map((edge) => edge.node));
      const last = data.page.edges.at(-1);
      if (!data.page.pageInfo.hasNextPage || !last) return all;
      after = last.cursor;
    }
  }

  return {
    /** Everything the catalogue holds of the institution. */
    async readInstitution(shard: Shard): Promise<InstitutionPart> {
      const [own, qualifications, units] = await Promise.all([
        ask<{ institution: { id: string; country: string } | null }>(
          shard,
          'query CatalogueInstitution($id: ID!) { institution(id: $id) { id country } }',
          { id: shard.institution },
        ),
        pages<QualificationAnswer>(shard, 'qualifications', QUALIFICATION_FIELDS),
        pages<UnitAnswer>(shard, 'units', UNIT_FIELDS),
      ]);
      if (!own.institution) throw new Error(`the shard of ${shard.institution} does not know its own institution`);
      return {
        institution: { code: shard.institution, country: own.institution.country },
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
      const own = data.institution as { country: string } | null | undefined;
      return {
        ...(own ? { institution: { code: shard.institution, country: own.country } } : {}),
        units: [...units].map((localId, index) => {
          const answer = data[`u${index}`] as UnitAnswer | null;
          return { localId, doc: answer ? unitDoc(answer) : null };
        }),
        qualifications: [...qualifications].map((localId, index) => {
          const answer = data[`q${index}`] as QualificationAnswer | null;
          return { localId, doc: answer ? qualificationDoc(answer) : null };
        }),
      };
    },
  };
}

export type ShardReader = ReturnType<typeof createShardReader>;
