import { ConflictError } from '../../../schema/errors';
import type { HubClient } from '../hub-client';

/**
 * The public data a document shows besides the owner's own records — institutions, qualifications, units and
 * their learning outcomes — read from the qualifications kind through the hub, all in one request.
 */
export interface Text {
  lang: string;
  value: string;
}

export interface PublicInstitution {
  id: string;
  names: Text[];
  country: string;
  city: string;
  website: string | null;
}

export interface PublicLearningOutcome {
  id: string;
  position: number;
  category: 'KNOWLEDGE' | 'SKILLS' | 'COMPETENCE';
  statements: Text[];
  escoSkills: string[];
}

export interface PublicQualification {
  id: string;
  titles: Text[];
  eqfLevel: number;
  iscedCode: string;
  ecvetPoints: number;
}

export interface PublicUnit {
  id: string;
  localId: string;
  titles: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  qualification: PublicQualification;
  learningOutcomes: PublicLearningOutcome[];
}

export interface PublicData {
  institutions: Map<string, PublicInstitution>;
  qualifications: Map<string, PublicQualification>;
  units: Map<string, PublicUnit>;
}

export interface PublicDataRequest {
  institutions?: readonly string[];
  qualifications?: readonly string[];
  units?: readonly string[];
}

const TEXT = '{ lang value }';
const QUALIFICATION = `{ id titles ${TEXT} eqfLevel iscedCode ecvetPoints }`;
const FIELDS = {
  i: `{ id names ${TEXT} country city website }`,
  q: QUALIFICATION,
  u: `{ id localId titles ${TEXT} eqfLevel ecvetPoints qualification ${QUALIFICATION} learningOutcomes { id position category statements ${TEXT} escoSkills } }`,
} as const;
const ROOT = { i: 'institution', q: 'qualification', u: 'unit' } as const;

/** The query for a request: one aliased root field per ID (`i0`, `q0`, `u0`…), so the hub routes each to its owner. */
export function publicDataQuery(request: PublicDataRequest): { query: string; variables: Record<string, string> } {
  const lists = {
    i: [...new Set(request.institutions ?? [])],
    q: [...new Set(request.qualifications ?? [])],
    u: [...new Set(request.units ?? [])],
  };
  const variables: Record<string, string> = {};
  const definitions: string[] = [];
  const fields: string[] = [];
  for (const prefix of ['i', 'q', 'u'] as const) {
    lists[prefix].forEach((id, index) => {
      const name = `${prefix}${index}`;
      variables[name] = id;
      definitions.push(`$${name}: ID!`);
      fields.push(`${name}: ${ROOT[prefix]}(id: $${name}) ${FIELDS[prefix]}`);
    });
  }
  return { query: `query DocumentData(${definitions.join(', ')}) {\n  ${fields.join('\n  ')}\n}`, variables };
}

/** Reads the public data; anything missing is a CONFLICT naming it and why the hub did not answer. */
export async function publicDataFromHub(hub: HubClient | null, request: PublicDataRequest): Promise<PublicData> {
  const data: PublicData = { institutions: new Map(), qualifications: new Map(), units: new Map() };
  const { query, variables } = publicDataQuery(request);
  if (Object.keys(variables).length === 0) return data;
  if (!hub)
    throw new ConflictError(
      'This shard was started without HUB_URL, so it cannot read the units and institutions a document shows',
    );
  const answer = await hub.request<Record<string, unknown>>(query, variables);
  const missing: string[] = [];
  for (const [alias, id] of Object.entries(variables)) {
    const value = answer.data?.[alias];
    if (!value) {
      const why = answer.errors.find((e) => e.path?.[0] === alias)?.message ?? answer.errors[0]?.message ?? 'not found';
      missing.push(`${id} (${why})`);
      continue;
    }
    if (alias.startsWith('i')) data.institutions.set(id, value as PublicInstitution);
    else if (alias.startsWith('q')) data.qualifications.set(id, value as PublicQualification);
    else data.units.set(id, value as PublicUnit);
  }
  if (missing.length > 0)
    throw new ConflictError(`Cannot read through the hub what the document shows: ${missing.join('; ')}`);
  return data;
}
