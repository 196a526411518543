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
