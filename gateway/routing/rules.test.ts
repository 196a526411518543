import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeFor, routingRulesFromSupergraph, type Route } from './rules';

const supergraph = readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8');

describe('routing rules of the committed supergraph', () => {
  const rules = routingRulesFromSupergraph(supergraph);
  const route = (operation: 'query' | 'mutation', field: string) => routeFor(rules, operation, field);

  it.each<[string, Route]>([
    ['unit', { kind: 'owner', argument: ['id'] }],
    ['qualification', { kind: 'owner', argument: ['id'] }],
    ['institution', { kind: 'owner', argument: ['id'] }],
    ['units', { kind: 'fan-out', shape: 'connection', defaultFirst: 20 }],
    ['qualifications', { kind: 'fan-out', shape: 'connection', defaultFirst: 20 }],
    ['institutions', { kind: 'fan-out', shape: 'list', defaultFirst: 20 }],
  ])('routes query.%s', (field, expected) => {
    expect(route('query', field)).toEqual(expected);
  });

  it.each<[string, Route]>([
    ['createQualification', { kind: 'caller' }],
    ['createUnit', { kind: 'owner', argument: ['input', 'qualificationId'] }],
    ['updateUnit', { kind: 'owner', argument: ['id'] }],
    ['retireUnit', { kind: 'owner', argument: ['id'] }],
  ])('routes mutation.%s', (field, expected) => {
    expect(route('mutation', field)).toEqual(expected);
  });

  it('knows no route for a field that does not exist, nor across operation types', () => {
    expect(route('query', 'nothing')).toBeUndefined();
    expect(route('query', 'createUnit')).toBeUndefined();
    expect(route('mutation', 'units')).toBeUndefined();
  });
});

describe('routing rules of a hand-written schema', () => {
  const rules = routingRulesFromSupergraph(`
    directive @owner(argument: String) on FIELD_DEFINITION
    type Thing { id: ID! }
    type ThingEdge { cursor: String! node: Thing! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    type ThingConnection { edges: [ThingEdge!]! pageInfo: PageInfo! }
    type NotAConnection { edges: [ThingEdge!]! }
    type Query {
      version: String!
      settings: Thing
      half: NotAConnection
      mine: Thing @owner
      thing(ref: ID!): Thing @owner(argument: "ref")
      things(first: Int = 5, after: String): ThingConnection!
      tags(first: Int! = 7): [String!]
      all(first: Int): [Thing]!
    }
    type Mutation {
      touch(input: String): Thing
      move(where: MoveInput!): Thing @owner(argument: "where.to.id")
    }
    input MoveInput { to: Target! }
    input Target { id: ID! }
  `);

  it('sends a singular field without @owner to any one shard', () => {
    expect(routeFor(rules, 'query', 'version')).toEqual({ kind: 'any' });
    expect(routeFor(rules, 'query', 'settings')).toEqual({ kind: 'any' });
    expect(routeFor(rules, 'query', 'half')).toEqual({ kind: 'any' });
  });

  it('reads @owner with and without an argument path', () => {
    expect(routeFor(rules, 'query', 'mine')).toEqual({ kind: 'caller' });
    expect(routeFor(rules, 'query', 'thing')).toEqual({ kind: 'owner', argument: ['ref'] });
    expect(routeFor(rules, 'mutation', 'move')).toEqual({ kind: 'owner', argument: ['where', 'to', 'id'] });
  });

  it("takes a fan-out's page size from the default of `first`, else 20", () => {
    expect(routeFor(rules, 'query', 'things')).toEqual({ kind: 'fan-out', shape: 'connection', defaultFirst: 5 });
    expect(routeFor(rules, 'query', 'tags')).toEqual({ kind: 'fan-out', shape: 'list', defaultFirst: 7 });
    expect(routeFor(rules, 'query', 'all')).toEqual({ kind: 'fan-out', shape: 'list', defaultFirst: 20 });
  });

  it('sends a mutation without @owner to the caller', () => {
    expect(routeFor(rules, 'mutation', 'touch')).toEqual({ kind: 'caller' });
  });
});
