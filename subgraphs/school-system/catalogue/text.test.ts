import { matchesText, pickText } from './text';

const TITLES = [
  { lang: 'it', value: 'Sicurezza elettrica' },
  { lang: 'en', value: 'Electrical safety' },
];

test('a text is picked in the language asked, its base language, English, then any', () => {
  expect(pickText(TITLES, 'it')).toBe('Sicurezza elettrica');
  expect(pickText(TITLES, 'it-CH')).toBe('Sicurezza elettrica');
  expect(pickText(TITLES, 'de')).toBe('Electrical safety');
  expect(pickText([{ lang: 'it', value: 'Solo italiano' }], 'de')).toBe('Solo italiano');
  expect(pickText([], 'de')).toBeNull();
});

test('every word must occur, accents, case and punctuation ignored; punctuation alone finds nothing', () => {
  expect(matchesText('SICUREZZA, elettrica!', ['Sicurezza elettrica'])).toBe(true);
  expect(matchesText('perché', ['Perche no'])).toBe(true);
  expect(matchesText('sicurezza gas', ['Sicurezza elettrica'])).toBe(false);
  expect(matchesText('%_', ['Sicurezza elettrica'])).toBe(false);
});
