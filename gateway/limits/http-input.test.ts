import { createHash } from 'node:crypto';
import { checkBodyStrings, checkRequestUrl } from './http-input';
import { checkPersistedQuery } from './persisted-queries';

const fieldOf = (check: () => void): unknown => {
  try {
    check();
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions;
  }
  return null;
};

test('URLs: strict percent-decoding of the path and of every query-string part', () => {
  for (const fine of [
    '/graphql',
    '/documents/transcript/rvt.lv%3AT-1.xml',
    '/graphql?query=%7B%20__typename%20%7D&x=a+b',
    '/graphql?',
    '/d/%C3%A9',
  ]) {
    expect(() => checkRequestUrl(fine)).not.toThrow();
  }
  expect(fieldOf(() => checkRequestUrl('/documents/transcript/%E0%A4%A.xml'))).toEqual(
    expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'URL path' }),
  );
  expect(fieldOf(() => checkRequestUrl('/d/%ED%A0%80'))).toEqual(expect.objectContaining({ field: 'URL path' }));
  expect(fieldOf(() => checkRequestUrl('/graphql?query=%FF'))).toEqual(
    expect.objectContaining({ field: 'query string' }),
  );
  expect(fieldOf(() => checkRequestUrl('/graphql?%zz=1'))).toEqual(expect.objectContaining({ field: 'query string' }));
});

test('bodies: a lone surrogate anywhere is refused, naming where; pairs are fine', () => {
  expect(() =>
    checkBodyStrings({ query: '{ __typename }', variables: { title: 'Schweißen 🔧', list: ['a', 1, null] } }),
  ).not.toThrow();
  expect(fieldOf(() => checkBodyStrings({ variables: { list: ['a', 'b\udfff'] } }))).toEqual(
    expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'body.variables.list[1]' }),
  );
  expect(fieldOf(() => checkBodyStrings([{ query: '\ud800' }]))).toEqual(
    expect.objectContaining({ field: 'body[0].query' }),
  );
  expect(fieldOf(() => checkBodyStrings({ ['\ud800']: 1 }, 'query string'))).toEqual(
    expect.objectContaining({ field: 'query string' }),
  );
});

test("persisted queries: version 1, a SHA-256 in hex, and the query's own", () => {
  const query = '{ __typename }';
  const hash = createHash('sha256').update(query).digest('hex');
  expect(() => checkPersistedQuery(query, { persistedQuery: { version: 1, sha256Hash: hash } })).not.toThrow();
  expect(() => checkPersistedQuery(undefined, { persistedQuery: { version: 1, sha256Hash: hash } })).not.toThrow();
  expect(() => checkPersistedQuery(query, undefined)).not.toThrow();
  const field = 'extensions.persistedQuery.sha256Hash';
  expect(
    fieldOf(() => checkPersistedQuery('{ institutions { id } }', { persistedQuery: { version: 1, sha256Hash: hash } })),
  ).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  expect(
    fieldOf(() => checkPersistedQuery(query, { persistedQuery: { version: 1, sha256Hash: hash.toUpperCase() } })),
  ).toEqual(expect.objectContaining({ field }));
  expect(fieldOf(() => checkPersistedQuery(query, { persistedQuery: { version: 2, sha256Hash: hash } }))).toEqual(
    expect.objectContaining({ field: 'extensions.persistedQuery.version' }),
  );
  expect(fieldOf(() => checkPersistedQuery(query, { persistedQuery: 'x' }))).toEqual(
    expect.objectContaining({ field: 'extensions.persistedQuery.version' }),
  );
});
