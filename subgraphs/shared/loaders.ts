/**
 * DataLoader batches put back in the order their keys were asked for: one row per key (null when there is none), or
 * every row of each key (an empty list when there is none). Every kind's per-request loaders use these.
 */
export function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): Array<T | null> {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

export function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
