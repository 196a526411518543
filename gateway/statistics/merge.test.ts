import {
  GROUP_DIMENSIONS,
  mergePrepared,
  mergeStatistics,
  prepareBaseCells,
  unitsOf,
  type BaseCell,
  type StatisticsCell,
} from './merge';

const COUNTRIES: Record<string, string> = {
  'rvt.lv': 'LV',
  'liepaja.lv': 'LV',
  'omnia.fi': 'FI',
  'cifp-aviles.es': 'ES',
};
const countryOf = (code: string) => COUNTRIES[code] ?? null;

const cell = (
  measure: string,
  institution: string,
  month: string,
  value: number,
  learners: number | null,
  partnerInstitution: string | null = 'cifp-aviles.es',
): BaseCell => ({ measure, institution, partnerInstitution, month, value, learners });

const pick = (cells: StatisticsCell[], measure: string, where: Partial<StatisticsCell> = {}) =>
  cells.filter(
    (c) =>
      c.measure === measure && Object.entries(where).every(([key, value]) => c[key as keyof StatisticsCell] === value),
  );

describe('mergeStatistics', () => {
  const base = [
    cell('AGREEMENTS_SIGNED', 'rvt.lv', '2026-03', 6, 6),
    cell('AGREEMENTS_SIGNED', 'liepaja.lv', '2026-03', 3, 3),
    cell('AGREEMENTS_SIGNED', 'liepaja.lv', '2026-04', 2, 2),
    cell('AGREEMENTS_SIGNED', 'omnia.fi', '2026-04', 7, 5),
    cell('MEMORANDA_IN_EFFECT', 'liepaja.lv', '2026-01', 1, null, null),
  ];

  it('sums base cells of at least the threshold into each group', () => {
    const byCountry = mergeStatistics({ cells: base, groupBy: ['COUNTRY'], countryOf });
    expect(pick(byCountry, 'AGREEMENTS_SIGNED', { country: 'LV' })).toEqual([
      expect.objectContaining({ value: 6, learners: 6, suppressed: false }),
    ]);
    expect(pick(byCountry, 'AGREEMENTS_SIGNED', { country: 'FI' })).toEqual([
      expect.objectContaining({ value: 7, learners: 5, suppressed: false }),
    ]);
  });

  it('answers null with the flag for a group whose every base cell is small', () => {
    const byInstitution = mergeStatistics({ cells: base, groupBy: ['INSTITUTION'], countryOf });
    expect(pick(byInstitution, 'AGREEMENTS_SIGNED', { institution: 'liepaja.lv' })).toEqual([
      expect.objectContaining({ value: null, learners: null, suppressed: true }),
    ]);
  });

  it('never lets a small cell be derived by differencing a total and its parts', () => {
    const total = mergeStatistics({ cells: base, groupBy: [], countryOf });
    const byInstitution = mergeStatistics({ cells: base, groupBy: ['INSTITUTION'], countryOf });
    const byMonth = mergeStatistics({ cells: base, groupBy: ['MONTH'], countryOf });
    const sum = (cells: StatisticsCell[]) => cells.reduce((s, c) => s + (c.value ?? 0), 0);
    const signedTotal = sum(pick(total, 'AGREEMENTS_SIGNED'));
    // liepaja.lv's 5 agreements (3 + 2 learners) appear in no figure, so no difference reveals them.
    expect(signedTotal).toBe(13);
    expect(sum(pick(byInstitution, 'AGREEMENTS_SIGNED'))).toBe(signedTotal);
    expect(sum(pick(byMonth, 'AGREEMENTS_SIGNED'))).toBe(signedTotal);
    expect(pick(byMonth, 'AGREEMENTS_SIGNED', { month: '2026-03' })[0]?.value).toBe(6);
  });

  it('never suppresses counts about institutions (memoranda)', () => {
    const total = mergeStatistics({ cells: base, groupBy: ['INSTITUTION'], countryOf });
    expect(pick(total, 'MEMORANDA_IN_EFFECT')).toEqual([
      expect.objectContaining({ institution: 'liepaja.lv', value: 1, learners: null, suppressed: false }),
    ]);
  });

  it('derives the recognition rate from published decisions only', () => {
    const cells = mergeStatistics({
      cells: [
        cell('DECISIONS_RECOGNISED', 'rvt.lv', '2026-05', 12, 6, null),
        cell('DECISIONS_PARTIALLY_RECOGNISED', 'rvt.lv', '2026-05', 2, 2, null),
        cell('DECISIONS_REFUSED', 'rvt.lv', '2026-05', 4, 5, null),
      ],
      groupBy: [],
      countryOf,
    });
    expect(pick(cells, 'RECOGNITION_RATE')).toEqual([
      expect.objectContaining({ value: 12 / 16, learners: 11, suppressed: false }),
    ]);
    expect(pick(cells, 'DECISIONS_PARTIALLY_RECOGNISED')[0]?.suppressed).toBe(true);
  });

  it('groups by the partner country through the registry', () => {
    const cells = mergeStatistics({ cells: base, groupBy: ['PARTNER_COUNTRY', 'COUNTRY'], countryOf });
    expect(pick(cells, 'AGREEMENTS_SIGNED', { country: 'LV', partnerCountry: 'ES' })[0]?.value).toBe(6);
  });

  it('groups agreed units by the field and level the hub knows, each unit cell suppressed on its own', () => {
    const units: Record<string, { field: string; eqfLevel: number }> = {
      'rvt.lv:WELD-U4': { field: '0715', eqfLevel: 4 },
      'rvt.lv:WELD-U5': { field: '0715', eqfLevel: 4 },
      'omnia.fi:COOK-1': { field: '1013', eqfLevel: 3 },
    };
    const agreed = (unit: string, value: number, learners: number): BaseCell => ({
      ...cell('AGREED_UNITS', 'rvt.lv', '2026-03', value, learners),
      unit,
    });
    const merged = mergeStatistics({
      cells: [
        agreed('rvt.lv:WELD-U4', 6, 6),
        agreed('rvt.lv:WELD-U5', 1, 1),
        agreed('omnia.fi:COOK-1', 2, 2),
        agreed('gone.lv:U1', 9, 9),
        cell('AGREEMENTS_SIGNED', 'rvt.lv', '2026-03', 6, 6),
      ],
      groupBy: ['FIELD', 'EQF_LEVEL'],
      countryOf,
      unitOf: (unit) => units[unit] ?? null,
    });
    // WELD-U5's single learner adds nothing to its group; COOK-1's group has nothing else, so it is suppressed.
    expect(pick(merged, 'AGREED_UNITS', { field: '0715', eqfLevel: 4 })).toEqual([
      expect.objectContaining({ value: 6, learners: 6, suppressed: false }),
    ]);
    expect(pick(merged, 'AGREED_UNITS', { field: '1013', eqfLevel: 3 })).toEqual([
      expect.objectContaining({ value: null, learners: null, suppressed: true }),
    ]);
    // A unit the hub could not read, and measures without units, group under null.
    expect(pick(merged, 'AGREED_UNITS', { field: null, eqfLevel: null })).toEqual([
      expect.objectContaining({ value: 9 }),
    ]);
    expect(pick(merged, 'AGREEMENTS_SIGNED')).toEqual([expect.objectContaining({ field: null, eqfLevel: null })]);
  });

  it('derives the recognition rate and median days of each field and level from per-unit decision cells', () => {
    const units: Record<string, { field: string; eqfLevel: number }> = {
      'rvt.lv:WELD-U4': { field: '0715', eqfLevel: 4 },
      'omnia.fi:COOK-1': { field: '1013', eqfLevel: 3 },
    };
    const decided = (measure: string, unit: string, value: number, learners: number, days?: number[]): BaseCell => ({
      ...cell(measure, 'rvt.lv', '2026-05', value, learners, null),
      unit,
      ...(days ? { days } : {}),
    });
    const merged = mergeStatistics({
      cells: [
        decided('DECISIONS_RECOGNISED', 'rvt.lv:WELD-U4', 6, 6),
        decided('DECISIONS_REFUSED', 'rvt.lv:WELD-U4', 2, 2),
        decided('DECISIONS_RECOGNISED', 'omnia.fi:COOK-1', 3, 5),
        decided('DECISIONS_REFUSED', 'omnia.fi:COOK-1', 5, 5),
        decided('DAYS_TO_RECOGNITION', 'rvt.lv:WELD-U4', 6, 6, [10, 12, 14, 20, 21, 30]),
        decided('DAYS_TO_RECOGNITION', 'omnia.fi:COOK-1', 3, 5, [40, 41, 45]),
      ],
      groupBy: ['FIELD'],
      countryOf,
      unitOf: (unit) => units[unit] ?? null,
    });
    // Welding's 2 refusals (2 learners) are left out, so its rate is of the published decisions only.
    expect(pick(merged, 'RECOGNITION_RATE', { field: '0715' })).toEqual([
      expect.objectContaining({ value: 1, learners: 6, suppressed: false }),
    ]);
    expect(pick(merged, 'RECOGNITION_RATE', { field: '1013' })[0]?.value).toBe(3 / 8);
    expect(pick(merged, 'DAYS_TO_RECOGNITION', { field: '0715' })[0]?.value).toBe(17);
    expect(pick(merged, 'DAYS_TO_RECOGNITION', { field: '1013' })[0]?.value).toBe(41);
  });

  it('merges the days to recognition of published cells into one exact median', () => {
    const days = (institution: string, month: string, list: number[], learners: number): BaseCell => ({
      ...cell('DAYS_TO_RECOGNITION', institution, month, list.length, learners, null),
      days: list,
    });
    const cells = [
      days('rvt.lv', '2026-03', [10, 20, 30, 40, 50], 5),
      days('omnia.fi', '2026-03', [1, 2, 3, 4, 5, 6], 5),
      days('liepaja.lv', '2026-03', [1000], 1),
    ];
    // 11 days in order: 1 2 3 4 5 6 10 20 30 40 50; the median of medians (30 and 3.5) would be 16.75.
    expect(pick(mergeStatistics({ cells, groupBy: [], countryOf }), 'DAYS_TO_RECOGNITION')).toEqual([
      expect.objectContaining({ value: 6, learners: 10, suppressed: false }),
    ]);
    const byInstitution = mergeStatistics({ cells, groupBy: ['INSTITUTION'], countryOf });
    expect(pick(byInstitution, 'DAYS_TO_RECOGNITION', { institution: 'omnia.fi' })[0]?.value).toBe(3.5);
    expect(pick(byInstitution, 'DAYS_TO_RECOGNITION', { institution: 'liepaja.lv' })).toEqual([
      expect.objectContaining({ value: null, suppressed: true }),
    ]);
  });
});

