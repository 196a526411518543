import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { OperationLimitError } from '../../schema/errors';
import { useLimits } from './limits';

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'), {
  assumeValidSDL: true,
});
const limits = useLimits({
  maxDepth: 4,
  maxAliases: 3,
  maxDirectives: 2,
  maxRootFields: 3,
  maxCost: 1_000,
  maxTokens: 50,
  maxBatchSize: 2,
});

function refusals(query: string): Array<{ message: string; extensions: Record<string, unknown> }> {
  const errors: readonly GraphQLError[] = validate(schema, parse(query), [
    ...specifiedRules,
    ...limits.validationRules,
  ]);
  return errors.map((error) => ({ message: error.message, extensions: error.extensions }));
}

test('within every limit: no refusal', () => {
  expect(refusals('{ units(first: 5) { nodes { id qualification { id } } } }')).toEqual([]);
});

test('each limit refuses with its name and value (graphql-armor for depth, aliases and directives)', () => {
  expect(refusals('{ unit(id: "a:b") { qualification { units { qualification { id } } } } }')).toEqual([
    {
      message: 'Query depth 5 exceeds the limit of 4',
      extensions: expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 4, found: 5 }),
    },
  ]);
  expect(refusals('{ unit(id: "a:b") { a: id b: id c: id d: id } }')).toEqual([
    {
      message: 'Query alias count 4 exceeds the limit of 3',
      extensions: expect.objectContaining({ limit: 'aliases', max: 3, found: 4 }),
    },
  ]);
  expect(
    refusals('{ unit(id: "a:b") { id @include(if: true) title @include(if: true) eqfLevel @skip(if: false) } }'),
  ).toEqual([
    {
      message: 'Query directive count 3 exceeds the limit of 2',
      extensions: expect.objectContaining({ limit: 'directives', max: 2, found: 3 }),
    },
  ]);
  expect(
    refusals(
      '{ institutions { id } units { totalCount } qualifications { totalCount } __typename unit(id: "a:b") { id } }',
    ),
  ).toEqual([
    {
      message: 'Query root field count 4 exceeds the limit of 3',
      extensions: expect.objectContaining({ limit: 'rootFields', max: 3, found: 4 }),
    },
  ]);
  expect(refusals('{ units(first: 1000000) { nodes { id } } }')).toEqual([
    {
      message: expect.stringMatching(/^Query cost 2000000 exceeds the limit of 1000/),
      extensions: expect.objectContaining({ limit: 'cost', max: 1_000, found: 2_000_000 }),
    },
  ]);
});

test('depth counts fields only: fragments add no level of their own', () => {
  expect(refusals('{ unit(id: "a:b") { ...Q } } fragment Q on Unit { qualification { units { id } } }')).toEqual([]);
});

test('a fragment cycle is refused by graphql itself, and no limit loops on it', () => {
  const errors = refusals(
    '{ unit(id: "a:b") { ...A } } fragment A on Unit { qualification { units { ...B } } } fragment B on Unit { ...A }',
  );
  expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('Cannot spread fragment "A" within itself')]);
});

test('tokens: the parser stops at the limit, and the error is reported as the limit', () => {
  const query = `{ unit(id: "a:b") { ${'id '.repeat(60)} } }`;
  let error: GraphQLError | undefined;
  try {
    parse(query, limits.parseOptions);
  } catch (caught) {
    error = caught as GraphQLError;
  }
  expect(error).toBeDefined();
  const formatted = limits.formatError({ message: error?.message ?? '', extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  expect(formatted).toEqual({
    message: 'Query token count exceeds the limit of 50',
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 50 },
  });
  expect(
    limits.formatError({
      message: 'Syntax Error: Expected Name, found "}".',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    }).message,
  ).toMatch(/Expected Name/);
});

test('batches: refused by default, capped when allowed', () => {
  expect(() => useLimits().checkBatch([{ query: '{ __typename }' }])).toThrow(/Batched operations are not accepted/);
  expect(useLimits().allowBatchedHttpRequests).toBe(false);
  expect(() => limits.checkBatch([{}, {}])).not.toThrow();
  expect(() => limits.checkBatch([{}, {}, {}])).toThrow(
    new OperationLimitError('Batch size 3 exceeds the limit of 2', 'batch', 2, 3),
  );
  expect(() => limits.checkBatch({ query: '{ __typename }' })).not.toThrow();
});

test('defaults are the documented ones', () => {
  expect(useLimits().values).toEqual({
    maxDepth: 12,
    maxAliases: 30,
    maxTokens: 2_000,
    maxDirectives: 50,
    maxFieldRepeats: 10,
    maxRootFields: 20,
    maxCost: 50_000,
    defaultListSize: 20,
    maxBodyBytes: 1_000_000,
    maxBatchSize: 0,
    blockFieldSuggestions: false,
  });
});

test('`__typename` aliases count like any other', () => {
  expect(refusals('{ a: __typename b: __typename c: __typename d: __typename }')).toEqual([
    {
      message: 'Query alias count 4 exceeds the limit of 3',
      extensions: expect.objectContaining({ limit: 'aliases', max: 3, found: 4 }),
    },
  ]);
});

test('checkOperation: unknown, misplaced or repeated directives are one error, before validation', () => {
  const query = `{ __typename ${'@aa '.repeat(990)}}`;
  expect(limits.checkOperation(schema, parse(query)).map((e) => [e.message, e.extensions.code])).toEqual([
    [
      'Unknown directive "@aa" (990 unknown, misplaced or repeated directives in this operation): an operation may use only the schema\'s directives, where they are allowed, a non-repeatable one once per location',
      'GRAPHQL_VALIDATION_FAILED',
    ],
  ]);
  const misplaced = limits.checkOperation(schema, parse('query @include(if: true) { __typename @deprecated }'));
  expect(misplaced.map((e) => e.message)).toEqual([
    expect.stringMatching(/^The directive "@include" may not be used on QUERY \(2 unknown, misplaced or repeated/),
  ]);
  const repeated = limits.checkOperation(schema, parse('{ __typename @skip(if: false) @skip(if: false) }'));
  expect(repeated.map((e) => e.message)).toEqual([
    expect.stringMatching(/^The directive "@skip" is used more than once at one location: /),
  ]);
});

test('checkOperation: repeats of one response key in a selection are capped; the other limits and the variable cost follow', () => {
  const repeats = limits.checkOperation(schema, parse(`{ ${'__typename '.repeat(11)}}`));
  expect(repeats).toEqual([
    new OperationLimitError(
      'Field "__typename" repeated 11 times in one selection exceeds the limit of 10',
      'fieldRepeats',
      10,
      11,
    ),
  ]);
  expect(repeats[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'fieldRepeats', max: 10, found: 11 }),
  );
  expect(limits.checkOperation(schema, parse(`{ ${'__typename '.repeat(10)}}`))).toEqual([]);
  expect(
    limits
      .checkOperation(schema, parse('{ unit(id: "a:b") { qualification { units { qualification { id } } } } }'))
      .map((e) => e.extensions.limit),
  ).toEqual(['depth']);
  const paged = parse('query($n: Int!) { units(first: $n) { nodes { id } } }');
  expect(limits.checkOperation(schema, paged, { n: 5 })).toEqual([]);
  expect(limits.checkOperation(schema, paged, { n: 1_000_000 }).map((e) => e.extensions.limit)).toEqual(['cost']);
});
