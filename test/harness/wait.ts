/**
 * Resolves once `check` holds, polling every 50 ms; fails naming `what` after `timeoutMs`. Tests wait on the
 * condition they need, not on a fixed sleep that is too short on a busy machine and too long on an idle one.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
}
