import { performance } from 'node:perf_hooks';
import { budgetLeft, parseBudget } from './budget';

test('a budget is whole milliseconds, capped; anything else is ignored rather than refused', () => {
  expect(parseBudget('750')).toBe(750);
  expect(parseBudget('0')).toBe(0);
  expect(parseBudget('9000', 5000)).toBe(5000);
  for (const bad of [undefined, '', '-1', '1.5', '1e3', ' 10', '10ms', '1234567890', ['10', '20']]) {
    expect(parseBudget(bad)).toBeUndefined();
  }
});

test('what is left of a budget counts from its arrival, less what the receiver keeps, and never goes below 0', () => {
  const now = performance.now();
  expect(budgetLeft({ arrivedAt: now, ms: 1000 })).toBeGreaterThan(990);
  expect(budgetLeft({ arrivedAt: now, ms: 1000 }, 200)).toBeLessThanOrEqual(800);
  expect(budgetLeft({ arrivedAt: now - 2000, ms: 1000 })).toBe(0);
});
