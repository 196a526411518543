import { ErrorCode } from '../../schema/errors';
import { encodeHubCursor } from './cursor';
import type { EntitiesPlan, MutationPlan, PlanCaller, QueryPlan, RoutingView } from './plan';
import { planFetch } from './planner';
import { DE, FI, LV, routingTableOf, shard, SHARDS } from './routing-table.fixture';

const rules = routingTableOf([
  ['query.unit', { kind: 'owner', argument: ['id'] }],
  ['query.myQualifications', { kind: 'caller' }],
  ['query.compareUnits', { kind: 'any' }],
  ['query.units', { kind: 'fan-out', shape: 'connection', defaultFirst: 20 }],
  ['query.institutions', { kind: 'fan-out', shape: 'list', defaultFirst: 20 }],
  ['mutation.createQualification', { kind: 'caller' }],
  ['mutation.createUnit', { kind: 'owner', argument: ['input', 'qualificationId'] }],
  ['mutation.retireUnit', { kind: 'owner', argument: ['id'] }],
]);

const view = (openCircuits: string[] = []): RoutingView => ({
  kind: 'qualifications',
  shards: SHARDS,
  rules,
  openCircuits: new Set(openCircuits),
});
const anonymous: PlanCaller = { institution: null };
const fromLatvia: PlanCaller = { institution: LV };

function planQuery(
  query: string,
  variables: Record<string, unknown> = {},
  caller = anonymous,
  open: string[] = [],
): QueryPlan {
  const plan = planFetch({ query, variables }, view(open), caller);
  if (plan.type !== 'query') throw new Error(`expected a query plan, got ${plan.type}`);
  return plan;
}

function planMutation(query: string, variables: Record<string, unknown> = {}, caller = fromLatvia): MutationPlan {
  const plan = planFetch({ query, variables }, view(), caller);
  if (plan.type !== 'mutation') throw new Error(`expected a mutation plan, got ${plan.type}`);
  return plan;
}

/** Which institution each call goes to, in order. */
const institutions = (plan: QueryPlan) => plan.calls.map((call) => call.shard.institution);
/** Query text without its layout, to compare cut-down fetches. */
const flat = (query: string) => query.replace(/\s+/g, ' ').trim();

describe('planFetch: by owner', () => {
  it('sends a fetch whose every field one shard owns to that shard unchanged', () => {
    const query = '{ unit(id: "rvt.lv:U1") { id title } }';
    expect(planQuery(query)).toEqual({
      type: 'query',
      data: {},
      errors: [],
      calls: [
        {
          shard: shard(LV),
          query,
          variables: {},
          owned: ['unit'],
          standIns: null,
          cache: { fields: ['unit'], ids: ['rvt.lv:U1'] },
        },
      ],
      fanOuts: [],
    });
  });

  it('cuts a fetch by owner: each shard gets its aliased fields and only the variables they use', () => {
    const plan = planQuery(
      'query Pair($a: ID!, $b: ID!, $unused: Int) { lv: unit(id: $a) { id } de: unit(id: $b) { id } }',
      {
        a: 'rvt.lv:U1',
        b: 'bbs-hannover.de:K1',
        unused: 3,
      },
    );
    expect(institutions(plan)).toEqual([DE, LV]);
    const [de, lv] = plan.calls;
    expect(flat(de?.query ?? '')).toBe('query Pair($b: ID!) { de: unit(id: $b) { id } }');
    expect(de).toMatchObject({
      variables: { b: 'bbs-hannover.de:K1' },
      owned: ['de'],
      cache: { fields: ['unit'], ids: ['bbs-hannover.de:K1'] },
    });
    expect(flat(lv?.query ?? '')).toBe('query Pair($a: ID!) { lv: unit(id: $a) { id } }');
    expect(lv).toMatchObject({ variables: { a: 'rvt.lv:U1' }, owned: ['lv'] });
  });

  it('reads owners from variable defaults and drops skipped fields before routing', () => {
    const plan = planQuery(
      'query($id: ID! = "omnia.fi:H1", $no: Boolean = true) { unit(id: $id) { id } other: unit(id: "rvt.lv:U1") @skip(if: $no) { id } }',
    );
    expect(institutions(plan)).toEqual([FI]);
    expect(plan.calls[0]?.variables).toEqual({ id: 'omnia.fi:H1', no: true });
  });

  it('answers a field with no owner it can find with null and says why, and still sends the rest', () => {
    const plan = planQuery(
      'query($id: ID) { bad: unit(id: "U1") { id } none: unit(id: $id) { id } gone: unit(id: "nowhere.xx:U1") { id } ok: unit(id: "rvt.lv:U1") { id } }',
    );
    expect(plan.data).toEqual({ bad: null, none: null, gone: null });
    expect(plan.errors).toEqual([
      {
        message: expect.stringContaining('id "U1" is not a hub ID'),
        path: ['bad'],
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'id' },
      },
      { message: 'id must be a hub ID', path: ['none'], extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'id' } },
      {
        message: 'No institution "nowhere.xx" with a qualifications shard is registered in the hub',
        path: ['gone'],
        extensions: { code: ErrorCode.NOT_FOUND, institution: 'nowhere.xx' },
      },
    ]);
    expect(institutions(plan)).toEqual([LV]);
    // Not the whole fetch: the shard must not see the fields that go nowhere.
    expect(flat(plan.calls[0]?.query ?? '')).toBe('{ ok: unit(id: "rvt.lv:U1") { id } }');
  });

  it('answers __typename itself and cuts it from what the owner is sent', () => {
    const plan = planQuery('{ __typename unit(id: "rvt.lv:U1") { id } }');
    expect(plan.data).toEqual({ __typename: 'Query' });
    expect(plan.calls[0]?.owned).toEqual(['unit']);
    expect(flat(plan.calls[0]?.query ?? '')).toBe('{ unit(id: "rvt.lv:U1") { id } }');
  });
});

