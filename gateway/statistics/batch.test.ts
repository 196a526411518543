import { readBatch } from './batch';

const cell = {
  measure: 'AGREEMENTS_SIGNED',
  partnerInstitution: 'cifp-aviles.es',
  month: '2026-03',
  value: 6,
  learners: 6,
};
const batch = (cells: unknown, count = Array.isArray(cells) ? cells.length : 0) => ({
  institution: 'rvt.lv',
  count,
  cells: JSON.stringify(cells),
});

describe('readBatch', () => {
  it("reads a shard's cells back, each of the batch's institution", () => {
    const days = { ...cell, measure: 'DAYS_TO_RECOGNITION', partnerInstitution: null, unit: 'rvt.lv:U1', days: [3, 9] };
    expect(readBatch(batch([cell, days]))).toEqual([
      { ...cell, institution: 'rvt.lv', unit: null, days: null },
      { ...days, institution: 'rvt.lv' },
    ]);
  });

  it('refuses a batch that is not what the schema describes, naming the institution', () => {
    expect(() => readBatch({ institution: 'rvt.lv', count: 1, cells: '[{' })).toThrow(
      'rvt.lv: its statistics base cells are not JSON',
    );
    expect(() => readBatch(batch([cell], 2))).toThrow('rvt.lv: its statistics base cells are not a list of 2');
    expect(() => readBatch(batch([cell, { ...cell, value: '6' }]))).toThrow(
      'rvt.lv: statistics base cell 1 is not a base cell',
    );
    expect(() => readBatch(batch([{ ...cell, days: ['x'] }]))).toThrow('statistics base cell 0 is not a base cell');
    expect(() => readBatch(batch([null]))).toThrow('statistics base cell 0 is not a base cell');
  });
});
