import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * Scalars that reject what is out of range, so every institution's data is comparable by construction.
 * A rejected value is a `BAD_USER_INPUT` error whose message names the scalar and the rule.
 */

/** Returns the accepted value, or the rule it broke. */
type Check<T> = (value: unknown) => { value: T } | { rule: string };
const ok = <T>(value: T) => ({ value });
const broken = (rule: string) => ({ rule });

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.INT:
      return Number(ast.value);
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.BOOLEAN:
      return ast.value;
    default:
      return undefined;
  }
}

function scalar<T>(name: string, description: string, check: Check<T>): GraphQLScalarType<T, T> {
  // A literal's error carries its node, so that the argument it was written in can be named (see input-path.ts).
  const parse = (value: unknown, node?: ValueNode): T => {
    const result = check(value);
    if ('rule' in result) {
      throw new GraphQLError(`${name} ${result.rule} (got ${JSON.stringify(value)})`, {
        nodes: node,
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return result.value;
  };
  return new GraphQLScalarType<T, T>({
    name,
    description,
    serialize: (value) => value as T,
    parseValue: (value) => parse(value),
    parseLiteral: (ast) => parse(literalValue(ast), ast),
  });
}

/** True when `type` accepts `value` as a variable's value (the check a subgraph makes), for a part that only needs the answer. */
export function parsesAs(type: GraphQLScalarType, value: unknown): boolean {
  try {
    type.parseValue(value);
    return true;
  } catch {
    return false;
  }
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const BCP47 = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$/;

/** ICU look-ups cost a shard several percent of its CPU per page; answers never change, so keep them. */
function remembered(check: (value: string) => boolean): (value: string) => boolean {
  const known = new Map<string, boolean>();
  return (value) => {
    let answer = known.get(value);
    if (answer === undefined) {
      answer = check(value);
      if (known.size < 10_000) known.set(value, answer);
    }
    return answer;
  };
}

/** True for a BCP 47 tag whose language (and region, if any) is a known ISO code. */
export const isLanguageCode = remembered(function isLanguageCode(value: string): boolean {
  if (!BCP47.test(value)) return false;
  const [language] = value.split('-');
  return language !== undefined && languageNames.of(language) !== undefined && languageNames.of(value) !== undefined;
});

/** Codes Intl names that are not countries: the EU, the euro zone, the UN, "outlying Oceania", "unknown". */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ']);

export const isCountryCode = remembered(function isCountryCode(value: string): boolean {
  return /^[A-Z]{2}$/.test(value) && !NOT_COUNTRIES.has(value) && regionNames.of(value) !== undefined;
});

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with a real calendar date and an explicit offset (no server-time guessing). */
export function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  return match !== null && isLocalDate(match[1] as string) && !Number.isNaN(Date.parse(value));
}

export function isLocalDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const ESCO_SKILL_PREFIX = 'http://data.europa.eu/esco/skill/';
export const ESCO_OCCUPATION_PREFIX = 'http://data.europa.eu/esco/occupation/';
const ESCO_SKILL = new RegExp(`^http://data\\.europa\\.eu/esco/skill/${UUID}$`);
const ESCO_OCCUPATION = new RegExp(`^http://data\\.europa\\.eu/esco/occupation/${UUID}$`);

export const EqfLevelScalar = scalar<number>(
  'EqfLevel',
  'A European Qualifications Framework level: an integer from 1 to 8 (http://data.europa.eu/snb/eqf/N).',
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 8 ? ok(v) : broken('must be an integer from 1 to 8'),
);

/** 60 ECVET points stand for one year of full-time formal VET; no unit or qualification reaches 1,000. */
export const EcvetPointsScalar = scalar<number>(
  'EcvetPoints',
  'ECVET credit points: a number from 0 to 999 with at most two decimals. 60 points = one year of full-time formal VET.',
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1000 && Math.abs(Math.round(v * 100) - v * 100) < 1e-9
      ? ok(v)
      : broken('must be a number from 0 to 999 with at most two decimals'),
);

export const LanguageCodeScalar = scalar<string>(
  'LanguageCode',
  'A BCP 47 language tag with a known ISO 639 language, e.g. "en", "lv", "de-AT".',
  (v) =>
    typeof v === 'string' && isLanguageCode(v)
      ? ok(v)
      : broken('must be a BCP 47 tag of a known language, e.g. "en" or "de-AT"'),
);

export const CountryCodeScalar = scalar<string>(
  'CountryCode',
  'An ISO 3166-1 alpha-2 country code in upper case, e.g. "LV", "DE", "FI".',
  (v) =>
    typeof v === 'string' && isCountryCode(v)
      ? ok(v)
      : broken('must be an ISO 3166-1 alpha-2 code in upper case, e.g. "LV"'),
);

export const IscedFieldCodeScalar = scalar<string>(
  'IscedFieldCode',
  'An ISCED-F 2013 field of education and training: 2 digits (broad field), 3 (narrow) or 4 (detailed), e.g. "0715" mechanics and metal trades.',
  (v) =>
    typeof v === 'string' && /^(?:0\d|10|99)\d{0,2}$/.test(v)
      ? ok(v)
      : broken('must be an ISCED-F 2013 code of 2 to 4 digits, e.g. "0715"'),
);

export const LocalDateScalar = scalar<string>('LocalDate', 'A calendar date, ISO 8601 "YYYY-MM-DD".', (v) =>
  typeof v === 'string' && isLocalDate(v) ? ok(v) : broken('must be a valid date written YYYY-MM-DD'),
);

export const DateTimeScalar = scalar<string>(
  'DateTime',
  'An instant, ISO 8601 in UTC, e.g. "2026-03-01T09:30:00.000Z".',
  (v) =>
    typeof v === 'string' && isDateTime(v)
      ? ok(new Date(v).toISOString())
      : broken('must be an ISO 8601 date-time with a valid date and an offset, e.g. "2026-03-01T09:30:00Z"'),
);

export const EscoSkillUriScalar = scalar<string>(
  'EscoSkillUri',
  'An ESCO skill or competence concept: http://data.europa.eu/esco/skill/<uuid>.',
  (v) =>
    typeof v === 'string' && ESCO_SKILL.test(v)
      ? ok(v)
      : broken('must be an ESCO skill URI http://data.europa.eu/esco/skill/<uuid>'),
);

export const EscoOccupationUriScalar = scalar<string>(
  'EscoOccupationUri',
  'An ESCO occupation concept: http://data.europa.eu/esco/occupation/<uuid>.',
  (v) =>
    typeof v === 'string' && ESCO_OCCUPATION.test(v)
      ? ok(v)
      : broken('must be an ESCO occupation URI http://data.europa.eu/esco/occupation/<uuid>'),
);
