/**
 * What a piece of async work gives, and how many turns the event loop took meanwhile: work done in one step lets the
 * loop turn once or twice, work done in turns of the event loop about once a turn.
 */
export async function withTurns<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let working = true;
  const tick = () => {
    turns += 1;
    if (working) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { value: await work(), turns };
  } finally {
    working = false;
  }
}
