import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { encodeShardCursor, sortKeyOf } from '../../schema/cursor';
import { ErrorCode } from '../../schema/errors';
import type { Shard } from '../registry/registry';
import type { FetchPlan, PlanCaller, ShardRequest } from './plan';
import { planFetch } from './planner';
import { DE, FI, LV, routingTableOf, shard, SHARDS } from './routing-table.fixture';
import { runPlan } from './run-plan';
import type { ShardCaller, ShardResult } from './shard-call';

const rules = routingTableOf([
  ['query.unit', { kind: 'owner', argument: ['id'] }],
  ['query.compareUnits', { kind: 'any' }],
  ['query.institutions', { kind: 'fan-out', shape: 'list', defaultFirst: 20 }],
  ['query.units', { kind: 'fan-out', shape: 'connection', defaultFirst: 20 }],
  ['mutation.retireUnit', { kind: 'owner', argument: ['id'] }],
]);

function plan(
  query: string,
  variables: Record<string, unknown> = {},
  caller: PlanCaller = { institution: null },
  openCircuits: string[] = [],
): FetchPlan {
  return planFetch(
    { query, variables },
    { kind: 'qualifications', shards: SHARDS, rules, openCircuits: new Set(openCircuits) },
    caller,
  );
}

type Answer = (request: ShardRequest) => GatewayGraphQLResponse | Promise<GatewayGraphQLResponse>;

/** A failure as the HTTP client reports it: the shard was never reached. */
/** The error naming a shard whose share of a fan-out held items not its own. */
const foreignItemsOf = (institution: string) =>
  expect.objectContaining({
    message: expect.stringContaining('items that are not its own'),
    extensions: { code: ErrorCode.SHARD_UNAVAILABLE, institution, kind: 'qualifications', cause: 'foreign-items' },
  });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const timedOut = () => Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** Shards that answer from a function per institution, and remember what they were asked, in order. */
class FakeShards implements ShardCaller {
  readonly calls: Array<{ institution: string; request: ShardRequest; operation: 'query' | 'mutation' }> = [];
  readonly log: string[] = [];
  /** Set by a test to say the request's deadline has passed. */
  pastDeadline = false;

  constructor(
    private readonly answers: Record<string, Answer>,
    private readonly open: ReadonlySet<string> = new Set(),
  ) {}

  circuitOpen(target: Shard): boolean {
    return this.open.has(target.institution);
  }

  expired(): boolean {
    return this.pastDeadline;
  }

  cacheHit(target: Shard): void {
    this.log.push(`cache hit ${target.institution}`);
  }

  async call(target: Shard, request: ShardRequest, operation: 'query' | 'mutation'): Promise<ShardResult> {
    this.calls.push({ institution: target.institution, request, operation });
    this.log.push(`start ${target.institution}`);
    try {
      const answer = this.answers[target.institution];
      if (!answer) throw refused();
      const response = await answer(request);
      return { shard: target, response };
    } catch (failure) {
      return { shard: target, failure };
    } finally {
      this.log.push(`end ${target.institution}`);
    }
  }
}