describe('prepared base cells', () => {
  const units: Record<string, { field: string; eqfLevel: number }> = {
    'rvt.lv:WELD-U4': { field: '0715', eqfLevel: 4 },
    'omnia.fi:COOK-1': { field: '1013', eqfLevel: 3 },
  };
  const unitOf = (unit: string) => units[unit] ?? null;
  const cells: BaseCell[] = [
    cell('AGREEMENTS_SIGNED', 'rvt.lv', '2026-03', 6, 6),
    cell('AGREEMENTS_SIGNED', 'liepaja.lv', '2026-03', 3, 3, 'omnia.fi'),
    cell('AGREEMENTS_SIGNED', 'omnia.fi', '2026-04', 7, 5, 'rvt.lv'),
    cell('MEMORANDA_IN_EFFECT', 'liepaja.lv', '2026-01', 1, null, null),
    { ...cell('AGREED_UNITS', 'rvt.lv', '2026-03', 6, 6), unit: 'rvt.lv:WELD-U4' },
    { ...cell('AGREED_UNITS', 'omnia.fi', '2026-04', 5, 5, 'rvt.lv'), unit: 'omnia.fi:COOK-1' },
    { ...cell('DECISIONS_RECOGNISED', 'rvt.lv', '2026-05', 6, 6, null), unit: 'rvt.lv:WELD-U4' },
    { ...cell('DECISIONS_REFUSED', 'rvt.lv', '2026-05', 2, 2, null), unit: 'rvt.lv:WELD-U4' },
    { ...cell('DAYS_TO_RECOGNITION', 'rvt.lv', '2026-05', 6, 6, null), unit: 'rvt.lv:WELD-U4', days: [9, 3, 5] },
    cell('NOT_A_MEASURE', 'rvt.lv', '2026-05', 1, 9),
  ];
  const groupings = [
    [],
    ['COUNTRY'],
    ['INSTITUTION', 'MONTH'],
    ['COUNTRY', 'PARTNER_COUNTRY'],
    ['PARTNER_INSTITUTION'],
    ['FIELD', 'EQF_LEVEL'],
    [...GROUP_DIMENSIONS],
  ] as const;

  it('prepared once, merge for every grouping, again and again, as the base cells merged afresh do', () => {
    const prepared = prepareBaseCells(cells, countryOf);
    for (const groupBy of groupings) {
      const expected = mergeStatistics({ cells, groupBy, countryOf, unitOf });
      expect({ groupBy, cells: mergePrepared(prepared, { groupBy, unitOf }) }).toEqual({ groupBy, cells: expected });
    }
    // Merging does not change what was prepared: the same answer twice.
    expect(mergePrepared(prepared, { groupBy: ['COUNTRY'] })).toEqual(
      mergePrepared(prepared, { groupBy: ['COUNTRY'] }),
    );
  });

  it('counts only the institutions asked for, as if the others had sent nothing', () => {
    const prepared = prepareBaseCells(cells, countryOf);
    const latvia = new Set(['rvt.lv', 'liepaja.lv']);
    for (const groupBy of groupings) {
      expect(mergePrepared(prepared, { groupBy, unitOf, institutions: latvia })).toEqual(
        mergeStatistics({ cells: cells.filter((c) => latvia.has(c.institution)), groupBy, countryOf, unitOf }),
      );
    }
    expect([...unitsOf(prepared, new Set(['omnia.fi']))]).toEqual(['omnia.fi:COOK-1']);
    expect([...unitsOf(prepared)].sort()).toEqual(['omnia.fi:COOK-1', 'rvt.lv:WELD-U4']);
  });

  it('applies the threshold it was prepared with', () => {
    const prepared = prepareBaseCells(cells, countryOf, 7);
    expect(pick(mergePrepared(prepared, { groupBy: [] }), 'AGREEMENTS_SIGNED')).toEqual([
      expect.objectContaining({ value: null, suppressed: true }),
    ]);
  });

  it('keeps groups apart when their numbers would pass 2^53 (thousands of institutions, every dimension)', () => {
    const many = Array.from({ length: 3_000 }, (_, n) => `school-${n}.lv`);
    const spread: BaseCell[] = many.map((code, n) => ({
      ...cell('AGREEMENTS_SIGNED', code, `2026-${String((n % 12) + 1).padStart(2, '0')}`, n + 5, 5),
      partnerInstitution: many[(n + 1) % many.length] ?? null,
    }));
    const merged = mergePrepared(
      prepareBaseCells(spread, () => 'LV'),
      { groupBy: [...GROUP_DIMENSIONS] },
    );
    expect(merged).toHaveLength(3_000);
    expect(merged.map((c) => c.value).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(many.map((_, n) => n + 5));
  });
});
