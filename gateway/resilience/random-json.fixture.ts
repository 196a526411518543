/** Random JSON for the tests of the hub's JSON readers (json-values.ts, json-turns.ts). */

/**
 * A random JSON value whose strings and keys hold the characters a scanner could trip on. Containers hold up to
 * `width - 1` parts and nest up to `depth` levels.
 */
export function randomValue(random: () => number, level: number, { depth = 3, width = 4 } = {}): unknown {
  const pick = random();
  if (level > depth || pick < 0.3) {
    const long = 'x'.repeat(40);
    const strings = ['', 'a', '"', '\\', '{[,', '\\"{', 'é,ü', '\n\t', '}]', '\\\\"', `${long}"{,${long}\\,[${long}`];
    const scalars: unknown[] = [null, true, false, 0, -1.5e-10, 12345, ...strings];
    return scalars[Math.floor(random() * scalars.length)];
  }
  const size = Math.floor(random() * width);
  if (pick < 0.65) return Array.from({ length: size }, () => randomValue(random, level + 1, { depth, width }));
  return Object.fromEntries(
    Array.from({ length: size }, (_, i) => [
      `k${i}${['', ',', '"', '\\', '{'][i % 5]}`,
      randomValue(random, level + 1, { depth, width }),
    ]),
  );
}

/** A seeded generator (mulberry32), so that a failure can be run again. */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
