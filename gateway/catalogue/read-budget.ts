/** How much the catalogue reads of one member's shard: a burst, and a rate it is refilled at. */
export interface ReadBudgetSettings {
  /** Bytes of answers that may be read of one member at once, with nothing read before. */
  bytes: number;
  /** Bytes a minute the budget grows back by, up to `bytes`. */
  bytesPerMinute: number;
}

export interface ReadBudget {
  /** Milliseconds until the institution's shard may be read again: 0 while its budget holds any bytes. */
  waitMs(institution: string): number;
  /** Takes bytes read of the institution's shard off its budget, below zero if a read brought more than was left. */
  spend(institution: string, bytes: number): void;
}

/**
 * A budget of bytes per member (a token bucket): a read starts only while its member's budget holds some, and what it
 * brings is taken off after. A read is never cut for the budget (it is bounded on its own,
 * MAX_READ_BYTES_PER_INSTITUTION), so a member's read always ends whole; one that overdraws the budget has the next
 * wait until it is refilled. A member whose feed asks for reads again and again (a feed restarting at each poll,
 * changes naming everything) then costs the hub at most `bytesPerMinute` of answers to parse, whatever it sends.
 */
export function createReadBudget(settings: ReadBudgetSettings, now: () => number = Date.now): ReadBudget {
  const perMs = settings.bytesPerMinute / 60_000;
  const budgets = new Map<string, { bytes: number; at: number }>();
  const current = (institution: string) => {
    const budget = budgets.get(institution);
    if (!budget) return settings.bytes;
    const bytes = Math.min(settings.bytes, budget.bytes + (now() - budget.at) * perMs);
    // Full again: the member is as one never read.
    if (bytes >= settings.bytes) budgets.delete(institution);
    return bytes;
  };
  return {
    waitMs: (institution) => {
      const bytes = current(institution);
      return bytes > 0 ? 0 : Math.ceil((1 - bytes) / perMs);
    },
    spend: (institution, bytes) => {
      budgets.set(institution, { bytes: current(institution) - bytes, at: now() });
    },
  };
}
