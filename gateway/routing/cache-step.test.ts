import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { CacheLookup, CacheMiss } from '../cache';
import type { HubContext } from '../context';
import type { Shard } from '../registry/registry';
import type { RoutingCache } from './cache-step';
import type { FetchPlan, ShardRequest } from './plan';
import { planFetch } from './planner';
import { DE, LV, routingTableOf, shard } from './routing-table.fixture';
import { runPlan } from './run-plan';
import type { ShardCaller, ShardResult } from './shard-call';

const rules = routingTableOf([
  ['query.unit', { kind: 'owner', argument: ['id'] }],
  ['query.mine', { kind: 'caller' }],
  ['mutation.retireUnit', { kind: 'owner', argument: ['id'] }],
]);
const context: HubContext = { requestId: 'r-1', caller: null, receivedAt: 0 };

const plan = (query: string, variables: Record<string, unknown> = {}): FetchPlan =>
  planFetch(
    { query, variables },
    { kind: 'qualifications', shards: [shard(DE), shard(LV)], rules, openCircuits: new Set() },
    { institution: LV },
  );

/** A cache of `Unit` that keeps what it is given in a map, and notes what routing told it. */
class FakeCache implements RoutingCache {
  readonly entries = new Map<string, unknown>();
  readonly events: string[] = [];

  rootType(fieldNames: readonly string[]): string | null {
    return fieldNames.every((name) => name === 'unit') ? 'Unit' : null;
  }

  cachesType(typeName: string): boolean {
    return typeName === 'Unit';
  }

  lookup(
    _context: HubContext,
    target: Shard,
    typeName: string,
    call: { query: string; variables: unknown },
  ): Promise<CacheLookup | null> {
    const key = `${target.institution} ${JSON.stringify(call.variables)}`;
    this.events.push(`lookup ${key}`);
    const miss: CacheMiss = { shard: target, typeName, key, epoch: 0, requestedTags: [], context };
    return Promise.resolve(this.entries.has(key) ? { hit: this.entries.get(key) } : { miss });
  }

  fill(miss: CacheMiss, value: unknown): Promise<void> {
    this.events.push(`fill ${miss.key}`);
    this.entries.set(miss.key, value);
    return Promise.resolve();
  }

  afterWrite(target: Shard, response: GatewayGraphQLResponse | null): Promise<void> {
    this.events.push(`afterWrite ${target.institution} ${response ? 'answered' : 'unknown'}`);
    return Promise.resolve();
  }

  bypass(): void {
    this.events.push('bypass');
  }
}

/** Shards that answer `_entities` with each reference's ID, other queries with `answer`, and count their calls. */
function shards(
  answer: (institution: string, request: ShardRequest) => GatewayGraphQLResponse | Error,
): ShardCaller & { calls: ShardRequest[]; cacheResults: string[] } {
  const calls: ShardRequest[] = [];
  const cacheResults: string[] = [];
  return {
    calls,
    cacheResults,
    circuitOpen: () => false,
    expired: () => false,
    cacheHit: () => {
      cacheResults.push('hit');
    },
    call: (target, request, _operation, cache = 'bypass'): Promise<ShardResult> => {
      calls.push(request);
      cacheResults.push(cache);
      const response = answer(target.institution, request);
      return Promise.resolve(
        response instanceof Error ? { shard: target, failure: response } : { shard: target, response },
      );
    },
  };
}

