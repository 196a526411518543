import { createReadBudget } from './read-budget';

describe("a member's read budget", () => {
  let clock = 0;
  const budget = () => createReadBudget({ bytes: 1_000, bytesPerMinute: 600 }, () => clock);
  beforeEach(() => {
    clock = 0;
  });

  it('lets a member be read while its budget holds any bytes, each member on its own', () => {
    const reads = budget();
    reads.spend('rvt.lv', 600);
    expect(reads.waitMs('rvt.lv')).toBe(0);
    reads.spend('rvt.lv', 399);
    expect(reads.waitMs('rvt.lv')).toBe(0);
    reads.spend('omnia.fi', 5_000);
    expect(reads.waitMs('rvt.lv')).toBe(0);
  });

  it('has a read that overdrew the budget wait until it is refilled above zero, at its rate', () => {
    const reads = budget();
    // One read may bring more than the whole budget: it ends whole, and the next waits.
    reads.spend('rvt.lv', 1_600);
    // 600 bytes a minute: 600 overdrawn, and one byte more, take 60,100 ms.
    expect(reads.waitMs('rvt.lv')).toBe(60_100);
    clock = 30_000;
    expect(reads.waitMs('rvt.lv')).toBe(30_100);
    clock = 60_100;
    expect(reads.waitMs('rvt.lv')).toBe(0);
  });

  it('refills up to its size and no further', () => {
    const reads = budget();
    reads.spend('rvt.lv', 1_000);
    clock = 3_600_000;
    reads.spend('rvt.lv', 1_000);
    // Not 36,000 bytes saved up over the hour: the next read waits again.
    expect(reads.waitMs('rvt.lv')).toBe(100);
  });
});
