/**
 * Resolves once `check` holds, polling every 50 ms; fails naming `what` after `timeoutMs`, with what `state` says
 * then (for a wait that fails rarely, the failure itself must tell why). Tests wait on the condition they need, not
 * on a fixed sleep that is too short on a busy machine and too long on an idle one.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  state?: () => unknown,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const then = state ? `; then: ${JSON.stringify(state())}` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}${then}`);
}