describe('runPlan: queries', () => {
  it('merges a fanned-out list in registry order, whichever shard answers first', async () => {
    const shards = new FakeShards({
      [DE]: () => later(30, { data: { institutions: [{ code: DE }] } }),
      [FI]: () => ({ data: { institutions: [{ code: FI }] } }),
      [LV]: () => later(10, { data: { institutions: [{ code: LV }, { code: 'rvt.lv/2' }] } }),
    });
    expect(await runPlan({ shards }, plan('{ institutions { code } }'))).toEqual({
      data: { institutions: [{ code: DE }, { code: FI }, { code: LV }, { code: 'rvt.lv/2' }] },
    });
  });

  it("drops a shard's whole share of a fanned-out list when it names another institution's items as its own", async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: { institutions: [{ institution: DE, code: DE }] } }),
      [FI]: () => ({
        data: {
          institutions: [
            { institution: FI, code: FI },
            { institution: LV, code: 'forged' },
          ],
        },
      }),
      [LV]: () => ({ data: { institutions: [{ institution: LV, code: LV }] } }),
    });
    const result = await runPlan({ shards }, plan('{ institutions { institution code } }'));
    expect(result.data).toEqual({
      institutions: [
        { institution: DE, code: DE },
        { institution: LV, code: LV },
      ],
    });
    expect(result.errors).toEqual([foreignItemsOf(FI)]);
  });

  it("drops a shard's whole share of a fanned-out list when an item's ID is another institution's", async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: { institutions: [{ ref: DE, code: DE }] } }),
      [FI]: () => ({ data: { institutions: [{ ref: FI, code: FI }] } }),
      [LV]: () => ({
        data: {
          institutions: [
            { ref: LV, code: LV },
            { ref: FI, code: 'forged' },
          ],
        },
      }),
    });
    const result = await runPlan({ shards }, plan('{ institutions { ref: id code } }'));
    expect(result.data).toEqual({
      institutions: [
        { ref: DE, code: DE },
        { ref: FI, code: FI },
      ],
    });
    expect(result.errors?.map((error) => error.extensions)).toEqual([
      { code: ErrorCode.SHARD_UNAVAILABLE, institution: LV, kind: 'qualifications', cause: 'foreign-items' },
    ]);
  });

  it("reads an item's owner by its field, not by its alias", async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: { institutions: [{ id: 'Berufsbildende Schule', institution: 'anything' }] } }),
    });
    const result = await runPlan({ shards }, plan('{ institutions { id: name institution: code } }'));
    expect(result.errors?.map((error) => error.extensions?.institution)).toEqual([FI, LV]);
    expect(result.data).toEqual({ institutions: [{ id: 'Berufsbildende Schule', institution: 'anything' }] });
  });

  it("drops a shard's whole share of a fanned-out connection when a node is another institution's", async () => {
    const unit = (id: string, title: string) => ({
      cursor: encodeShardCursor({ sortKey: sortKeyOf(title), id }),
      node: { id, title },
    });
    const page = (edges: Array<ReturnType<typeof unit>>) => ({
      data: {
        units: {
          edges: edges.map((edge) => ({ node: { title: edge.node.title } })),
          __hubEdges: edges.map((edge) => ({ cursor: edge.cursor })),
          __hubPage: { hasNextPage: false },
          __hubNodes: edges.map((edge) => ({ node: { id: edge.node.id } })),
        },
      },
    });
    const shards = new FakeShards({
      [DE]: () => page([unit(`${DE}:K1`, 'Drehen')]),
      [FI]: () => page([unit(`${FI}:H1`, 'Hitsaus'), unit(`${LV}:U1`, 'Metināšana')]),
      [LV]: () => page([unit(`${LV}:U1`, 'Metināšana')]),
    });
    const query = '{ units(first: 5) { edges { node { title } } } }';
    const fanned = plan(query);
    expect(fanned.type === 'query' && fanned.calls[0]?.query).toMatch(/__hubNodes: edges \{\s+node \{\s+id\s+\}/);
    const result = await runPlan({ shards }, fanned);
    expect(result.data).toEqual({
      units: { edges: [{ node: { title: 'Drehen' } }, { node: { title: 'Metināšana' } }] },
    });
    expect(result.errors).toEqual([foreignItemsOf(FI)]);
  });

  it('drops the share of a shard whose connection does not show each node it returns as its own', async () => {
    const cursor = encodeShardCursor({ sortKey: sortKeyOf('Drehen'), id: `${DE}:K1` });
    const units = {
      __hubEdges: [{ cursor }],
      __hubPage: { hasNextPage: false },
      __hubNodes: [{ node: { id: `${DE}:K1` } }],
    };
    const answers: Array<[string, string, Record<string, unknown>]> = [
      ['no IDs where the hub asked for them', '{ units { nodes { title } } }', { ...units, __hubNodes: [{}] }],
      [
        'an ID of its own where the hub reads it and of another where the client does',
        '{ units { nodes { ref: id } edges { node { other: id } } } }',
        { ...units, nodes: [{ ref: `${DE}:K1` }], edges: [{ node: { other: `${FI}:H1` } }] },
      ],
      [
        'another institution named in an Institution',
        '{ units { nodes { id institution { id } } } }',
        { ...units, nodes: [{ id: `${DE}:K1`, institution: { id: FI } }] },
      ],
    ];
    for (const [what, query, value] of answers) {
      const shards = new FakeShards({ [DE]: () => ({ data: { units: value } }) });
      const result = await runPlan({ shards }, plan(query));
      const cause = result.errors?.find((error) => error.extensions?.institution === DE)?.extensions?.cause;
      expect([what, cause, result.data]).toEqual([what, 'foreign-items', { units: null }]);
    }
  });

  it("puts each owner's answer under its own field, with the values the plan knew itself", async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: { de: { id: 'bbs-hannover.de:K1' } } }),
      [LV]: () => ({ data: { lv: { id: 'rvt.lv:U1' } } }),
    });
    const result = await runPlan(
      { shards },
      plan(
        '{ __typename lv: unit(id: "rvt.lv:U1") { id } de: unit(id: "bbs-hannover.de:K1") { id } bad: unit(id: "U") { id } }',
      ),
    );
    expect(result.data).toEqual({
      __typename: 'Query',
      bad: null,
      de: { id: 'bbs-hannover.de:K1' },
      lv: { id: 'rvt.lv:U1' },
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ path: ['bad'], extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'id' } }),
    ]);
  });

  it('costs a failing shard only its own data, in an error naming the institution and the cause', async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: { institutions: [{ code: DE }], de: { id: 'bbs-hannover.de:K1' } } }),
      [FI]: () => ({ data: { institutions: [{ code: FI }] } }),
    });
    const result = await runPlan(
      { shards },
      plan('{ lv: unit(id: "rvt.lv:U1") { id } de: unit(id: "bbs-hannover.de:K1") { id } institutions { code } }'),
    );
    expect(result.data).toEqual({
      lv: null,
      de: { id: 'bbs-hannover.de:K1' },
      institutions: [{ code: DE }, { code: FI }],
    });
    const failure = {
      code: ErrorCode.SHARD_UNAVAILABLE,
      institution: LV,
      kind: 'qualifications',
      cause: 'unavailable',
    };
    expect(result.errors).toEqual([
      {
        message:
          'The qualifications shard of rvt.lv could not be reached (ECONNREFUSED); its data is missing from this answer',
        path: ['lv'],
        extensions: failure,
      },
      {
        message:
          'The qualifications shard of rvt.lv could not be reached (ECONNREFUSED); its data is missing from this answer',
        extensions: failure,
      },
    ]);
  });

  it('gives a fanned-out field null only when no shard answered it', async () => {
    const result = await runPlan({ shards: new FakeShards({}) }, plan('{ institutions { code } }'));
    expect(result.data).toEqual({ institutions: null });
    expect(result.errors?.map((error) => error.extensions?.institution)).toEqual([DE, FI, LV]);
  });

  it("tags a shard's own errors with its institution and reports the same rejection from every shard once", async () => {
    const rejection = {
      message: 'filter is not valid',
      path: ['institutions'],
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    };
    const answer = () => ({ data: { institutions: null }, errors: [rejection] });
    const result = await runPlan(
      { shards: new FakeShards({ [DE]: answer, [FI]: answer, [LV]: answer }) },
      plan('{ institutions { code } }'),
    );
    expect(result).toEqual({
      data: { institutions: null },
      errors: [{ ...rejection, extensions: { code: ErrorCode.BAD_USER_INPUT, kind: 'qualifications' } }],
    });

    const owned = await runPlan(
      {
        shards: new FakeShards({
          [LV]: () => ({
            data: { unit: null },
            errors: [{ message: 'no such unit', path: ['unit'], extensions: { code: 'NOT_FOUND' } }],
          }),
        }),
      },
      plan('{ unit(id: "rvt.lv:U404") { id } }'),
    );
    expect(owned.errors).toEqual([
      {
        message: 'no such unit',
        path: ['unit'],
        extensions: { code: 'NOT_FOUND', institution: LV, kind: 'qualifications' },
      },
    ]);
  });
});

