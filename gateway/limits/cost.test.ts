import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { operationCost, type CostOptions } from './cost';

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'), {
  assumeValidSDL: true,
});
const OPTIONS: CostOptions = { maxCost: 50_000, defaultListSize: 20 };

function cost(query: string, variables: Record<string, unknown> | null = null) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  if (!operation) throw new Error('no operation');
  return operationCost(schema, operation, (name) => fragments.get(name), variables, OPTIONS);
}

test('a connection counts `first` items, its edges and nodes no more, and lists below multiply', () => {
  expect(cost('{ units(first: 100) { totalCount nodes { id learningOutcomes { id } } } }').cost).toBe(
    100 + 100 + 100 * 20,
  );
  expect(cost('{ units(first: 100) { edges { cursor node { id } } } }').cost).toBe(300);
});

test("an absent `first` counts the schema's default; a by-ID field counts one", () => {
  expect(cost('{ units { nodes { id } } }').cost).toBe(40);
  expect(cost('{ unit(id: "rvt.lv:U1") { id qualification { id units { id } } } }').cost).toBe(1 + 1 + 20);
});

test('scalars, __typename and introspection are free', () => {
  expect(cost('{ __typename unit(id: "x:y") { id title eqfLevel escoSkills } }').cost).toBe(1);
  expect(cost('{ __schema { types { fields { args { type { ofType { name } } } } } } }').cost).toBe(0);
});

test('`first: 1000000` is priced as asked', () => {
  expect(cost('{ units(first: 1000000) { nodes { id } } }').cost).toBe(2_000_000);
});

test('a size from a variable is checked with the value sent (and flagged for it)', () => {
  const query = 'query($n: Int!) { units(first: $n) { nodes { id } } }';
  expect(cost(query)).toEqual({ cost: 40, variableSized: true });
  expect(cost(query, { n: 1_000_000 })).toEqual({ cost: 2_000_000, variableSized: true });
  expect(cost('query($n: Int! = 5) { units(first: $n) { nodes { id } } }')).toEqual({ cost: 10, variableSized: true });
  expect(cost('{ units(first: 5) { nodes { id } } }').variableSized).toBe(false);
});

test('fragments are costed where they are spread, inline fragments too', () => {
  const spread = cost(
    '{ units(first: 10) { ...Page } } fragment Page on UnitConnection { nodes { ...U } } fragment U on Unit { learningOutcomes { id } }',
  );
  expect(spread.cost).toBe(10 + 10 + 200);
  expect(cost('{ units(first: 10) { ... on UnitConnection { nodes { id } } } }').cost).toBe(20);
});

test('a fragment bomb is priced in linear time and a fragment cycle terminates', () => {
  const levels = 30;
  const fragments = Array.from({ length: levels }, (_, i) =>
    i === 0
      ? 'fragment F0 on Unit { qualification { id } }'
      : `fragment F${i} on Unit { a: qualification { units { ...F${i - 1} } } b: qualification { units { ...F${i - 1} } } }`,
  ).join('\n');
  const started = Date.now();
  const bomb = cost(`{ unit(id: "x:y") { ...F${levels - 1} } } ${fragments}`);
  expect(Date.now() - started).toBeLessThan(500);
  expect(bomb.cost).toBeGreaterThan(1e30);
  expect(
    cost(
      '{ unit(id: "x:y") { ...A } } fragment A on Unit { qualification { units { ...B } } } fragment B on Unit { ...A }',
    ).cost,
  ).toBe(1 + 1 + 20);
});
