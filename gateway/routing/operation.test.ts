import { Kind, parse, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import {
  argumentValue,
  parseFetch,
  pickVariables,
  rootFields,
  subOperation,
  withDefaults,
  type Variables,
} from './operation';

/** The root fields of `query` under `variables`, by response key. */
function keys(query: string, variables: Variables = {}): string[] {
  return rootFields(parseFetch(query), variables).map((f) => f.responseKey);
}

/** The one root field of `query` named `name` (test inputs always have it). */
function rootField(query: string, name: string): FieldNode {
  const found = rootFields(parseFetch(query), {}).find((f) => f.name === name);
  if (!found) throw new Error(`no root field ${name}`);
  return found.node;
}

function variableNamesOf(query: string): string[] {
  const operation = parse(query).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return (operation?.variableDefinitions ?? []).map((d) => d.variable.name.value);
}

function fragmentNamesOf(query: string): string[] {
  return parse(query).definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.name.value] : []));
}

describe('parseFetch', () => {
  it('parses once and returns the cached object for the same text', () => {
    const query = 'query Q($id: ID!) { unit(id: $id) { id } }';
    const first = parseFetch(query);
    expect(parseFetch(query)).toBe(first);
    expect(first.type).toBe('query');
    expect(first.operation.name?.value).toBe('Q');
  });

  it('reads the operation type and the fragments', () => {
    const fetch = parseFetch('mutation { createUnit(input: {}) { ...U } } fragment U on Unit { id }');
    expect(fetch.type).toBe('mutation');
    expect([...fetch.fragments.keys()]).toEqual(['U']);
  });

  it('rejects a document with two operations or none', () => {
    expect(() => parseFetch('query A { a } query B { b }')).toThrow('exactly one operation');
    expect(() => parseFetch('fragment F on Query { a }')).toThrow('exactly one operation');
  });
});