describe('runPlan: stand-ins for any shard', () => {
  const compare = '{ compareUnits { score } }';
  const answered = (institution: string) => () => ({
    data: { compareUnits: { score: 1 } },
    errors: [{ message: `note from ${institution}`, path: ['compareUnits', 'score'] }],
  });

  it('asks the next shard whose circuit is not open when the first fails without answering', async () => {
    const shards = new FakeShards(
      { [DE]: () => Promise.reject(new Error('socket hang up')), [LV]: answered(LV) },
      new Set([FI]),
    );
    const result = await runPlan({ shards }, plan(compare));
    expect(shards.calls.map((call) => call.institution)).toEqual([DE, LV]);
    // The answer is the stand-in's: its errors carry its name.
    expect(result).toEqual({
      data: { compareUnits: { score: 1 } },
      errors: [expect.objectContaining({ extensions: { institution: LV, kind: 'qualifications' } })],
    });
  });

  it('tries at most two stand-ins and then reports the first failure', async () => {
    const fourShards = [...SHARDS, shard('zz.ee')];
    const planned = planFetch(
      { query: compare, variables: {} },
      { kind: 'qualifications', shards: fourShards, rules, openCircuits: new Set() },
      { institution: null },
    );
    const shards = new FakeShards({});
    const result = await runPlan({ shards }, planned);
    expect(shards.calls.map((call) => call.institution)).toEqual([DE, FI, LV]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['compareUnits'],
        extensions: expect.objectContaining({ institution: DE, cause: 'unavailable' }),
      }),
    ]);
  });

  it('does not stand in after a timeout: the client has waited one shard timeout already', async () => {
    const shards = new FakeShards({ [DE]: () => Promise.reject(timedOut()), [FI]: answered(FI) });
    const result = await runPlan({ shards }, plan(compare));
    expect(shards.calls.map((call) => call.institution)).toEqual([DE]);
    expect(result).toEqual({
      data: { compareUnits: null },
      errors: [
        expect.objectContaining({
          path: ['compareUnits'],
          extensions: expect.objectContaining({ code: ErrorCode.GATEWAY_TIMEOUT, institution: DE, cause: 'timeout' }),
        }),
      ],
    });
  });

  it("does not stand in once the request's deadline has passed", async () => {
    const shards: FakeShards = new FakeShards({
      [DE]: () => {
        shards.pastDeadline = true;
        return Promise.reject(refused());
      },
      [FI]: answered(FI),
    });
    const result = await runPlan({ shards }, plan(compare));
    expect(shards.calls.map((call) => call.institution)).toEqual([DE]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['compareUnits'],
        extensions: expect.objectContaining({ institution: DE, cause: 'unavailable' }),
      }),
    ]);
  });

  it('does not stand in for a shard that answered with errors', async () => {
    const shards = new FakeShards({
      [DE]: () => ({ data: null, errors: [{ message: 'bad input', path: ['compareUnits'] }] }),
      [FI]: answered(FI),
    });
    await runPlan({ shards }, plan(compare));
    expect(shards.calls.map((call) => call.institution)).toEqual([DE]);
  });
});