describe('planFetch: for the caller', () => {
  it("sends a caller's field to the caller's institution", () => {
    expect(institutions(planQuery('{ myQualifications { id } }', {}, fromLatvia))).toEqual([LV]);
  });

  it('refuses it without a caller, with the reason their token was refused when there is one', () => {
    expect(planQuery('{ myQualifications { id } }').errors).toEqual([
      {
        message: "myQualifications acts for the caller's institution: send a bearer token",
        path: ['myQualifications'],
        extensions: { code: ErrorCode.UNAUTHENTICATED },
      },
    ]);
    const refused = planQuery('{ myQualifications { id } }', {}, { institution: null, authError: 'token expired' });
    expect(refused.errors[0]?.message).toBe('token expired');
    expect(refused.calls).toEqual([]);
  });
});

describe('planFetch: any shard', () => {
  it("asks the caller's own shard, with every other shard of the kind as a stand-in", () => {
    const plan = planQuery('{ compareUnits { score } }', {}, fromLatvia);
    expect(institutions(plan)).toEqual([LV]);
    expect(plan.calls[0]?.standIns).toEqual([shard(DE), shard(FI)]);
  });

  it('asks the first shard in the registry for an anonymous caller', () => {
    expect(institutions(planQuery('{ compareUnits { score } }'))).toEqual([DE]);
  });

  it('avoids shards whose circuit is open, the caller’s own included', () => {
    expect(institutions(planQuery('{ compareUnits { score } }', {}, fromLatvia, [LV]))).toEqual([DE]);
    expect(institutions(planQuery('{ compareUnits { score } }', {}, anonymous, [DE]))).toEqual([FI]);
    expect(institutions(planQuery('{ compareUnits { score } }', {}, fromLatvia, [DE, FI, LV]))).toEqual([LV]);
  });

  it('treats a field without a rule as answerable by any shard', () => {
    expect(planQuery('{ version }').calls[0]).toMatchObject({ owned: ['version'], standIns: [shard(FI), shard(LV)] });
  });

  it('sends an any-shard fetch that one shard answers whole, __typename included', () => {
    const query = '{ __typename compareUnits { score } }';
    expect(planQuery(query, {}, fromLatvia).calls[0]).toMatchObject({ query, owned: ['compareUnits'] });
  });

  it('sends an any-shard field with owned ones to the same shard in one call, without stand-ins', () => {
    const plan = planQuery('{ compareUnits { score } unit(id: "rvt.lv:U1") { id } }', {}, fromLatvia);
    expect(plan.calls).toHaveLength(1);
    expect(plan.calls[0]).toMatchObject({ shard: shard(LV), owned: ['compareUnits', 'unit'], standIns: null });
  });
});

