import { Bm25Index } from './bm25';
import { stem } from './text';

function index(...labels: string[]): Bm25Index {
  const built = new Bm25Index();
  labels.forEach((label, i) => built.add({ id: `c${i}`, lang: 'en', fields: [{ text: label, weight: 1 }] }));
  return built;
}

test('documents sharing more and rarer words rank higher; documents sharing none are left out', () => {
  const built = index('weld steel pipes', 'cut steel plates', 'cook soups', 'weld aluminium');
  const hits = built.search('The learner welds steel pipes.', 'en', 10);
  expect(hits.map((h) => h.id)).toEqual(['c0', 'c3', 'c1']);
  expect(hits[0]?.matched).toEqual(['welds', 'steel', 'pipes']);
  expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
});

test('the best `limit` come back, ties in ID order, and a filter can leave documents out', () => {
  const built = index('install systems', 'install systems', 'install systems', 'install panels');
  expect(built.search('install systems', 'en', 2).map((h) => h.id)).toEqual(['c0', 'c1']);
  expect(built.search('install systems', 'en', 2, (id) => id !== 'c0').map((h) => h.id)).toEqual(['c1', 'c2']);
  expect(built.search('install systems', 'en', 0)).toEqual([]);
});

test('a label weighs more than a description with the same word', () => {
  const built = new Bm25Index();
  built.add({
    id: 'described',
    lang: 'en',
    fields: [
      { text: 'safety', weight: 1 },
      { text: 'welding', weight: 1 },
    ],
  });
  built.add({
    id: 'labelled',
    lang: 'en',
    fields: [
      { text: 'welding', weight: 3 },
      { text: 'safety', weight: 1 },
    ],
  });
  expect(built.search('welding', 'en', 2)[0]?.id).toBe('labelled');
});

test.each([
  ['en', ['weld', 'welds', 'welded', 'welding']],
  ['en', ['calculate', 'calculations', 'calculating']],
  ['de', ['schweißen', 'schweißt']],
  ['es', ['soldar', 'soldado']],
  ['fi', ['lämpötila', 'lämpötilat', 'lämpötilan']],
  ['lv', ['metināšana', 'metināšanas', 'metināšanu']],
])('%s forms of one word share a stem: %j', (lang, forms) => {
  expect(new Set(forms.map((form) => stem(form, lang))).size).toBe(1);
});
