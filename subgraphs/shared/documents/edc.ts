import type { PublicInstitution, PublicLearningOutcome, Text } from './hub-data';
import { alpha3 } from './countries';

/**
 * Building blocks of Europass Digital Credentials (ELM 3.2 on the W3C VC Data Model 2.0, JSON-LD), shared by
 * the transcript (mobilities kind) and the certificate (recognition kind). Every function returns plain JSON
 * that the official EDC JSON Schema accepts; `edc.test.ts` holds them to it.
 */
export type Json = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | Json | JsonValue[];

/** The ECVET credit framework in the EU's education-credit vocabulary. */
export const ECVET_FRAMEWORK = 'http://data.europa.eu/snb/education-credit/60b314e826';
export const EQF_LEVEL = (level: number) => `http://data.europa.eu/snb/eqf/${level}`;
export const SCHEMES = {
  credit: 'http://data.europa.eu/snb/education-credit/25831c2',
  eqf: 'http://data.europa.eu/snb/eqf/25831c2',
  isced: 'http://data.europa.eu/snb/isced-f/25831c2',
  esco: 'http://data.europa.eu/esco/concept-scheme/skills',
  country: 'http://publications.europa.eu/resource/authority/country',
  language: 'http://publications.europa.eu/resource/authority/language',
  fileType: 'http://publications.europa.eu/resource/authority/file-type',
  encoding: 'http://data.europa.eu/snb/encoding/25831c2',
  profile: 'http://data.europa.eu/snb/credential/25831c2',
} as const;

/** URIs the hub gives the nodes it describes; hub IDs inside them name the owner. */
export const uris = {
  institution: (code: string) => `urn:ecvet-hub:institution:${code}`,
  learner: (id: string) => `urn:ecvet-hub:learner:${id}`,
  unit: (id: string) => `urn:ecvet-hub:unit:${id}`,
  learningOutcome: (id: string) => `urn:ecvet-hub:learning-outcome:${id}`,
  node: (credential: string, kind: string, n: number | string) => `${credential}#${kind}-${n}`,
};

/**
 * A language map as ELM wants it: ISO 639-1 keys, each with its texts. Region subtags are dropped (the
 * schema accepts two-letter keys only); texts in no such language fall back to English.
 */
export function langMap(texts: readonly Text[], fallback = ''): Json {
  const map: Record<string, string[]> = {};
  for (const text of texts) {
    const base = text.lang.split('-')[0]?.toLowerCase() ?? '';
    const key = /^[a-z]{2}$/.test(base) ? base : 'en';
    (map[key] ??= []).push(text.value);
  }
  return Object.keys(map).length > 0 ? map : { en: [fallback] };
}

export function concept(id: string, scheme: string, label?: string, notation?: string): Json {
  return {
    id,
    type: 'Concept',
    inScheme: { id: scheme, type: 'ConceptScheme' },
    ...(label ? { prefLabel: { en: [label] } } : {}),
    ...(notation ? { notation } : {}),
  };
}

export const eqfLevel = (level: number) => concept(EQF_LEVEL(level), SCHEMES.eqf, `EQF level ${level}`);
export const iscedField = (code: string) =>
  concept(`http://data.europa.eu/snb/isced-f/${code}`, SCHEMES.isced, undefined, code);
export const escoSkill = (uri: string) => concept(uri, SCHEMES.esco);
export const ENGLISH = concept(`${SCHEMES.language}/ENG`, SCHEMES.language, 'English');

export function country(alpha2: string): Json {
  const code = alpha3(alpha2);
  return code
    ? concept(`${SCHEMES.country}/${code}`, SCHEMES.country)
    : { type: 'Concept', notation: alpha2.toUpperCase() };
}

/** ECVET points, as ELM writes credit: a decimal in a string, with the ECVET framework. */
export function ecvetCredit(points: number): Json {
  return {
    type: 'CreditPoint',
    framework: concept(ECVET_FRAMEWORK, SCHEMES.credit, 'European Credit system for Vocational Education and Training'),
    point: String(points),
  };
}

export const note = (text: string): Json => ({ type: 'Note', noteLiteral: { en: [text] } });
export const identifier = (notation: string, schemeName: string): Json => ({
  type: 'Identifier',
  notation,
  schemeName,
});
export const dateTime = (date: string) => (date.length === 10 ? `${date}T00:00:00Z` : date);

/** An institution of the hub: legal name in every language it has, its country, SCHAC code and website. */
export function organisation(institution: PublicInstitution): Json {
  return {
    id: uris.institution(institution.id),
    type: 'Organisation',
    legalName: langMap(institution.names, institution.id),
    identifier: [identifier(institution.id, 'SCHAC')],
    location: [{ type: 'Location', address: [{ type: 'Address', countryCode: country(institution.country) }] }],
    ...(institution.website ? { homepage: [{ type: 'WebResource', contentURL: institution.website }] } : {}),
  };
}