describe('planFetch: fan-out', () => {
  it('sends a list to every shard and merges it as a list', () => {
    const plan = planQuery('{ institutions { code } }');
    expect(institutions(plan)).toEqual([DE, FI, LV]);
    expect(plan.calls.map((call) => call.owned)).toEqual([[], [], []]);
    expect(plan.fanOuts).toEqual([{ responseKey: 'institutions', merge: 'list' }]);
  });

  it('sends a connection to every shard, each from its own position, asking for the positions of what it returns', () => {
    const after = encodeHubCursor({ [LV]: 'lv-position' }, 'units');
    const plan = planQuery('query($after: String) { page: units(first: 2, after: $after) { edges { node { id } } } }', {
      after,
    });
    expect(institutions(plan)).toEqual([DE, FI, LV]);
    expect(plan.calls.map((call) => call.variables)).toEqual([
      { __hubAfter0: null },
      { __hubAfter0: null },
      { __hubAfter0: 'lv-position' },
    ]);
    expect(flat(plan.calls[0]?.query ?? '')).toBe(
      'query ($__hubAfter0: String) { page: units(first: 2, after: $__hubAfter0) { edges { node { id } } __hubEdges: edges { cursor } __hubPage: pageInfo { hasNextPage } } }',
    );
    expect(plan.fanOuts).toEqual([
      expect.objectContaining({ responseKey: 'page', merge: 'connection', first: 2, after: { [LV]: 'lv-position' } }),
    ]);
  });

  it('uses the default page size when the fetch gives none', () => {
    expect(planQuery('{ units { totalCount } }').fanOuts[0]).toMatchObject({ first: 20 });
  });

  it('rejects a cursor the hub did not issue, or one of another list, without calling any shard', () => {
    for (const after of ['garbage', encodeHubCursor({}, 'qualifications')]) {
      const plan = planQuery('query($after: String) { units(after: $after) { totalCount } }', { after });
      expect(plan.calls).toEqual([]);
      expect(plan.data).toEqual({ units: null });
      expect(plan.errors).toEqual([
        {
          message: expect.stringContaining('after'),
          path: ['units'],
          extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' },
        },
      ]);
    }
  });

  it("adds a fan-out to the owner's call, so each shard is called once", () => {
    const plan = planQuery('{ unit(id: "omnia.fi:H1") { id } institutions { code } }');
    expect(plan.calls.map((call) => [call.shard.institution, call.owned])).toEqual([
      [DE, []],
      [FI, ['unit']],
      [LV, []],
    ]);
    expect(flat(plan.calls[0]?.query ?? '')).toBe('{ institutions { code } }');
    expect(flat(plan.calls[1]?.query ?? '')).toBe('{ unit(id: "omnia.fi:H1") { id } institutions { code } }');
    expect(plan.calls[1]?.cache.fields).toEqual(['unit', 'institutions']);
  });
});

