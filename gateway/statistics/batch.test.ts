import { withTurns } from '../resilience/turns.fixture';
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
  it("reads a shard's cells back, each of the batch's institution", async () => {
    const days = { ...cell, measure: 'DAYS_TO_RECOGNITION', partnerInstitution: null, unit: 'rvt.lv:U1', days: [3, 9] };
    expect(await readBatch(batch([cell, days]))).toEqual([
      { ...cell, institution: 'rvt.lv', unit: null, days: null },
      { ...days, institution: 'rvt.lv' },
    ]);
  });

  it("reads a shard's columns back into the cells it counted", async () => {
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
    expect(await readBatch(columns)).toEqual(counted);
  });

  it('reads large columns (lists of days, numbers) in turns of the event loop, not in one step', async () => {
    const count = 20_000;
    const days = Array.from({ length: count }, (_, i) => [i % 90, (i * 7) % 90, (i * 13) % 90]);
    const columns = {
      institution: 'rvt.lv',
      count,
      cells: JSON.stringify({
        measure: days.map(() => 'DAYS_TO_RECOGNITION'),
        partnerInstitution: days.map(() => null),
        unit: days.map((_, i) => `rvt.lv:U${i}`),
        days,
        month: days.map(() => '2026-03'),
        value: days.map(() => 1),
        learners: days.map(() => 6),
      }),
    };
    const { value: cells, turns } = await withTurns(() => readBatch(columns));
    expect(cells).toHaveLength(count);
    expect(cells[count - 1]).toMatchObject({ unit: `rvt.lv:U${count - 1}`, days: days[count - 1] });
    // Some 180,000 values: the parse gives a turn every 10,000 of them, and the check every 10,000 cells.
    expect(turns).toBeGreaterThanOrEqual(15);
  });

  it('refuses columns of unequal lengths or wrong types, and counts out of bounds', async () => {
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
    expect(await readBatch(columns(1))).toHaveLength(1);
    await expect(readBatch(columns(2))).rejects.toThrow(
      "rvt.lv: its statistics base cells' measure is not a list of 2",
    );
    await expect(readBatch(columns(1, { month: ['2026-03', '2026-04'] }))).rejects.toThrow(
      "rvt.lv: its statistics base cells' month is not a list of 1",
    );
    await expect(readBatch(columns(1, { learners: ['6'] }))).rejects.toThrow(
      'rvt.lv: statistics base cell 0 is not a base cell',
    );
    await expect(readBatch(columns(1, { days: [[1, 'x']] }))).rejects.toThrow(
      'statistics base cell 0 is not a base cell',
    );
    await expect(readBatch({ ...columns(1), cells: '{}' })).rejects.toThrow('measure is not a list of 1');
    await expect(readBatch({ ...columns(1), cells: 'null' })).rejects.toThrow('measure is not a list of 1');
    await expect(readBatch(columns(MAX_BATCH_CELLS + 1))).rejects.toThrow(`count ${MAX_BATCH_CELLS + 1} is not 0 to`);
    await expect(readBatch(columns(1.5))).rejects.toThrow('count 1.5 is not 0 to');
  });

  it('refuses a batch that is not what the schema describes, naming the institution', async () => {
    await expect(readBatch({ institution: 'rvt.lv', count: 1, cells: '[{' })).rejects.toThrow(
      'rvt.lv: its statistics base cells are not JSON',
    );
    await expect(readBatch(batch([cell], 2))).rejects.toThrow('rvt.lv: its statistics base cells are not a list of 2');
    await expect(readBatch(batch([cell, { ...cell, value: '6' }]))).rejects.toThrow(
      'rvt.lv: statistics base cell 1 is not a base cell',
    );
    await expect(readBatch(batch([{ ...cell, days: ['x'] }]))).rejects.toThrow(
      'statistics base cell 0 is not a base cell',
    );
    await expect(readBatch(batch([null]))).rejects.toThrow('statistics base cell 0 is not a base cell');
  });

  it('refuses, before parsing it, a batch of more objects or keys than its form holds', async () => {
    // Columns are one object of seven keys, whatever their length.
    const columns = (extra: string) => ({
      institution: 'rvt.lv',
      count: 1,
      cells: `{"measure":["AGREEMENTS_SIGNED"],"partnerInstitution":[null],"unit":[null],"days":[null],"month":["2026-03"],"value":[6],"learners":[6]${extra}}`,
    });
    expect(await readBatch(columns(''))).toHaveLength(1);
    await expect(readBatch(columns(',"k1":0'))).rejects.toThrow(
      'rvt.lv: its statistics base cells hold objects: 1, keys: 8; a batch is one object of the 7 columns or, from a shard of an earlier version, at most 1 cell objects of 7 keys each',
    );
    await expect(readBatch(columns(',"extra":[{}]'))).rejects.toThrow('hold objects: 2, keys: 8');
    // Cell objects: at most as many as the batch counts, and MAX_ROW_CELLS, of seven keys a cell.
    const rows = (objects: unknown[], count = objects.length) => ({
      institution: 'rvt.lv',
      count,
      cells: JSON.stringify(objects),
    });
    expect(await readBatch(rows(Array.from({ length: MAX_ROW_CELLS }, () => cell)))).toHaveLength(MAX_ROW_CELLS);
    await expect(readBatch(rows(Array.from({ length: MAX_ROW_CELLS + 1 }, () => cell)))).rejects.toThrow(
      `hold objects: ${MAX_ROW_CELLS + 1}, keys: ${5 * (MAX_ROW_CELLS + 1)}`,
    );
    // Small objects each under a key of its own, the costliest to parse: refused by their count, unparsed.
    const costly = Array.from({ length: 100_000 }, (_, i) => ({ [`k${i}`]: 0 }));
    await expect(readBatch(rows(costly, 2))).rejects.toThrow('hold objects: 100000, keys: 100000');
    // Fourteen keys for two cells, however they are spread: one of fifteen and one of five are too many.
    const padded = { ...cell, ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, 1])) };
    await expect(readBatch(rows([padded, cell]))).rejects.toThrow('hold objects: 2, keys: 20');
    await expect(readBatch({ institution: 'rvt.lv', count: 1, cells: 1 as unknown as string })).rejects.toThrow(
      'rvt.lv: its statistics base cells are not JSON',
    );
  });
});
