import { containsPattern } from './search';

describe('containsPattern', () => {
  test('escapes %, _ and the escape character, so each stands for itself', () => {
    expect(containsPattern('weld')).toBe('%weld%');
    expect(containsPattern('100%')).toBe('%100!%%');
    expect(containsPattern('a_b')).toBe('%a!_b%');
    expect(containsPattern('hi!')).toBe('%hi!!%');
  });
});