describe('rootFields', () => {
  it('keys fields by alias, else by name, in document order', () => {
    const fields = rootFields(parseFetch('{ first: unit(id: "a:b") { id } units { totalCount } __typename }'), {});
    expect(fields.map((f) => [f.responseKey, f.name])).toEqual([
      ['first', 'unit'],
      ['units', 'units'],
      ['__typename', '__typename'],
    ]);
    expect(fields[0]?.node.kind).toBe(Kind.FIELD);
  });

  it('flattens inline fragments and named fragment spreads at the root', () => {
    const query = '{ a ... on Query { b ...Root } e } fragment Root on Query { c ... { d } }';
    expect(keys(query)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('applies @skip and @include with literals', () => {
    expect(keys('{ a @skip(if: true) b @skip(if: false) c @include(if: false) d @include(if: true) }')).toEqual([
      'b',
      'd',
    ]);
  });

  it('applies @skip and @include with variables, also on fragments', () => {
    const query =
      'query($s: Boolean!, $i: Boolean!) { a @skip(if: $s) b @include(if: $i) ... @include(if: $i) { c } ...F @skip(if: $s) } fragment F on Query { d }';
    expect(keys(query, { s: true, i: false })).toEqual([]);
    expect(keys(query, { s: false, i: true })).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('argumentValue', () => {
  it('reads a literal argument', () => {
    expect(argumentValue(rootField('{ unit(id: "rvt.lv:WELD-U3") { id } }', 'unit'), ['id'], {})).toBe(
      'rvt.lv:WELD-U3',
    );
    expect(argumentValue(rootField('{ units(first: 5) { totalCount } }', 'units'), ['first'], {})).toBe(5);
  });

  it('reads a variable argument, and is undefined for a missing argument', () => {
    const node = rootField('query($id: ID!) { unit(id: $id) { id } }', 'unit');
    expect(argumentValue(node, ['id'], { id: 'bbs-hannover.de:K1' })).toBe('bbs-hannover.de:K1');
    expect(argumentValue(node, ['other'], { id: 'x' })).toBeUndefined();
  });

  it('follows a path into an input object literal, with variables inside', () => {
    const node = rootField(
      'query($q: ID!) { createUnit(input: { qualificationId: $q, points: 5 }) { id } }',
      'createUnit',
    );
    expect(argumentValue(node, ['input', 'qualificationId'], { q: 'rvt.lv:WELD' })).toBe('rvt.lv:WELD');
    expect(argumentValue(node, ['input', 'points'], {})).toBe(5);
    expect(argumentValue(node, ['input', 'missing', 'deeper'], {})).toBeUndefined();
  });

  it('follows a path into an input object passed as one variable', () => {
    const node = rootField('mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }', 'createUnit');
    expect(argumentValue(node, ['input', 'qualificationId'], { input: { qualificationId: 'rvt.lv:WELD' } })).toBe(
      'rvt.lv:WELD',
    );
    expect(argumentValue(node, ['input', 'qualificationId'], { input: null })).toBeUndefined();
  });
});

describe('subOperation', () => {
  const query = `
    query Both($a: ID!, $b: ID!, $lang: LanguageCode, $unused: Int) {
      one: unit(id: $a) { ...UnitParts }
      two: unit(id: $b) { title(lang: $lang) ...Plain }
    }
    fragment UnitParts on Unit { id ...Titles }
    fragment Titles on Unit { title(lang: $lang) ...Deepest }
    fragment Deepest on Unit { localId }
    fragment Plain on Unit { id }
  `;

  it('keeps only the variables and fragments the chosen fields use, through nested spreads', () => {
    const fetch = parseFetch(query);
    const one = rootField(query, 'unit');
    const cut = subOperation(fetch, [one]);
    expect(cut.variableNames).toEqual(['a', 'lang']);
    expect(variableNamesOf(cut.query)).toEqual(['a', 'lang']);
    expect(fragmentNamesOf(cut.query)).toEqual(['UnitParts', 'Titles', 'Deepest']);
    expect(cut.query).not.toContain('two:');
  });

  it('keeps the operation name and type for the other field', () => {
    const fetch = parseFetch(query);
    const two = rootFields(fetch, {}).find((f) => f.responseKey === 'two');
    if (!two) throw new Error('no field two');
    const cut = subOperation(fetch, [two.node]);
    expect(cut.variableNames).toEqual(['b', 'lang']);
    expect(fragmentNamesOf(cut.query)).toEqual(['Plain']);
    expect(cut.query).toMatch(/^query Both\(/);
  });

  it('adds the extra variable definitions after the used ones, and prints a valid document', () => {
    const fetch = parseFetch('query($f: Int) { units(first: $f, after: $cursor) { totalCount } }');
    const extra: VariableDefinitionNode = {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'cursor' } },
      type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
    };
    const cut = subOperation(
      fetch,
      rootFields(fetch, {}).map((f) => f.node),
      [extra],
    );
    expect(cut.variableNames).toEqual(['f', 'cursor']);
    expect(() => parse(cut.query)).not.toThrow();
    expect(variableNamesOf(cut.query)).toEqual(['f', 'cursor']);
  });
});

describe('withDefaults', () => {
  it('fills variables the client left out from their declared defaults, so routing sees what the shard will', () => {
    const fetch = parseFetch(
      'query($show: Boolean! = true, $id: ID! = "rvt.lv:WELD-U3", $n: Int = 5) { a @include(if: $show) { id } unit(id: $id) { id } b }',
    );
    const variables = withDefaults(fetch, { n: 7 });
    expect(variables).toEqual({ show: true, id: 'rvt.lv:WELD-U3', n: 7 });
    expect(rootFields(fetch, variables).map((f) => f.responseKey)).toEqual(['a', 'unit', 'b']);
    const unit = rootFields(fetch, variables)[1];
    expect(unit && argumentValue(unit.node, ['id'], variables)).toBe('rvt.lv:WELD-U3');
  });
});

describe('pickVariables', () => {
  it('keeps only the named variables that were given, including null values', () => {
    expect(pickVariables({ a: 1, b: null, c: 'x' }, ['a', 'b', 'missing'])).toEqual({ a: 1, b: null });
    expect(pickVariables({ a: 1 }, [])).toEqual({});
  });
});