describe('runPlan: mutations', () => {
  it('runs the steps one after another, in document order', async () => {
    const shards = new FakeShards({
      [LV]: () => later(20, { data: { first: { id: 'rvt.lv:U1' } } }),
      [DE]: () => ({ data: { second: { id: 'bbs-hannover.de:K1' } } }),
    });
    const result = await runPlan(
      { shards },
      plan(
        'mutation { first: retireUnit(id: "rvt.lv:U1") { id } second: retireUnit(id: "bbs-hannover.de:K1") { id } }',
      ),
    );
    expect(shards.log).toEqual([`start ${LV}`, `end ${LV}`, `start ${DE}`, `end ${DE}`]);
    expect(shards.calls.map((call) => call.operation)).toEqual(['mutation', 'mutation']);
    expect(result).toEqual({ data: { first: { id: 'rvt.lv:U1' }, second: { id: 'bbs-hannover.de:K1' } } });
  });

  it('goes on after a failed step, and answers __typename and unroutable fields itself', async () => {
    const shards = new FakeShards({ [DE]: () => ({ data: { ok: { id: 'bbs-hannover.de:K1' } } }) });
    const result = await runPlan(
      { shards },
      plan(
        'mutation { __typename failed: retireUnit(id: "rvt.lv:U1") { id } nowhere: retireUnit(id: "x") { id } ok: retireUnit(id: "bbs-hannover.de:K1") { id } }',
      ),
    );
    expect(result.data).toEqual({
      __typename: 'Mutation',
      failed: null,
      nowhere: null,
      ok: { id: 'bbs-hannover.de:K1' },
    });
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['failed'], ErrorCode.SHARD_UNAVAILABLE],
      [['nowhere'], ErrorCode.BAD_USER_INPUT],
    ]);
  });
});

