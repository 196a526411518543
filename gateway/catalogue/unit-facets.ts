import type { SearchFilter } from './engine';

/** What a unit's filters read: its own fields, its qualification's and its institution's. */
export interface UnitFacets {
  institution: string;
  /** Null while the institution's row is not held. */
  country: string | null;
  eqfLevel: number;
  ecvetPoints: number;
  status: string;
  /** The qualification's ISCED-F code ('' while the qualification is not held). */
  isced: string;
  occupation: string | null;
  skills: readonly string[];
}

/** The letter naming each field in its facet words (`_` + letter + the value in hex). */
const FIELD = {
  institution: 'n',
  country: 'c',
  eqfLevel: 'e',
  ecvetPoints: 'p',
  status: 't',
  isced: 'i',
  occupation: 'o',
  skill: 'k',
  titleWord: 'w',
} as const;

/**
 * A facet word: `_`, the field's letter, then the value's UTF-8 bytes in hex. A folded word is [a-z0-9] only, so no
 * word of a text is a facet word, and the hex keeps any value (a URI, a code with dashes) one token, each value its
 * own.
 */
const facet = (field: keyof typeof FIELD, value: string | number) =>
  `_${FIELD[field]}${Buffer.from(String(value), 'utf8').toString('hex')}`;

/** The facet word of units whose qualification prepares for this ESCO occupation (PostgreSQL's words hold it too). */
export const occupationFacetOf = (occupation: string) => facet('occupation', occupation);

/** The facet word of units one of whose outcomes links this ESCO skill (PostgreSQL's words hold it too). */
export const skillFacetOf = (skill: string) => facet('skill', skill);

/**
 * The facet word of units whose title holds this word whole: PostgreSQL's words hold it, for RELEVANCE's first tier
 * (SQLite keeps the titles' words in an index of their own).
 */
export const titleWordFacetOf = (word: string) => facet('titleWord', word);

/** The ISCED-F prefixes a code answers to: each beginning of its leading digits ("0715": 0, 07, 071, 0715). */
const iscedPrefixesOf = (code: string) => {
  const digits = /^[0-9]*/.exec(code)?.[0] ?? '';
  return Array.from({ length: digits.length }, (_, n) => digits.slice(0, n + 1));
};

/**
 * The facet words indexed beside a unit's words, so that a text search with these filters is one match in the text
 * index (the rows holding the words and the filters' facet words) instead of a check of each row holding the words.
 */
export function facetWordsOf(unit: UnitFacets): string {
  return [
    facet('institution', unit.institution),
    ...(unit.country === null ? [] : [facet('country', unit.country)]),
    facet('eqfLevel', unit.eqfLevel),
    facet('ecvetPoints', unit.ecvetPoints),
    facet('status', unit.status),
    ...iscedPrefixesOf(unit.isced).map((prefix) => facet('isced', prefix)),
    ...(unit.occupation === null ? [] : [facet('occupation', unit.occupation)]),
    ...unit.skills.map((skill) => facet('skill', skill)),
  ].join(' ');
}

const term = (word: string) => `"${word}"`;
const anyOf = (words: readonly string[]) => `(${words.map(term).join(' OR ')})`;

/** The text index term of units worth these ECVET points (the number as the catalogue's rows give it back). */
export const pointsTermOf = (points: number) => term(facet('ecvetPoints', points));

/**
 * The ECVET points values some unit holds between the bounds (each optional), or null when there are too many to
 * name in one query.
 */
export type PointsHeld = (min: number | undefined, max: number | undefined) => readonly number[] | null;

/** The filters that are one field's equality, and that field. */
const EQUALITY_FILTERS = [
  ['institution', 'institution'],
  ['country', 'country'],
  ['eqfLevel', 'eqfLevel'],
  ['status', 'status'],
  ['escoOccupation', 'occupation'],
] as const satisfies ReadonlyArray<readonly [keyof SearchFilter, keyof typeof FIELD]>;

/**
 * The units' filters that facet words answer, as text index terms (each to hold), and the filter left for the rows
 * (the qualification, an ISCED-F prefix that is not digits, points when `pointsHeld` cannot name them). Each term is
 * exactly its filter as `whereOf` writes it: equality, a skill among several, a prefix of digits (which `LIKE`
 * matches as `startsWith`), a points range as the values held in it.
 */
export function facetTermsOf(filter: SearchFilter, pointsHeld?: PointsHeld): { terms: string[]; rest: SearchFilter } {
  const rest: SearchFilter = { ...filter };
  const terms: string[] = [];
  for (const [name, field] of EQUALITY_FILTERS) {
    const value = filter[name];
    if (value === undefined) continue;
    terms.push(term(facet(field, value)));
    delete rest[name];
  }
  const points =
    filter.pointsMin === undefined && filter.pointsMax === undefined
      ? null
      : (pointsHeld?.(filter.pointsMin, filter.pointsMax) ?? null);
  if (points !== null) {
    // No value held in the range: `_p` alone is the facet word of no unit.
    terms.push(points.length === 0 ? term(`_${FIELD.ecvetPoints}`) : anyOf(points.map((p) => facet('ecvetPoints', p))));
    delete rest.pointsMin;
    delete rest.pointsMax;
  }
  if (filter.iscedPrefix !== undefined && /^[0-9]+$/.test(filter.iscedPrefix)) {
    terms.push(term(facet('isced', filter.iscedPrefix)));
    delete rest.iscedPrefix;
  }
  if (filter.escoSkills && filter.escoSkills.length > 0) {
    terms.push(anyOf(filter.escoSkills.map((skill) => facet('skill', skill))));
    delete rest.escoSkills;
  }
  return { terms, rest };
}
