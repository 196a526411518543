import { sdlDifferences } from './common';

const CONTRACT = `
type Query { unit(id: ID!): Unit  units(first: Int! = 20): [Unit!]! }
type Unit { id: ID!  title(lang: String): String  status: Status! }
enum Status { ACTIVE RETIRED }
input Filter { text: String }
`;

test('an SDL that declares everything of the contract, and more, differs in nothing', () => {
  const richer = `${CONTRACT}\ntype Extra { x: Int }\nextend type Unit { extra: Extra }\n"""described"""\nscalar Other`;
  expect(sdlDifferences(CONTRACT, richer)).toEqual([]);
});

test('a missing type, field, argument or enum value, or another type, is named', () => {
  const poorer = `
type Query { unit(id: String!): Unit  units: [Unit!]! }
type Unit { id: ID!  title: String  status: String! }
enum Status { ACTIVE }
`;
  expect(sdlDifferences(CONTRACT, poorer)).toEqual([
    'Query.unit(id) is String!, not ID!',
    'Query.units(first) is missing',
    'Unit.title(lang) is missing',
    'Unit.status is String!, not Status!',
    'Status.RETIRED is missing',
    'type Filter is missing',
  ]);
});

test('nullability that still serves the hub is allowed: stricter fields, looser arguments; the reverse is named', () => {
  const contract = `
type Query { units(first: Int!, after: String): UnitConnection! }
type UnitConnection { nodes: [Unit]!  node: Unit }
type Unit { id: ID! }
input Filter { level: Int! }
`;
  const earlier = `
type Query { units(first: Int, after: String): UnitConnection! }
type UnitConnection { nodes: [Unit!]!  node: Unit! }
type Unit { id: ID! }
input Filter { level: Int }
`;
  expect(sdlDifferences(contract, earlier)).toEqual([]);
  const wrong = `
type Query { units(first: Int!, after: String!): UnitConnection }
type UnitConnection { nodes: [Unit]  node: [Unit] }
type Unit { id: ID }
input Filter { level: Int! }
`;
  expect(sdlDifferences(contract, wrong)).toEqual([
    'Query.units is UnitConnection, not UnitConnection!',
    'Query.units(after) is String!, not String',
    'UnitConnection.nodes is [Unit], not [Unit]!',
    'UnitConnection.node is [Unit], not Unit',
    'Unit.id is ID, not ID!',
  ]);
});
