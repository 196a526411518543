import { GraphQLError, parseValue as parseValueNode, type GraphQLScalarType } from 'graphql';
import { foldText, sortKeyOf } from './cursor';
import { entityId, isInstitutionCode, ownerOf, parseEntityId } from './ids';
import { pickText } from './localized-text';
import {
  CountryCodeScalar,
  DateTimeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  EscoSkillUriScalar,
  IscedFieldCodeScalar,
  LanguageCodeScalar,
  LocalDateScalar,
} from './scalars';

const UUID = '7b3c1e4a-2f5d-4c8e-9a10-3d6f2b8e5c71';
const SKILL = `http://data.europa.eu/esco/skill/${UUID}`;
const OCCUPATION = `http://data.europa.eu/esco/occupation/${UUID}`;

interface Case {
  scalar: GraphQLScalarType;
  accepted: Array<string | number>;
  rejected: Array<string | number>;
}

const cases: Case[] = [
  { scalar: EqfLevelScalar, accepted: [1, 4, 8], rejected: [0, 9, 4.5, -1, '4'] },
  { scalar: EcvetPointsScalar, accepted: [0, 7.5, 0.07, 30, 999.99], rejected: [-1, 1000, 1.234, 999.999, '5'] },
  {
    scalar: LanguageCodeScalar,
    accepted: ['en', 'lv', 'de-AT', 'fi', 'sr-Latn-RS'],
    rejected: ['xx', 'EN', 'english', 'en-us', 'en-XX', '', 5],
  },
  { scalar: CountryCodeScalar, accepted: ['LV', 'DE', 'FI'], rejected: ['lv', 'XX', 'ZZ', 'LVA', 'L', 1] },
  {
    scalar: IscedFieldCodeScalar,
    accepted: ['00', '07', '071', '0715', '10', '99'],
    rejected: ['7', '11', '07151', '07a5', 715],
  },
  {
    scalar: LocalDateScalar,
    accepted: ['2024-02-29', '2025-12-31'],
    rejected: ['2025-02-30', '2023-02-29', '2025-13-01', '2025-1-1', '2025-01-01T00:00:00Z', 20250101],
  },
  {
    scalar: DateTimeScalar,
    accepted: ['2026-03-01T09:30:00.000Z'],
    rejected: ['2026-03-01', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-03-01T09:30:00', 0],
  },
  {
    scalar: EscoSkillUriScalar,
    accepted: [SKILL],
    rejected: [OCCUPATION, SKILL.replace('http:', 'https:'), SKILL.toUpperCase(), `${SKILL}/`, UUID],
  },
  {
    scalar: EscoOccupationUriScalar,
    accepted: [OCCUPATION],
    rejected: [SKILL, `${OCCUPATION}x`, OCCUPATION.replace('-', '')],
  },
];

/** The GraphQL literal that writes a test value: numbers bare, strings quoted. */
const literal = (value: string | number) =>
  parseValueNode(typeof value === 'number' ? String(value) : JSON.stringify(value));

function expectRejected(parse: () => unknown, scalarName: string): void {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  expect((thrown as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
  expect((thrown as GraphQLError).message).toMatch(new RegExp(`^${scalarName} must `));
}

describe.each(cases)('$scalar.name', ({ scalar, accepted, rejected }) => {
  it.each(accepted)('accepts %p as a variable and as a literal', (value) => {
    expect(scalar.parseValue(value)).toBe(value);
    expect(scalar.parseLiteral(literal(value), undefined)).toBe(value);
  });

  it.each(rejected)('rejects %p as a variable and as a literal', (value) => {
    expectRejected(() => scalar.parseValue(value), scalar.name);
    expectRejected(() => scalar.parseLiteral(literal(value), undefined), scalar.name);
  });

  it('rejects null, booleans, objects and lists', () => {
    for (const value of [null, true, {}, ['en']]) expectRejected(() => scalar.parseValue(value), scalar.name);
    for (const text of ['true', '{ a: 1 }', '[1]'])
      expectRejected(() => scalar.parseLiteral(parseValueNode(text), undefined), scalar.name);
  });
});

describe('scalar details', () => {
  it('names the rule and the value in the message', () => {
    expect(() => EqfLevelScalar.parseValue(9)).toThrow('EqfLevel must be an integer from 1 to 8 (got 9)');
  });

  it('normalizes a DateTime with an offset to UTC', () => {
    expect(DateTimeScalar.parseValue('2026-03-01T11:30:00+02:00')).toBe('2026-03-01T09:30:00.000Z');
  });

  it('rejects non-finite ECVET points', () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NaN])
      expectRejected(() => EcvetPointsScalar.parseValue(value), 'EcvetPoints');
  });
});

