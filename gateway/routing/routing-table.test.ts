import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRoutingTable, routeFor, type Route } from './routing-table';

const supergraph = readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8');

describe('routes of the committed supergraph', () => {
  const rules = buildRoutingTable(supergraph);
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

describe('routes of a hand-written schema', () => {
  const rules = buildRoutingTable(`
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

  it("refuses a connection every shard answers whose nodes have no ID: the hub could not tell each one's owner", () => {
    expect(() =>
      buildRoutingTable(`
        type Tally { count: Int! }
        type TallyEdge { cursor: String! node: Tally! }
        type PageInfo { hasNextPage: Boolean! endCursor: String }
        type TallyConnection { edges: [TallyEdge!]! pageInfo: PageInfo! }
        type Query { tallies(first: Int, after: String): TallyConnection! }
      `),
    ).toThrow('Query.tallies: the nodes of a connection every shard answers need an `id`');
  });

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

describe('cacheable entity types and by-ID fields', () => {
  const table = buildRoutingTable(`
    directive @owner(argument: String) on FIELD_DEFINITION
    type Unit { id: ID! }
    type UnitEdge { cursor: String! node: Unit! }
    type PageInfo { hasNextPage: Boolean! }
    type UnitConnection { edges: [UnitEdge!]! pageInfo: PageInfo! }
    type Outcome { id: ID! }
    type OutcomePage { nodes: [Outcome!]! pageInfo: PageInfo! }
    type Agreement { id: ID! }
    type Query {
      unit(id: ID!): Unit @owner(argument: "id")
      units(first: Int): UnitConnection!
      outcomes: OutcomePage!
      tags: [String!]!
      myAgreement: Agreement @owner
      agreementOf(learner: ID!): Agreement @owner(argument: "learner")
      agreement(id: ID!): Agreement @owner(argument: "id")
      agreements(id: ID!): [Agreement!]!
    }
    type Mutation {
      retireUnit(id: ID!): Unit @owner(argument: "id")
      recognize(agreement: ID!): [Agreement!]! @owner(argument: "agreement")
      tagOutcome(id: ID!): Outcome @owner(argument: "id")
      note: String! @owner
    }
  `);
  const entityType = (field: string) => table.query.get(field)?.entityType;

  it('counts by-ID fields as their type and lists and connections as their element type', () => {
    expect(entityType('unit')).toBe('Unit');
    expect(entityType('units')).toBe('Unit');
    expect(entityType('outcomes')).toBe('Outcome');
    expect(entityType('tags')).toBe('String');
  });

  it('leaves out fields routed to the caller or by another argument, and every mutation', () => {
    expect(entityType('myAgreement')).toBeNull();
    expect(entityType('agreementOf')).toBeNull();
    expect(table.mutation.get('retireUnit')?.entityType).toBeNull();
  });

  it('notes the type a mutation writes when that type is fetched by ID at the root, alone or in a list', () => {
    const writes = (field: string) => table.mutation.get(field)?.writes;
    expect([writes('retireUnit'), writes('recognize'), writes('tagOutcome'), writes('note')]).toEqual([
      'Unit',
      'Agreement',
      null,
      null,
    ]);
    expect(table.query.get('unit')?.writes).toBeNull();
  });

  it('names the root field that fetches each type by its id, never a list', () => {
    expect(Object.fromEntries(table.byId)).toEqual({ Unit: 'unit', Agreement: 'agreement' });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.query.get('unit')?.route)).toBe(true);
  });
});

describe('subscription roots', () => {
  const table = buildRoutingTable(`
    enum join__Graph { MOBILITIES @join__graph(name: "mobilities", url: "") RECOGNITION @join__graph(name: "recognition", url: "") }
    directive @join__graph(name: String!, url: String!) on ENUM_VALUE
    directive @join__type(graph: join__Graph!) repeatable on OBJECT
    directive @join__field(graph: join__Graph) repeatable on FIELD_DEFINITION
    type Assessment { id: ID! }
    type Decision { id: ID! }
    type Query { assessment(id: ID!): Assessment decisionById(id: ID!): Decision }
    input MobilityFilter { institution: ID }
    type AssessmentEvent { cursor: String! type: String! assessment: Assessment! note: String }
    type DecisionEvent { cursor: String! decision: Decision! }
    type Subscription @join__type(graph: MOBILITIES) @join__type(graph: RECOGNITION) {
      assessmentRecorded(after: String, which: MobilityFilter!): AssessmentEvent! @join__field(graph: MOBILITIES)
      decided(after: String): DecisionEvent! @join__field(graph: RECOGNITION)
      untyped(after: String): DecisionEvent!
      noCursor(which: MobilityFilter): AssessmentEvent! @join__field(graph: MOBILITIES)
    }
  `);

  it('reads the kind, the filter argument and its input type, and the entity fields with their by-ID queries', () => {
    expect(table.subscription.get('assessmentRecorded')).toEqual({
      kind: 'mobilities',
      eventType: 'AssessmentEvent',
      cursorArgument: 'after',
      filter: { argument: 'which', type: 'MobilityFilter!' },
      entities: [{ field: 'assessment', rootField: 'assessment' }],
    });
    expect(table.subscription.get('decided')).toEqual({
      kind: 'recognition',
      eventType: 'DecisionEvent',
      cursorArgument: 'after',
      filter: null,
      entities: [{ field: 'decision', rootField: 'decisionById' }],
    });
  });

  it("takes a field without @join__field from its type's first graph, and leaves out fields without a cursor", () => {
    expect(table.subscription.get('untyped')?.kind).toBe('mobilities');
    expect(table.subscription.has('noCursor')).toBe(false);
  });
});

describe('subscription roots of the committed supergraph', () => {
  it('follow agreements through AgreementEventFilter and resolve their entities by ID', () => {
    const table = buildRoutingTable(supergraph);
    expect(
      Object.fromEntries(
        [...table.subscription].map(([field, root]) => [
          field,
          [root.kind, root.filter, root.entities.map((e) => `${e.field}:${e.rootField}`)],
        ]),
      ),
    ).toEqual({
      assessmentRecorded: [
        'mobilities',
        { argument: 'filter', type: 'AgreementEventFilter' },
        ['assessment:assessment', 'learningAgreement:learningAgreement'],
      ],
      homeRecognitionDecided: [
        'recognition',
        { argument: 'filter', type: 'AgreementEventFilter' },
        ['homeRecognitionDecision:homeRecognitionDecision'],
      ],
      learningAgreementChanged: [
        'mobilities',
        { argument: 'filter', type: 'AgreementEventFilter' },
        ['learningAgreement:learningAgreement'],
      ],
      recognitionDecided: [
        'recognition',
        { argument: 'filter', type: 'AgreementEventFilter' },
        ['recognitionDecision:recognitionDecision'],
      ],
    });
  });
});
