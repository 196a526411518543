import type { GraphQLScalarType } from 'graphql';
import { LifecycleStatus } from '../../schema/enums';
import { LOCAL_ID_PATTERN } from '../../schema/ids';
import {
  CountryCodeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  EscoSkillUriScalar,
  IscedFieldCodeScalar,
  parsesAs,
} from '../../schema/scalars';
import { MAX_ITEM_TEXT_CHARS } from './settings';

/**
 * What a shard answers for the catalogue is checked before it is indexed: a shard is hostile by assumption, and
 * a malformed item (a number where text is due, text of megabytes) fails the read of its institution, named,
 * instead of reaching the index. Each check throws an error naming the item, the field and the rule.
 */

export interface Text {
  lang: string;
  value: string;
}
export interface UnitAnswer {
  localId: string;
  titles: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  status: string;
  assessmentCriteria: Array<{ texts: Text[] }>;
  learningOutcomes: Array<{ statements: Text[]; escoSkills: string[] }>;
  qualification: { localId: string };
}
export interface QualificationAnswer {
  localId: string;
  titles: Text[];
  descriptions: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  iscedCode: string;
  escoOccupation: string | null;
  status: string;
}

type Json = Record<string, unknown>;

/** A malformed answer of a shard to the catalogue, as the part's error and the log name it. */
export class MalformedCatalogueAnswer extends Error {
  constructor(where: string, rule: string) {
    super(`${where} ${rule}`);
    this.name = 'MalformedCatalogueAnswer';
  }
}

const STATUSES = new Set<unknown>(Object.values(LifecycleStatus));
/**
 * What each entry of a list counts against MAX_ITEM_TEXT_CHARS besides its own text: about the JSON of an empty text
 * (`{"lang":"","value":""}`, 22 characters). Were entries free, an item of millions of empty texts or outcomes would
 * pass as an item of no text at all, and cost the hub far more than its answer's bytes once parsed.
 */
const LIST_ENTRY_CHARS = 20;
/**
 * Most texts of one list (a title's, a description's, a statement's, a criterion's): the contract gives one per
 * language, and the languages of Europe's vocational schools, official, regional and neighbouring, are well under this.
 */
const MAX_TEXTS_PER_LIST = 100;
const ITEM_LIMIT = `brings the item's text over ${MAX_ITEM_TEXT_CHARS.toLocaleString('en')} characters (a list entry counts as ${LIST_ENTRY_CHARS})`;

/** Counts an item's text as it is checked, and its lists' entries, against MAX_ITEM_TEXT_CHARS. */
class Reading {
  private chars = 0;
  constructor(readonly where: string) {}

  private count(chars: number, field: string): void {
    this.chars += chars;
    if (this.chars > MAX_ITEM_TEXT_CHARS) this.fail(field, ITEM_LIMIT);
  }

  fail(field: string, rule: string): never {
    throw new MalformedCatalogueAnswer(`${this.where}.${field}`, rule);
  }

  object(value: unknown, field: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Json;
  }

  /** A list, its entries counted at once: a list too long for the item fails before any of it is walked. */
  list(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    this.count(value.length * LIST_ENTRY_CHARS, field);
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    this.count(value.length, field);
    return value;
  }

  scalar(value: unknown, field: string, type: GraphQLScalarType): void {
    if (!parsesAs(type, value)) this.fail(field, `must be a valid ${type.name}`);
  }

  localId(value: unknown, field: string): string {
    const id = this.string(value, field);
    if (!LOCAL_ID_PATTERN.test(id)) this.fail(field, 'must be a local ID ([A-Za-z0-9][A-Za-z0-9._-]{0,63})');
    return id;
  }

  texts(value: unknown, field: string): void {
    if (Array.isArray(value) && value.length > MAX_TEXTS_PER_LIST)
      this.fail(field, `must hold at most ${MAX_TEXTS_PER_LIST} texts, one per language (answered ${value.length})`);
    this.list(value, field).forEach((text, i) => {
      const at = `${field}[${i}]`;
      const { lang, value: words } = this.object(text, at);
      this.string(lang, `${at}.lang`);
      this.string(words, `${at}.value`);
    });
  }

  common(item: Json): void {
    this.localId(item.localId, 'localId');
    this.texts(item.titles, 'titles');
    this.scalar(item.eqfLevel, 'eqfLevel', EqfLevelScalar);
    this.scalar(item.ecvetPoints, 'ecvetPoints', EcvetPointsScalar);
    if (!STATUSES.has(item.status)) this.fail('status', `must be one of ${[...STATUSES].join(', ')}`);
  }
}

/** The unit as the shard answered it, checked; `where` names it in errors (`units[3]`). */
export function checkUnit(value: unknown, where: string): UnitAnswer {
  const reading = new Reading(where);
  const unit = reading.object(value, 'node');
  reading.common(unit);
  reading.list(unit.assessmentCriteria, 'assessmentCriteria').forEach((criterion, i) => {
    reading.texts(reading.object(criterion, `assessmentCriteria[${i}]`).texts, `assessmentCriteria[${i}].texts`);
  });
  reading.list(unit.learningOutcomes, 'learningOutcomes').forEach((outcome, i) => {
    const at = `learningOutcomes[${i}]`;
    const { statements, escoSkills } = reading.object(outcome, at);
    reading.texts(statements, `${at}.statements`);
    reading.list(escoSkills, `${at}.escoSkills`).forEach((skill, j) => {
      // The engines index the URI itself (a facet word, a key): not a text of any length or form.
      reading.string(skill, `${at}.escoSkills[${j}]`);
      reading.scalar(skill, `${at}.escoSkills[${j}]`, EscoSkillUriScalar);
    });
  });
  reading.localId(reading.object(unit.qualification, 'qualification').localId, 'qualification.localId');
  return unit as unknown as UnitAnswer;
}

/** The qualification as the shard answered it, checked; `where` names it in errors (`qualifications[3]`). */
export function checkQualification(value: unknown, where: string): QualificationAnswer {
  const reading = new Reading(where);
  const qualification = reading.object(value, 'node');
  reading.common(qualification);
  reading.texts(qualification.descriptions, 'descriptions');
  reading.scalar(qualification.iscedCode, 'iscedCode', IscedFieldCodeScalar);
  if (qualification.escoOccupation !== null) {
    reading.string(qualification.escoOccupation, 'escoOccupation');
    reading.scalar(qualification.escoOccupation, 'escoOccupation', EscoOccupationUriScalar);
  }
  return qualification as unknown as QualificationAnswer;
}

/** The institution as its shard answered it (`institution(id:) { country }`), checked. */
export function checkInstitution(value: unknown, where: string): { country: string } {
  const reading = new Reading(where);
  const institution = reading.object(value, 'institution');
  reading.scalar(institution.country, 'institution.country', CountryCodeScalar);
  return { country: institution.country as string };
}
