import { buildSchema, execute, parse, validate, type GraphQLError } from 'graphql';
import { inputFieldOf } from './input-path';
import { EqfLevelScalar, EscoSkillUriScalar } from './scalars';

const schema = buildSchema(`
  scalar EqfLevel
  scalar EscoSkillUri
  input Range { min: Int, max: Int }
  input Filter { eqfLevel: EqfLevel, skills: [EscoSkillUri!], points: Range }
  type Query { units(filter: Filter, first: Int): Int }
`);
Object.assign(schema.getType('EqfLevel') ?? {}, {
  parseValue: EqfLevelScalar.parseValue,
  parseLiteral: EqfLevelScalar.parseLiteral,
});
Object.assign(schema.getType('EscoSkillUri') ?? {}, {
  parseValue: EscoSkillUriScalar.parseValue,
  parseLiteral: EscoSkillUriScalar.parseLiteral,
});
const SKILL = 'http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** The field each error of the query names, as a shard would: validation first, then the variables. */
function fieldsOf(query: string, variables?: Record<string, unknown>): Array<string | undefined> {
  const document = parse(query);
  const invalid = validate(schema, document);
  const errors: readonly GraphQLError[] =
    invalid.length > 0
      ? invalid
      : ((execute({ schema, document, variableValues: variables }) as { errors?: GraphQLError[] }).errors ?? []);
  expect(errors.length).toBeGreaterThan(0);
  return errors
    .map((error) => [inputFieldOf(error, document), inputFieldOf(error)])
    .map(([given, reparsed]) => {
      expect(reparsed).toBe(given);
      return given;
    });
}

describe('inputFieldOf: the argument path of the value an error is about', () => {
  it('names a literal inside an argument, in objects and lists', () => {
    expect(fieldsOf('{ units(filter: { eqfLevel: 99 }) }')).toEqual(['filter.eqfLevel']);
    expect(fieldsOf(`{ units(filter: { skills: ["${SKILL}", "welding"] }) }`)).toEqual(['filter.skills[1]']);
    expect(fieldsOf('{ a: units(first: 1) b: units(filter: { eqfLevel: 0 }) }')).toEqual(['filter.eqfLevel']);
  });

  it("names a variable's argument, and the path inside the variable", () => {
    expect(fieldsOf('query($f: Filter) { units(filter: $f) }', { f: { eqfLevel: 99 } })).toEqual(['filter.eqfLevel']);
    expect(fieldsOf('query($f: Filter) { units(filter: $f) }', { f: { skills: [SKILL, 'x'] } })).toEqual([
      'filter.skills[1]',
    ]);
    expect(fieldsOf('query($l: EqfLevel) { units(filter: { eqfLevel: $l }) }', { l: 9 })).toEqual(['filter.eqfLevel']);
    expect(fieldsOf('query($f: Filter) { units(filter: $f) }', { f: 'not an object' })).toEqual(['filter']);
  });

  it('names nothing for an error about no input value', () => {
    expect(fieldsOf('{ units(nope: 1) }')).toEqual([undefined]);
  });
});
