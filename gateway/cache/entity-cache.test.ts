import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRoutingTable } from '../routing/routing-table';
import { cachedRootFields } from './entity-cache';
import { DEFAULT_CACHED_TYPES } from './settings';

test('the cached root fields of the committed supergraph are the public by-ID fields and lists, nothing personal', () => {
  const supergraph = buildRoutingTable(
    readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'),
  );
  expect(Object.fromEntries(cachedRootFields(supergraph, DEFAULT_CACHED_TYPES))).toEqual({
    institution: 'Institution',
    institutions: 'Institution',
    qualification: 'Qualification',
    qualifications: 'Qualification',
    unit: 'Unit',
    units: 'Unit',
  });
  // A type left out of the configuration takes its fields with it.
  expect([...cachedRootFields(supergraph, new Map([['Unit', 1_000]])).keys()]).toEqual(['unit', 'units']);
});
