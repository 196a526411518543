/** Splits a list into runs of at most `size`: batched SQL `IN` lists, inserts, and aliased hub reads. */
export function groups<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
