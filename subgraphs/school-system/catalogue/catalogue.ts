import { textOf, type SchoolDatabase, type Row } from '../database';

/** A text in one language, as the contract's LocalizedText. */
export interface Text {
  lang: string;
  value: string;
}

export interface InstitutionRecord {
  names: Text[];
  country: string;
  city: string;
  website: string | null;
}

export interface QualificationRecord {
  localId: string;
  titles: Text[];
  descriptions: Text[];
  eqfLevel: number;
  nqfLevel: number | null;
  iscedCode: string;
  ecvetPoints: number;
  escoOccupation: string | null;
  status: 'ACTIVE' | 'RETIRED';
  updatedAt: string;
}

export interface OutcomeRecord {
  localId: string;
  unitLocalId: string;
  position: number;
  category: 'KNOWLEDGE' | 'SKILLS' | 'COMPETENCE';
  statements: Text[];
  escoSkills: string[];
}

export interface UnitRecord {
  localId: string;
  qualificationLocalId: string;
  titles: Text[];
  eqfLevel: number;
  ecvetPoints: number;
  validFrom: string;
  validUntil: string | null;
  status: 'ACTIVE' | 'RETIRED';
  updatedAt: string;
  outcomes: OutcomeRecord[];
  criteria: Text[][];
}

/** Everything the school publishes, read from the mapping's views in one go. */
export interface Catalogue {
  institution: InstitutionRecord | null;
  qualifications: Map<string, QualificationRecord>;
  units: Map<string, UnitRecord>;
  outcomes: Map<string, OutcomeRecord>;
}

const text = (value: unknown) => (value === null || value === undefined ? null : textOf(value));
const number = (value: unknown) => Number(value);
/** SQLite and MariaDB write instants as "YYYY-MM-DD HH:MM:SS.fff" in UTC; the contract's DateTime is ISO 8601. */
const instant = (value: unknown) => new Date(`${textOf(value).replace(' ', 'T').replace(/Z?$/, 'Z')}`).toISOString();
const date = (value: unknown) => (value === null || value === undefined ? null : textOf(value).slice(0, 10));

/**
 * Reads the views (a school's catalogue is small: dozens of units, not thousands), so that filters, order and
 * paging work on the records exactly as the contract states them, on SQLite and MariaDB alike.
 */
export async function readCatalogue(db: SchoolDatabase): Promise<Catalogue> {
  const [institutions, qualifications, units, outcomes, skills, criteria, texts] = await Promise.all([
    db.all('SELECT * FROM hub_institution'),
    db.all('SELECT * FROM hub_qualification'),
    db.all('SELECT * FROM hub_unit'),
    db.all('SELECT * FROM hub_learning_outcome ORDER BY unit_local_id, position'),
    db.all('SELECT * FROM hub_outcome_skill ORDER BY outcome_local_id, skill'),
    db.all('SELECT * FROM hub_criterion ORDER BY unit_local_id, position'),
    db.all('SELECT * FROM hub_text ORDER BY entity, local_id, field, lang'),
  ]);
  const textsOf = new Map<string, Text[]>();
  for (const row of texts) {
    const key = `${textOf(row.entity)}|${textOf(row.local_id)}|${textOf(row.field)}`;
    const list = textsOf.get(key) ?? [];
    list.push({ lang: textOf(row.lang), value: textOf(row.value) });
    textsOf.set(key, list);
  }
  const textList = (entity: string, localId: string, field: string) =>
    textsOf.get(`${entity}|${localId}|${field}`) ?? [];
  const first: Row | undefined = institutions[0];
  const catalogue: Catalogue = {
    institution: first
      ? {
          names: textList('Institution', '', 'name'),
          country: textOf(first.country),
          city: textOf(first.city),
          website: text(first.website),
        }
      : null,
    qualifications: new Map(),
    units: new Map(),
    outcomes: new Map(),
  };
  for (const row of qualifications) {
    const localId = textOf(row.local_id);
    catalogue.qualifications.set(localId, {
      localId,
      titles: textList('Qualification', localId, 'title'),
      descriptions: textList('Qualification', localId, 'description'),
      eqfLevel: number(row.eqf_level),
      nqfLevel: row.nqf_level === null ? null : number(row.nqf_level),
      iscedCode: textOf(row.isced_code),
      ecvetPoints: number(row.ecvet_points),
      escoOccupation: text(row.esco_occupation),
      status: row.status === 'ACTIVE' ? 'ACTIVE' : 'RETIRED',
      updatedAt: instant(row.updated_at),
    });
  }
  for (const row of units) {
    const localId = textOf(row.local_id);
    catalogue.units.set(localId, {
      localId,
      qualificationLocalId: textOf(row.qualification_local_id),
      titles: textList('Unit', localId, 'title'),
      eqfLevel: number(row.eqf_level),
      ecvetPoints: number(row.ecvet_points),
      validFrom: date(row.valid_from) ?? '',
      validUntil: date(row.valid_until),
      status: row.status === 'ACTIVE' ? 'ACTIVE' : 'RETIRED',
      updatedAt: instant(row.updated_at),
      outcomes: [],
      criteria: [],
    });
  }
  for (const row of outcomes) {
    const localId = textOf(row.local_id);
    const outcome: OutcomeRecord = {
      localId,
      unitLocalId: textOf(row.unit_local_id),
      position: number(row.position),
      category: row.category as OutcomeRecord['category'],
      statements: textList('LearningOutcome', localId, 'statement'),
      escoSkills: [],
    };
    catalogue.outcomes.set(localId, outcome);
    catalogue.units.get(outcome.unitLocalId)?.outcomes.push(outcome);
  }
  for (const row of skills) catalogue.outcomes.get(textOf(row.outcome_local_id))?.escoSkills.push(textOf(row.skill));
  for (const row of criteria)
    catalogue.units.get(textOf(row.unit_local_id))?.criteria.push(textList('Criterion', textOf(row.local_id), 'text'));
  return catalogue;
}