export function awardingProcess(awardingBody: PublicInstitution, date?: string): Json {
  return {
    type: 'AwardingProcess',
    awardingBody: [organisation(awardingBody)],
    ...(date ? { awardingDate: dateTime(date) } : {}),
  };
}

const CATEGORY: Record<PublicLearningOutcome['category'], string> = {
  KNOWLEDGE: 'knowledge',
  SKILLS: 'skills',
  COMPETENCE: 'competence',
};

/** A learning outcome with its statement in every language and the ESCO skills it evidences. */
export function learningOutcome(outcome: PublicLearningOutcome): Json {
  return {
    id: uris.learningOutcome(outcome.id),
    type: 'LearningOutcome',
    title: langMap(outcome.statements, outcome.id),
    identifier: identifier(outcome.id, 'ECVET hub learning outcome ID'),
    dcType: { type: 'Concept', prefLabel: { en: [CATEGORY[outcome.category]] }, notation: outcome.category },
    ...(outcome.escoSkills.length > 0 ? { relatedESCOSkill: outcome.escoSkills.map(escoSkill) } : {}),
  };
}

export interface UnitSpecification {
  id: string;
  titles: readonly Text[];
  eqfLevel: number;
  ecvetPoints: number;
  iscedCode: string | null;
  learningOutcomes: readonly PublicLearningOutcome[];
}

/** A unit of learning outcomes as an ELM learning achievement specification: EQF level, ECVET points, outcomes. */
export function unitSpecification(unit: UnitSpecification): Json {
  return {
    id: uris.unit(unit.id),
    type: 'LearningAchievementSpecification',
    title: langMap(unit.titles, unit.id),
    identifier: identifier(unit.id, 'ECVET hub unit ID'),
    dcType: [{ type: 'Concept', prefLabel: { en: ['unit of learning outcomes'] } }],
    creditPoint: [ecvetCredit(unit.ecvetPoints)],
    educationLevel: [eqfLevel(unit.eqfLevel)],
    ...(unit.iscedCode ? { thematicArea: [iscedField(unit.iscedCode)] } : {}),
    learningOutcome: unit.learningOutcomes.map(learningOutcome),
  };
}

export interface AssessmentInput {
  id: string;
  title: string;
  grade: string;
  date: string;
  by: PublicInstitution;
}

export function assessment(input: AssessmentInput): Json {
  return {
    id: input.id,
    type: 'LearningAssessment',
    title: { en: [input.title] },
    grade: note(input.grade),
    dateIssued: dateTime(input.date),
    awardedBy: awardingProcess(input.by, input.date),
  };
}

export interface CredentialEnvelope {
  /** The credential's URI. */
  id: string;
  issuer: PublicInstitution;
  /** When the record the credential attests was issued (ISO 8601): the credential says the same each time it is made. */
  issued: string;
  identifiers: Json[];
  subject: Json;
  display: Json;
}

/** A European Digital Credential around a subject: the VCDM 2.0 envelope with the EDC profile. */
export function europeanDigitalCredential(envelope: CredentialEnvelope): Json {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap'],
    id: envelope.id,
    type: ['VerifiableCredential', 'VerifiableAttestation', 'EuropeanDigitalCredential'],
    identifier: envelope.identifiers,
    credentialSchema: [{ id: 'http://data.europa.eu/snb/model/ap/edc-generic-full', type: 'ShaclValidator2017' }],
    credentialProfiles: [concept('http://data.europa.eu/snb/credential/e34929035b', SCHEMES.profile, 'Generic')],
    displayParameter: envelope.display,
    issuer: organisation(envelope.issuer),
    issued: envelope.issued,
    validFrom: envelope.issued,
    credentialSubject: envelope.subject,
  };
}

/** A learner as the credential subject; names are not in any language, so they are given as English, like Europass does. */
export function person(learner: { id: string; name: string; dateOfBirth?: string | null }, claims: Json[]): Json {
  const parts = learner.name.trim().split(/\s+/);
  const familyName = parts.length > 1 ? (parts.at(-1) as string) : null;
  return {
    id: uris.learner(learner.id),
    type: 'Person',
    identifier: [identifier(learner.id, 'ECVET hub learner ID')],
    fullName: { en: [learner.name] },
    ...(familyName ? { givenName: { en: [parts.slice(0, -1).join(' ')] }, familyName: { en: [familyName] } } : {}),
    ...(learner.dateOfBirth ? { dateOfBirth: dateTime(learner.dateOfBirth) } : {}),
    hasClaim: claims,
  };
}