describe('pickText', () => {
  const texts = [
    { lang: 'lv', value: 'Metināšana' },
    { lang: 'de-AT', value: 'Schweißen (AT)' },
    { lang: 'en', value: 'Welding' },
  ];

  it('picks the exact language, else the base language either way round', () => {
    expect(pickText(texts, 'lv')).toBe('Metināšana');
    expect(pickText(texts, 'de-AT')).toBe('Schweißen (AT)');
    expect(pickText(texts, 'de')).toBe('Schweißen (AT)');
    expect(pickText(texts, 'lv-LV')).toBe('Metināšana');
  });

  it('falls back to English (also when no language is asked), then to the first text', () => {
    expect(pickText(texts, 'fi')).toBe('Welding');
    expect(pickText(texts, undefined)).toBe('Welding');
    expect(
      pickText(
        [
          { lang: 'lv', value: 'Metināšana' },
          { lang: 'fi', value: 'Hitsaus' },
        ],
        'de',
      ),
    ).toBe('Metināšana');
  });

  it('is null for no texts', () => {
    expect(pickText([], 'en')).toBeNull();
  });
});

describe('entity IDs', () => {
  it('splits an entity ID into owner and local ID', () => {
    expect(parseEntityId('rvt.lv:WELD-U3')).toEqual({ institution: 'rvt.lv', localId: 'WELD-U3' });
    expect(parseEntityId('bbs-hannover.de:K_1.2')).toEqual({ institution: 'bbs-hannover.de', localId: 'K_1.2' });
    expect(parseEntityId(entityId('omnia.fi', 'H1'))).toEqual({ institution: 'omnia.fi', localId: 'H1' });
  });

  it.each([
    'rvt.lv',
    'rvt:WELD',
    'RVT.lv:WELD',
    ':WELD',
    'rvt.lv:',
    'rvt.lv:-WELD',
    'rvt.lv:a:b',
    'rvt.lv:WE LD',
    `rvt.lv:${'x'.repeat(65)}`,
    '-rvt.lv:W',
  ])('rejects the malformed ID %p', (id) => {
    expect(parseEntityId(id)).toBeNull();
    if (id.includes(':')) expect(ownerOf(id)).toBeNull();
  });

  it("names the owner of an entity ID or of an institution's own ID", () => {
    expect(ownerOf('rvt.lv:WELD-U3')).toBe('rvt.lv');
    expect(ownerOf('rvt.lv')).toBe('rvt.lv');
    expect(ownerOf('bbs-hannover.de')).toBe('bbs-hannover.de');
    for (const id of ['rvt', 'RVT.LV', '', 'rvt..lv', 'rvt.lv.']) expect(ownerOf(id)).toBeNull();
    expect(isInstitutionCode('omnia.fi')).toBe(true);
  });
});

describe('foldText and sortKeyOf', () => {
  it('fold letters of European languages to lower-case ASCII', () => {
    expect(foldText('Metināšana un griešana')).toBe('metinasana un griesana');
    expect(foldText('Schweißen & Löten')).toBe('schweissen loten');
    expect(foldText('Hitsaus ja sähkö')).toBe('hitsaus ja sahko');
    expect(foldText('Año de Soldadura: ÑANDÚ')).toBe('ano de soldadura nandu');
    expect(foldText('Ørsted Łódź Æble')).toBe('orsted lodz aeble');
  });

  it('collapse punctuation and space runs and trim the ends', () => {
    expect(foldText('  CNC -- Drehen (Stufe 2)!  ')).toBe('cnc drehen stufe 2');
    expect(foldText('!!!')).toBe('');
  });

  it('cut sort keys to 160 characters', () => {
    expect(sortKeyOf('Ā'.repeat(200))).toBe('a'.repeat(160));
    expect(sortKeyOf('Zāģēšana')).toBe('zagesana');
  });
});