describe('runPlan: _entities', () => {
  const query =
    'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Unit { title } } }';
  const ref = (id: string) => ({ __typename: 'Unit', id });
  /** A shard that answers each reference with its ID as title, after `delay` ms. */
  const echo =
    (delay: number, errors: GatewayGraphQLResponse['errors'] = undefined): Answer =>
    (request) => {
      const references = request.variables.representations as Array<{ id: string }>;
      return later(delay, {
        data: { _entities: references.map((r) => ({ title: r.id })) },
        ...(errors ? { errors } : {}),
      });
    };

  it('puts every answer back at its reference’s position and renumbers error paths to match', async () => {
    const representations = [
      ref('rvt.lv:U1'),
      ref('bbs-hannover.de:K1'),
      ref('rvt.lv:U2'),
      ref('nowhere.xx:U1'),
      ref('omnia.fi:H1'),
    ];
    const shards = new FakeShards({
      [LV]: echo(30, [{ message: 'title withheld', path: ['_entities', 1, 'title'] }]),
      [DE]: echo(0),
      [FI]: echo(10),
    });
    const result = await runPlan({ shards }, plan(query, { representations }));
    expect(result.data).toEqual({
      _entities: [
        { title: 'rvt.lv:U1' },
        { title: 'bbs-hannover.de:K1' },
        { title: 'rvt.lv:U2' },
        null,
        { title: 'omnia.fi:H1' },
      ],
    });
    expect(shards.calls.find((call) => call.institution === LV)?.request.variables).toEqual({
      representations: [representations[0], representations[2]],
    });
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: ['_entities', 3],
          extensions: { code: ErrorCode.NOT_FOUND, institution: 'nowhere.xx' },
        }),
        {
          message: 'title withheld',
          path: ['_entities', 2, 'title'],
          extensions: { institution: LV, kind: 'qualifications' },
        },
      ]),
    );
    expect(result.errors).toHaveLength(2);
  });

  it('reports each reference of a failing owner, and of an owner that answers the wrong count, at its position', async () => {
    const representations = [ref('rvt.lv:U1'), ref('bbs-hannover.de:K1'), ref('rvt.lv:U2')];
    const shards = new FakeShards({ [DE]: () => ({ data: { _entities: [] } }) });
    const result = await runPlan({ shards }, plan(query, { representations }));
    expect(result.data).toEqual({ _entities: [null, null, null] });
    expect(
      result.errors?.map((error) => [error.path, error.extensions?.institution, error.extensions?.cause]).sort(),
    ).toEqual([
      [['_entities', 0], LV, 'unavailable'],
      [['_entities', 1], DE, 'malformed'],
      [['_entities', 2], LV, 'unavailable'],
    ]);
  });
});
