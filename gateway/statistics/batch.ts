import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseInTurns, TURN_VALUES } from '../resilience/json-turns';
import { JsonValueCount } from '../resilience/json-values';
import type { BaseCell } from './merge';

/** One shard's answer to the fan-out: its base cells as JSON (StatisticsBaseBatch in the shards' schema). */
export interface BaseBatch {
  institution: string;
  count: number;
  cells: string;
}

/** Most base cells one batch may hold: far above any institution's count, far below what would exhaust the hub. */
export const MAX_BATCH_CELLS = 1_000_000;

/** The columns of a batch, one array per base cell field, each `count` long (StatisticsBaseBatch.cells). */
const COLUMNS = ['measure', 'partnerInstitution', 'unit', 'days', 'month', 'value', 'learners'] as const;
/**
 * Most cells a batch of the former kind (a list of cell objects, as shards of an earlier version send) may hold. A
 * parse makes every object and key it meets, and 8 MiB of small objects each under a key of its own take some 800 ms
 * (2-core Intel Xeon), against 60 ms for 8 MiB of cell objects under the cells' own keys; 5,000 objects of seven
 * keys each take 25 ms (40 at worst) whatever their keys. Columns hold one object of seven keys at any size.
 */
export const MAX_ROW_CELLS = 5_000;

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextOrNull = (value: unknown) => value === null || value === undefined || typeof value === 'string';
const isCount = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const isDays = (value: unknown) =>
  value === null || value === undefined || (Array.isArray(value) && value.every(isCount));

/**
 * A shard's batch read back into base cells: a shard is run by its institution, so a batch that is not what the
 * schema describes costs that institution's cells (named missing), never the answer. Columns are what shards send;
 * a list of cell objects (what shards sent before) is read too. A batch's columns may hold 8 MiB of numbers, so they
 * are parsed and checked in turns of the event loop (json-turns.ts), as the shards' answers are.
 */
export async function readBatch(batch: BaseBatch): Promise<BaseCell[]> {
  const { institution, count } = batch;
  if (!Number.isInteger(count) || count < 0 || count > MAX_BATCH_CELLS)
    throw new Error(`${institution}: its statistics base cell count ${count} is not 0 to ${MAX_BATCH_CELLS}`);
  if (typeof batch.cells !== 'string') throw new Error(`${institution}: its statistics base cells are not JSON`);
  // Before any parse: a batch may hold no more objects and keys than its form needs.
  const shape = new JsonValueCount();
  shape.add(Buffer.from(batch.cells));
  const most =
    shape.objects <= 1
      ? { objects: 1, members: COLUMNS.length }
      : { objects: Math.min(count, MAX_ROW_CELLS), members: COLUMNS.length * Math.min(count, MAX_ROW_CELLS) };
  if (shape.objects > most.objects || shape.members > most.members)
    throw new Error(
      `${institution}: its statistics base cells hold objects: ${shape.objects}, keys: ${shape.members}; a batch is one object of the ${COLUMNS.length} columns or, from a shard of an earlier version, at most ${Math.min(count, MAX_ROW_CELLS)} cell objects of ${COLUMNS.length} keys each`,
    );
  let parsed: unknown;
  try {
    parsed = await parseInTurns(batch.cells, shape.count);
  } catch {
    throw new Error(`${institution}: its statistics base cells are not JSON`);
  }
  if (Array.isArray(parsed)) return readRows(institution, count, parsed);
  const columns = (parsed ?? {}) as Record<string, unknown>;
  for (const column of COLUMNS) {
    const values = columns[column];
    if (!Array.isArray(values) || values.length !== count)
      throw new Error(`${institution}: its statistics base cells' ${column} is not a list of ${count}`);
  }
  const [measure, partner, unit, days, month, value, learners] = COLUMNS.map((column) => columns[column] as unknown[]);
  const cells = new Array<BaseCell>(count);
  for (let i = 0; i < count; i += 1) {
    const cell = {
      measure: measure?.[i],
      partnerInstitution: partner?.[i],
      unit: unit?.[i],
      days: days?.[i],
      month: month?.[i],
      value: value?.[i],
      learners: learners?.[i],
    };
    cells[i] = checked(institution, cell, i);
    if ((i + 1) % TURN_VALUES === 0) await nextTurn();
  }
  return cells;
}

function readRows(institution: string, count: number, rows: unknown[]): BaseCell[] {
  if (rows.length !== count) throw new Error(`${institution}: its statistics base cells are not a list of ${count}`);
  return rows.map((entry, index) => checked(institution, (entry ?? {}) as Record<string, unknown>, index));
}

/** One base cell as the schema describes it, or the batch is refused. */
function checked(institution: string, cell: Record<string, unknown>, index: number): BaseCell {
  const { measure, month, value, learners, days } = cell;
  if (
    !isText(measure) ||
    !isText(month) ||
    !isCount(value) ||
    !(learners === null || isCount(learners)) ||
    !isTextOrNull(cell.partnerInstitution) ||
    !isTextOrNull(cell.unit) ||
    !isDays(days)
  )
    throw new Error(`${institution}: statistics base cell ${index} is not a base cell`);
  return {
    measure,
    institution,
    partnerInstitution: cell.partnerInstitution ?? null,
    unit: cell.unit ?? null,
    days: (days as number[] | null | undefined) ?? null,
    month,
    value: value as number,
    learners: learners as number | null,
  };
}