describe('the cache step of a query', () => {
  it('sends a miss, stores the answer, and answers the same call from the cache next time', async () => {
    const cache = new FakeCache();
    const fake = shards(() => ({ data: { unit: { id: 'rvt.lv:U1' } } }));
    const fetch = plan('query($id: ID!) { unit(id: $id) { id } }', { id: 'rvt.lv:U1' });
    const first = await runPlan({ shards: fake, cache: { cache, context } }, fetch);
    const second = await runPlan({ shards: fake, cache: { cache, context } }, fetch);
    expect(first).toEqual({ data: { unit: { id: 'rvt.lv:U1' } } });
    expect(second).toEqual(first);
    expect(fake.calls).toHaveLength(1);
    expect(fake.cacheResults).toEqual(['miss', 'hit']);
    expect(cache.events).toEqual([
      'lookup rvt.lv {"id":"rvt.lv:U1"}',
      'fill rvt.lv {"id":"rvt.lv:U1"}',
      'lookup rvt.lv {"id":"rvt.lv:U1"}',
    ]);
  });

  it('bypasses the cache for fields of types it does not keep', async () => {
    const cache = new FakeCache();
    const fake = shards(() => ({ data: { mine: [] } }));
    await runPlan({ shards: fake, cache: { cache, context } }, plan('{ mine { id } }'));
    expect(cache.events).toEqual(['bypass']);
    expect(fake.calls).toHaveLength(1);
    expect(fake.cacheResults).toEqual(['bypass']);
  });
});

describe('the cache step of _entities', () => {
  const query =
    'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Unit { id } } }';
  const ref = (id: string) => ({ __typename: 'Unit', id });

  it('asks the owner only for the references the cache does not hold, and puts every answer in its place', async () => {
    const cache = new FakeCache();
    cache.entries.set(`${LV} ${JSON.stringify({ representation: ref('rvt.lv:U2'), variables: {} })}`, {
      id: 'rvt.lv:U2',
      cached: true,
    });
    const fake = shards((_institution, request) => ({
      data: { _entities: (request.variables.representations as Array<{ id: string }>).map((r) => ({ id: r.id })) },
    }));
    const representations = [ref('rvt.lv:U1'), ref('rvt.lv:U2'), ref('rvt.lv:U3')];
    const result = await runPlan({ shards: fake, cache: { cache, context } }, plan(query, { representations }));
    expect(result).toEqual({
      data: { _entities: [{ id: 'rvt.lv:U1' }, { id: 'rvt.lv:U2', cached: true }, { id: 'rvt.lv:U3' }] },
    });
    expect(fake.calls.map((call) => call.variables.representations)).toEqual([[ref('rvt.lv:U1'), ref('rvt.lv:U3')]]);
    expect(fake.cacheResults).toEqual(['miss']);
    expect(cache.events.filter((event) => event.startsWith('fill'))).toHaveLength(2);
  });

  it('sends nothing when the cache holds every reference', async () => {
    const cache = new FakeCache();
    cache.entries.set(`${LV} ${JSON.stringify({ representation: ref('rvt.lv:U1'), variables: {} })}`, {
      id: 'rvt.lv:U1',
    });
    const fake = shards(() => new Error('not called'));
    const result = await runPlan(
      { shards: fake, cache: { cache, context } },
      plan(query, { representations: [ref('rvt.lv:U1')] }),
    );
    expect(result).toEqual({ data: { _entities: [{ id: 'rvt.lv:U1' }] } });
    expect(fake.calls).toEqual([]);
    expect(fake.cacheResults).toEqual(['hit']);
  });
});

describe('the cache step of a mutation', () => {
  const mutation = 'mutation { a: retireUnit(id: "rvt.lv:U1") { id } b: retireUnit(id: "bbs-hannover.de:K1") { id } }';

  it('forgets what each write changed before the next step runs', async () => {
    const cache = new FakeCache();
    const fake = shards((institution) => {
      cache.events.push(`write ${institution}`);
      return institution === LV
        ? { data: { a: { id: 'rvt.lv:U1' } } }
        : Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    });
    await runPlan({ shards: fake, cache: { cache, context } }, plan(mutation));
    // The second write failed after it was sent: its outcome is unknown, so the cache forgets its institution too.
    expect(cache.events).toEqual([
      `write ${LV}`,
      `afterWrite ${LV} answered`,
      `write ${DE}`,
      `afterWrite ${DE} unknown`,
    ]);
  });

  it('leaves the cache alone after a write that never reached its shard', async () => {
    const cache = new FakeCache();
    const fake = shards(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await runPlan({ shards: fake, cache: { cache, context } }, plan(mutation));
    expect(cache.events).toEqual([]);
  });
});