describe('planFetch: mutations', () => {
  it('sends a lone mutation to its owner unchanged', () => {
    const query = 'mutation($id: ID!) { retireUnit(id: $id) { id } }';
    expect(planMutation(query, { id: 'omnia.fi:H1' }).steps).toEqual([
      { responseKey: 'retireUnit', call: { shard: shard(FI), query, variables: { id: 'omnia.fi:H1' } } },
    ]);
  });

  it('plans one step per field, in document order, each cut to its field and its variables', () => {
    const plan = planMutation(
      'mutation($input: UnitInput!, $id: ID!) { __typename made: createUnit(input: $input) { id } retireUnit(id: $id) { id } createQualification { id } }',
      {
        input: { qualificationId: 'bbs-hannover.de:Q1' },
        id: 'omnia.fi:H1',
      },
    );
    expect(plan.steps.map((step) => step.responseKey)).toEqual([
      '__typename',
      'made',
      'retireUnit',
      'createQualification',
    ]);
    const [typename, made, retire, create] = plan.steps;
    expect(typename).toEqual({ responseKey: '__typename', value: 'Mutation' });
    expect(made).toMatchObject({
      call: { shard: shard(DE), variables: { input: { qualificationId: 'bbs-hannover.de:Q1' } } },
    });
    expect(made && 'call' in made ? flat(made.call.query) : '').toBe(
      'mutation ($input: UnitInput!) { made: createUnit(input: $input) { id } }',
    );
    expect(retire).toMatchObject({ call: { shard: shard(FI), variables: { id: 'omnia.fi:H1' } } });
    expect(create).toMatchObject({ call: { shard: shard(LV), variables: {} } });
  });

  it('turns a mutation with no owner into an error step and plans the others', () => {
    const plan = planMutation(
      'mutation { createQualification { id } retireUnit(id: "nowhere.xx:U1") { id } }',
      {},
      anonymous,
    );
    expect(plan.steps).toEqual([
      {
        responseKey: 'createQualification',
        error: expect.objectContaining({ extensions: { code: ErrorCode.UNAUTHENTICATED } }),
      },
      {
        responseKey: 'retireUnit',
        error: expect.objectContaining({ extensions: { code: ErrorCode.NOT_FOUND, institution: 'nowhere.xx' } }),
      },
    ]);
  });

  it("notes how each write's answer shows its item, where its type carries hub IDs and the selection shows one", () => {
    const written: RoutingView = {
      ...view(),
      rules: {
        ...rules,
        mutation: new Map(
          [...rules.mutation].map(([field, rule]) => [field, { ...rule, writes: field === 'touch' ? null : 'Unit' }]),
        ),
      },
    };
    const plan = planFetch(
      {
        query:
          'mutation($id: ID!) { retireUnit(id: $id) { key: id } made: createUnit(input: { qualificationId: "omnia.fi:Q1" }) { title institution { id } } createQualification { title } }',
        variables: { id: 'omnia.fi:H1' },
      },
      written,
      fromLatvia,
    );
    if (plan.type !== 'mutation') throw new Error('a mutation plan expected');
    expect(plan.steps.map((step) => ('claim' in step ? step.claim : undefined))).toEqual([
      { id: 'omnia.fi:H1', claims: { ids: ['key'], institutions: [] } },
      { id: null, claims: { ids: [], institutions: [{ key: 'institution', ids: ['id'] }] } },
      // Nothing in its selection shows which item it is.
      undefined,
    ]);
  });

  it('sends a mutation without a rule to the caller', () => {
    expect(planMutation('mutation { touch { id } }').steps[0]).toMatchObject({ call: { shard: shard(LV) } });
  });
});

describe('planFetch: _entities', () => {
  const query =
    'query($representations: [_Any!]!, $lang: String) { _entities(representations: $representations) { ... on Unit { title(lang: $lang) } } }';
  const representations = [
    { __typename: 'Unit', id: 'rvt.lv:U1' },
    { __typename: 'Unit', id: 'bbs-hannover.de:K1' },
    { __typename: 'Unit', id: 'nowhere.xx:U9' },
    { __typename: 'Unit', id: 'rvt.lv:U2' },
    { __typename: 'Unit', id: 42 },
  ];

  it('splits the batch by owner, keeping each reference’s position and the other variables', () => {
    const plan = planFetch({ query, variables: { representations, lang: 'lv' } }, view(), anonymous) as EntitiesPlan;
    expect(plan.type).toBe('entities');
    expect(plan.responseKey).toBe('_entities');
    expect(plan.calls).toEqual([
      {
        shard: shard(LV),
        query,
        indexes: [0, 3],
        variables: { representations: [representations[0], representations[3]], lang: 'lv' },
      },
      { shard: shard(DE), query, indexes: [1], variables: { representations: [representations[1]], lang: 'lv' } },
    ]);
  });

  it('reports references no shard owns at their positions', () => {
    const plan = planFetch({ query, variables: { representations } }, view(), anonymous) as EntitiesPlan;
    expect(plan.errors).toEqual([
      {
        message:
          'No institution "nowhere.xx" with a qualifications shard is registered in the hub (Unit nowhere.xx:U9)',
        path: ['_entities', 2],
        extensions: { code: ErrorCode.NOT_FOUND, institution: 'nowhere.xx' },
      },
      {
        message: 'Unit reference 42 is not a hub ID',
        path: ['_entities', 4],
        extensions: { code: ErrorCode.NOT_FOUND, institution: null },
      },
    ]);
  });
});

it('refuses a fetch that is not exactly one operation', () => {
  expect(() =>
    planFetch({ query: 'query A { version } query B { version }', variables: {} }, view(), anonymous),
  ).toThrow('exactly one operation');
});
