import { MAX_BATCH_CELLS, MAX_ROW_CELLS, readBatch } from './batch';

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

  it("reads a shard's columns back into the cells it counted", () => {
    const counted = [
      { ...cell, institution: 'rvt.lv', unit: null, days: null },
      {
        ...cell,
        institution: 'rvt.lv',
        measure: 'DAYS_TO_RECOGNITION',
        partnerInstitution: null,
        unit: 'rvt.lv:U1',
        days: [3, 9],
      },
    ];
    // As subgraphs/shared/statistics.ts baseBatch writes them.
    const columns = {
      institution: 'rvt.lv',
      count: 2,
      cells: JSON.stringify({
        measure: counted.map((c) => c.measure),
        partnerInstitution: counted.map((c) => c.partnerInstitution),
        unit: counted.map((c) => c.unit),
        days: counted.map((c) => c.days),
        month: counted.map((c) => c.month),
        value: counted.map((c) => c.value),
        learners: counted.map((c) => c.learners),
      }),
    };
    expect(readBatch(columns)).toEqual(counted);
  });

  it('refuses columns of unequal lengths or wrong types, and counts out of bounds', () => {
    const columns = (count: number, change: Record<string, unknown[]> = {}) => ({
      institution: 'rvt.lv',
      count,
      cells: JSON.stringify({
        measure: ['AGREEMENTS_SIGNED'],
        partnerInstitution: ['cifp-aviles.es'],
        unit: [null],
        days: [null],
        month: ['2026-03'],
        value: [6],
        learners: [6],
        ...change,
      }),
    });
    expect(readBatch(columns(1))).toHaveLength(1);
    expect(() => readBatch(columns(2))).toThrow("rvt.lv: its statistics base cells' measure is not a list of 2");
    expect(() => readBatch(columns(1, { month: ['2026-03', '2026-04'] }))).toThrow(
      "rvt.lv: its statistics base cells' month is not a list of 1",
    );
    expect(() => readBatch(columns(1, { learners: ['6'] }))).toThrow(
      'rvt.lv: statistics base cell 0 is not a base cell',
    );
    expect(() => readBatch(columns(1, { days: [[1, 'x']] }))).toThrow('statistics base cell 0 is not a base cell');
    expect(() => readBatch({ ...columns(1), cells: '{}' })).toThrow('measure is not a list of 1');
    expect(() => readBatch({ ...columns(1), cells: 'null' })).toThrow('measure is not a list of 1');
    expect(() => readBatch(columns(MAX_BATCH_CELLS + 1))).toThrow(`count ${MAX_BATCH_CELLS + 1} is not 0 to`);
    expect(() => readBatch(columns(1.5))).toThrow('count 1.5 is not 0 to');
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

  it('refuses, before parsing it, a batch of more objects or keys than its form holds', () => {
    // Columns are one object of seven keys, whatever their length.
    const columns = (extra: string) => ({
      institution: 'rvt.lv',
      count: 1,
      cells: `{"measure":["AGREEMENTS_SIGNED"],"partnerInstitution":[null],"unit":[null],"days":[null],"month":["2026-03"],"value":[6],"learners":[6]${extra}}`,
    });
    expect(readBatch(columns(''))).toHaveLength(1);
    expect(() => readBatch(columns(',"k1":0'))).toThrow(
      'rvt.lv: its statistics base cells hold objects: 1, keys: 8; a batch is one object of the 7 columns or, from a shard of an earlier version, at most 1 cell objects of 7 keys each',
    );
    expect(() => readBatch(columns(',"extra":[{}]'))).toThrow('hold objects: 2, keys: 8');
    // Cell objects: at most as many as the batch counts, and MAX_ROW_CELLS, of seven keys a cell.
    const rows = (objects: unknown[], count = objects.length) => ({
      institution: 'rvt.lv',
      count,
      cells: JSON.stringify(objects),
    });
    expect(readBatch(rows(Array.from({ length: MAX_ROW_CELLS }, () => cell)))).toHaveLength(MAX_ROW_CELLS);
    expect(() => readBatch(rows(Array.from({ length: MAX_ROW_CELLS + 1 }, () => cell)))).toThrow(
      `hold objects: ${MAX_ROW_CELLS + 1}, keys: ${5 * (MAX_ROW_CELLS + 1)}`,
    );
    // Small objects each under a key of its own, the costliest to parse: refused by their count, unparsed.
    const costly = Array.from({ length: 100_000 }, (_, i) => ({ [`k${i}`]: 0 }));
    expect(() => readBatch(rows(costly, 2))).toThrow('hold objects: 100000, keys: 100000');
    // Fourteen keys for two cells, however they are spread: one of fifteen and one of five are too many.
    const padded = { ...cell, ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, 1])) };
    expect(() => readBatch(rows([padded, cell]))).toThrow('hold objects: 2, keys: 20');
    expect(() => readBatch({ institution: 'rvt.lv', count: 1, cells: 1 as unknown as string })).toThrow(
      'rvt.lv: its statistics base cells are not JSON',
    );
  });
});
