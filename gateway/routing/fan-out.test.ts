import { GraphQLError, print } from 'graphql';
import { compareShardPositions, decodeShardCursor, encodeShardCursor, sortKeyOf } from '../../schema/cursor';
import { decodeHubCursor, encodeHubCursor, type Positions } from './cursor';
import { mergeConnection, prepareConnection, type ShardConnection } from './fan-out';
import { parseFetch, rootFields } from './operation';

type Json = Record<string, unknown>;
interface Item {
  id: string;
  cursor: string;
}

const LV = 'rvt.lv';
const DE = 'bbs-hannover.de';
const FI = 'omnia.fi';

/** Each shard's units; "Metināšana" and "Metinasana" share a sort key, so the ID decides between them. */
const TITLES: Record<string, Record<string, string>> = {
  [LV]: { 'rvt.lv:U1': 'Metināšana', 'rvt.lv:U2': 'Elektronika', 'rvt.lv:U3': 'Zāģēšana' },
  [DE]: { 'bbs-hannover.de:K1': 'Schweißen', 'bbs-hannover.de:K2': 'Drehen' },
  [FI]: { 'omnia.fi:H1': 'Hitsaus', 'omnia.fi:H2': 'Metinasana' },
};
const GLOBAL_ORDER = [
  'bbs-hannover.de:K2',
  'rvt.lv:U2',
  'omnia.fi:H1',
  'omnia.fi:H2',
  'rvt.lv:U1',
  'bbs-hannover.de:K1',
  'rvt.lv:U3',
];

/** What a shard answers for `first` items after its own cursor `after`, in the shards' shared order. */
function shardPage(institution: string, first: number, after?: string) {
  const all = Object.entries(TITLES[institution] ?? {})
    .map(([id, title]) => ({ id, position: { sortKey: sortKeyOf(title), id } }))
    .sort((a, b) => compareShardPositions(a.position, b.position));
  const from = after ? decodeShardCursor(after) : null;
  const rest = from ? all.filter((row) => compareShardPositions(row.position, from) > 0) : all;
  const items: Item[] = rest.slice(0, first).map((row) => ({ id: row.id, cursor: encodeShardCursor(row.position) }));
  return { items, hasNextPage: rest.length > first, total: all.length };
}

/** The hub's own keys that `prepareConnection` adds to every shard's selection. */
const hubKeys = (items: Item[], hasNextPage: boolean) => ({
  __hubEdges: items.map((i) => ({ cursor: i.cursor })),
  __hubPage: { hasNextPage },
});

const QUERY = '{ units(first: 3) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
function standardValue(institution: string, first: number, after?: string): Json {
  const { items, hasNextPage, total } = shardPage(institution, first, after);
  const edges = items.map((i) => ({ cursor: i.cursor, node: { id: i.id } }));
  return {
    totalCount: total,
    edges,
    pageInfo: { hasNextPage, endCursor: items.at(-1)?.cursor ?? null },
    ...hubKeys(items, hasNextPage),
  };
}

function merge(query: string, first: number, after: Positions, shards: ShardConnection[]): Json {
  const fetch = parseFetch(query);
  const [field] = rootFields(fetch, {});
  if (!field) throw new Error('no root field');
  return mergeConnection({ node: field.node, fragments: fetch.fragments, first, after, shards });
}

function mergeAll(first: number, after: Positions = {}, institutions = [LV, DE, FI]): Json {
  const shards = institutions.map((institution) => ({
    institution,
    value: standardValue(institution, first, after[institution]),
  }));
  return merge(QUERY, first, after, shards);
}

const edgesOf = (result: Json) => result.edges as Array<{ cursor: string; node: { id: string } }>;
const pageInfoOf = (result: Json) => result.pageInfo as { hasNextPage: boolean; endCursor: string | null };
const shardCursorOf = (institution: string, id: string) =>
  encodeShardCursor({ sortKey: sortKeyOf(TITLES[institution]?.[id] ?? ''), id });

describe('prepareConnection', () => {
  it('replaces `after` with a per-field variable, keeps the other arguments and asks for positions', () => {
    const [field] = rootFields(
      parseFetch('query($c: String, $f: Int) { units(first: $f, after: $c, filter: { q: "x" }) { totalCount } }'),
      {},
    );
    if (!field) throw new Error('no root field');
    const prepared = prepareConnection(field.node, 1);
    expect(prepared.afterVariable).toBe('__hubAfter1');
    expect(print(prepared.definition)).toBe('$__hubAfter1: String');
    const printed = print(prepared.node);
    expect(printed).toContain('units(first: $f, filter: {q: "x"}, after: $__hubAfter1)');
    expect(printed).not.toContain('$c');
    expect(printed).toMatch(
      /totalCount\s+__hubEdges: edges \{\s+cursor\s+\}\s+__hubPage: pageInfo \{\s+hasNextPage\s+\}/,
    );
  });

  it("asks for each node's ID under a key of its own unless the selection asks for it outright", () => {
    const prepare = (query: string) => {
      const [field] = rootFields(parseFetch(query), {});
      if (!field) throw new Error('no root field');
      const prepared = prepareConnection(field.node, 0);
      return { printed: print(prepared.node), ids: prepared.ids };
    };
    const hidden = { list: '__hubNodes', node: 'node', id: 'id' };
    expect(prepare('{ units { totalCount } }')).toEqual({
      printed: expect.stringMatching(/__hubNodes: edges \{\s+node \{\s+id\s+\}\s+\}/),
      ids: hidden,
    });
    expect(prepare('{ units { e: edges { n: node { ref: id } } } }')).toEqual({
      printed: expect.not.stringContaining('__hubNodes'),
      ids: { list: 'e', node: 'n', id: 'ref' },
    });
    expect(prepare('{ units { nodes { id } } }').ids).toEqual({ list: 'nodes', node: null, id: 'id' });
    expect(prepare('query($x: Boolean!) { units { nodes { id @include(if: $x) } } }').ids).toEqual(hidden);
    expect(prepare('{ units { nodes { ...U } } } fragment U on Unit { id }').ids).toEqual(hidden);
  });

  it("asks for each edge's cursor under a key of its own unless the selection asks for it outright", () => {
    const prepare = (query: string) => {
      const [field] = rootFields(parseFetch(query), {});
      if (!field) throw new Error('no root field');
      const prepared = prepareConnection(field.node, 0);
      return { printed: print(prepared.node), cursors: prepared.cursors };
    };
    const hidden = { list: '__hubEdges', cursor: 'cursor' };
    expect(prepare('{ units { edges { node { id } } } }')).toEqual({
      printed: expect.stringMatching(/__hubEdges: edges \{\s+cursor\s+\}/),
      cursors: hidden,
    });
    expect(prepare('{ units { e: edges { c: cursor node { id } } } }')).toEqual({
      printed: expect.not.stringContaining('__hubEdges'),
      cursors: { list: 'e', cursor: 'c' },
    });
    expect(prepare('query($x: Boolean!) { units { edges { cursor @include(if: $x) } } }').cursors).toEqual(hidden);
    expect(prepare('query($x: Boolean!) { units { edges @skip(if: $x) { cursor } } }').cursors).toEqual(hidden);
    expect(prepare('{ units { edges { ...E } } } fragment E on UnitEdge { cursor }').cursors).toEqual(hidden);
  });

  it('adds `after` to a connection field that had none', () => {
    const [field] = rootFields(parseFetch('{ units { totalCount } }'), {});
    if (!field) throw new Error('no root field');
    expect(print(prepareConnection(field.node, 0).node)).toContain('units(after: $__hubAfter0)');
  });
});

describe('mergeConnection', () => {
  it('orders items across shards by sort key, then ID, and takes `first`', () => {
    const result = mergeAll(3);
    expect(edgesOf(result).map((e) => e.node.id)).toEqual(GLOBAL_ORDER.slice(0, 3));
    expect(result.totalCount).toBe(7);
    // No shard says it has more (each sent all it has), but four items were left over.
    expect(pageInfoOf(result).hasNextPage).toBe(true);
  });

  it('breaks a tie of sort key and ID by institution', () => {
    const cursor = encodeShardCursor({ sortKey: 'same', id: 'dup' });
    const value = (id: string): Json => ({ edges: [{ cursor, node: { id } }], ...hubKeys([{ id, cursor }], false) });
    const result = merge(QUERY, 5, {}, [
      { institution: LV, value: value('from-lv') },
      { institution: DE, value: value('from-de') },
    ]);
    expect(edgesOf(result).map((e) => e.node.id)).toEqual(['from-de', 'from-lv']);
  });

  it('gives each edge a hub cursor holding, per institution, the last item read so far', () => {
    const earlier = shardCursorOf(FI, 'omnia.fi:H0');
    const result = mergeAll(3, { [FI]: earlier });
    const positions = edgesOf(result).map((e) => decodeHubCursor(e.cursor, 'after', 'units'));
    expect(positions).toEqual([
      { [FI]: earlier, [DE]: shardCursorOf(DE, 'bbs-hannover.de:K2') },
      { [FI]: earlier, [DE]: shardCursorOf(DE, 'bbs-hannover.de:K2'), [LV]: shardCursorOf(LV, 'rvt.lv:U2') },
      {
        [FI]: shardCursorOf(FI, 'omnia.fi:H1'),
        [DE]: shardCursorOf(DE, 'bbs-hannover.de:K2'),
        [LV]: shardCursorOf(LV, 'rvt.lv:U2'),
      },
    ]);
    expect(pageInfoOf(result).endCursor).toBe(edgesOf(result)[2]?.cursor);
    expect(JSON.stringify(result)).not.toContain('__hub');
  });

  it('says hasNextPage when a shard has more even though every returned item fits', () => {
    expect(pageInfoOf(mergeAll(10)).hasNextPage).toBe(false);
    const { items } = shardPage(LV, 10);
    const more = merge(QUERY, 10, {}, [{ institution: LV, value: { edges: [], ...hubKeys(items, true) } }]);
    expect(pageInfoOf(more).hasNextPage).toBe(true);
  });

  it('pages through the whole merged list, every item once and in order', () => {
    for (const first of [1, 2, 3]) {
      const seen: string[] = [];
      let after: Positions = {};
      for (let page = 0; page < 10; page++) {
        const result = mergeAll(first, after);
        seen.push(...edgesOf(result).map((e) => e.node.id));
        const { hasNextPage, endCursor } = pageInfoOf(result);
        if (!hasNextPage) break;
        after = decodeHubCursor(endCursor, 'after', 'units');
      }
      expect(seen).toEqual(GLOBAL_ORDER);
    }
  });

  it('keeps the aliases the client chose and never shows the hub keys', () => {
    const { items, hasNextPage } = shardPage(LV, 2);
    const value: Json = {
      n: 3,
      items: items.map((i) => ({ c: i.cursor, node: { id: i.id } })),
      page: { more: hasNextPage, end: items.at(-1)?.cursor },
      ...hubKeys(items, hasNextPage),
    };
    const query =
      '{ list: units(first: 2) { n: totalCount items: edges { c: cursor node { id } } page: pageInfo { more: hasNextPage end: endCursor } } }';
    const result = merge(query, 2, {}, [{ institution: LV, value }]);
    expect(Object.keys(result).sort()).toEqual(['items', 'n', 'page']);
    const edges = result.items as Array<{ c: string; node: { id: string } }>;
    expect(edges.map((e) => e.node.id)).toEqual(['rvt.lv:U2', 'rvt.lv:U1']);
    expect(edges.map((e) => decodeHubCursor(e.c, 'after', 'units'))).toEqual([
      { [LV]: items[0]?.cursor },
      { [LV]: items[1]?.cursor },
    ]);
    expect(result.page).toEqual({ more: true, end: edges[1]?.c });
  });

  it('reads a selection made of named fragments, `nodes` included', () => {
    const query =
      '{ units(first: 2) { ...Conn } } fragment Conn on UnitConnection { totalCount nodes { id } edges { ...Edge } } fragment Edge on UnitEdge { cursor }';
    const shards = [LV, DE].map((institution) => {
      const { items, hasNextPage, total } = shardPage(institution, 2);
      const value = {
        totalCount: total,
        nodes: items.map((i) => ({ id: i.id })),
        edges: items.map((i) => ({ cursor: i.cursor })),
        ...hubKeys(items, hasNextPage),
      };
      return { institution, value };
    });
    const result = merge(query, 2, {}, shards);
    expect(result.totalCount).toBe(5);
    expect(result.nodes).toEqual([{ id: 'bbs-hannover.de:K2' }, { id: 'rvt.lv:U2' }]);
    expect(edgesOf(result).map((e) => decodeHubCursor(e.cursor, 'after', 'units'))).toEqual([
      { [DE]: shardCursorOf(DE, 'bbs-hannover.de:K2') },
      { [DE]: shardCursorOf(DE, 'bbs-hannover.de:K2'), [LV]: shardCursorOf(LV, 'rvt.lv:U2') },
    ]);
    expect(JSON.stringify(result)).not.toContain('__hub');
  });

  it('answers an empty page when no shard has items', () => {
    const empty = {
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      ...hubKeys([], false),
    };
    const expected = { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    expect(
      merge(QUERY, 3, {}, [
        { institution: LV, value: empty },
        { institution: DE, value: empty },
      ]),
    ).toEqual(expected);
    expect(merge(QUERY, 3, {}, [])).toEqual(expected);
  });

  it("reads each item's cursor from the client's own edges when the shards were asked for no other", () => {
    const fetch = parseFetch(QUERY);
    const [field] = rootFields(fetch, {});
    if (!field) throw new Error('no root field');
    const shards = [LV, DE, FI].map((institution) => {
      const value = standardValue(institution, 3);
      delete value.__hubEdges;
      return { institution, value };
    });
    const cursors = { list: 'edges', cursor: 'cursor' };
    expect(
      mergeConnection({ node: field.node, fragments: fetch.fragments, first: 3, after: {}, shards, cursors }),
    ).toEqual(mergeAll(3));
  });

  it('refuses a shard cursor it cannot read', () => {
    const value = { edges: [{ cursor: 'nope', node: { id: 'x' } }], __hubEdges: [{ cursor: 'nope' }] };
    expect(() => merge(QUERY, 3, {}, [{ institution: LV, value }])).toThrow(
      `Shard ${LV} returned a cursor the hub cannot read`,
    );
  });
});

describe('mergeConnection over many shards', () => {
  /** A page of `size` items whose titles repeat across shards, so sort keys tie and IDs or institutions decide. */
  function page(institution: string, size: number, seed: number): ShardConnection {
    const rows = Array.from({ length: size }, (_, i) => {
      const id = `${institution}:U${(i * 7 + seed) % 13}-${i}`;
      return { id, position: { sortKey: sortKeyOf(`Unit ${(i * 5 + seed * 3) % 9}`), id } };
    }).sort((a, b) => compareShardPositions(a.position, b.position));
    const items = rows.map((row) => ({ id: row.id, cursor: encodeShardCursor(row.position) }));
    return {
      institution,
      value: {
        totalCount: size,
        edges: items.map((i) => ({ cursor: i.cursor, node: { id: i.id } })),
        ...hubKeys(items, false),
      },
    };
  }

  /** Every shard's items sorted together: the order the merge must give, whatever way it gets there. */
  function expected(shards: ShardConnection[], first: number): string[] {
    return shards
      .flatMap((shard) =>
        (shard.value.edges as Array<{ cursor: string; node: { id: string } }>).map((edge) => ({
          institution: shard.institution,
          id: edge.node.id,
          position: decodeShardCursor(edge.cursor) as { sortKey: string; id: string },
        })),
      )
      .sort(
        (a, b) =>
          compareShardPositions(a.position, b.position) ||
          (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0),
      )
      .slice(0, first)
      .map((item) => item.id);
  }

  it('gives the order of one sort over every item, for 1 to 32 shards', () => {
    for (const count of [1, 2, 5, 32]) {
      const shards = Array.from({ length: count }, (_, n) =>
        page(`inst-${String(n % 3)}${String(n)}.example`, n % 4 === 3 ? 0 : 20 - (n % 6), n),
      );
      for (const first of [1, 20, 1000]) {
        const result = merge(QUERY, first, {}, shards);
        expect(edgesOf(result).map((e) => e.node.id)).toEqual(expected(shards, first));
        const total = shards.reduce((sum, shard) => sum + (shard.value.totalCount as number), 0);
        expect(pageInfoOf(result).hasNextPage).toBe(total > first);
      }
    }
  });

  it('sorts a page a shard sent out of order, as one sort over every item would', () => {
    const sorted = page(LV, 6, 1);
    const edges = [...(sorted.value.edges as Array<{ cursor: string; node: { id: string } }>)].reverse();
    const reversed: ShardConnection = {
      institution: LV,
      value: {
        edges,
        ...hubKeys(
          edges.map((e) => ({ id: e.node.id, cursor: e.cursor })),
          false,
        ),
      },
    };
    const shards = [reversed, page(DE, 6, 2)];
    expect(edgesOf(merge(QUERY, 8, {}, shards)).map((e) => e.node.id)).toEqual(expected(shards, 8));
  });

  it('reads only the cursors it hands out and the next one of each shard', () => {
    const { items } = shardPage(LV, 3);
    const unread = [...items, { id: 'rvt.lv:later', cursor: 'not a cursor' }];
    const value = { edges: unread.map((i) => ({ cursor: i.cursor, node: { id: i.id } })), ...hubKeys(unread, true) };
    const result = merge(QUERY, 2, {}, [{ institution: LV, value }]);
    expect(edgesOf(result).map((e) => e.node.id)).toEqual(items.slice(0, 2).map((i) => i.id));
    expect(pageInfoOf(result).hasNextPage).toBe(true);
  });
});

describe('hub cursors', () => {
  it('round-trip positions, and read an absent cursor as the start', () => {
    const positions = { [LV]: shardCursorOf(LV, 'rvt.lv:U1'), [DE]: shardCursorOf(DE, 'bbs-hannover.de:K1') };
    const cursor = encodeHubCursor(positions);
    expect(cursor).toMatch(/^hub1\.[A-Za-z0-9_-]+$/);
    expect(decodeHubCursor(cursor)).toEqual(positions);
    for (const absent of [null, undefined, '']) expect(decodeHubCursor(absent)).toEqual({});
  });

  it('name their list: a cursor of one list is refused by another', () => {
    const positions = { [LV]: shardCursorOf(LV, 'rvt.lv:U1') };
    const units = encodeHubCursor(positions, 'units');
    expect(units).toMatch(/^hub1\.units\.[A-Za-z0-9_-]+$/);
    expect(decodeHubCursor(units, 'after', 'units')).toEqual(positions);
    expect(() => decodeHubCursor(units, 'after', 'qualifications')).toThrow(
      'after is a cursor of `units`, not of `qualifications`: a cursor pages only the list that issued it',
    );
    expect(() => decodeHubCursor(encodeHubCursor(positions), 'after', 'units')).toThrow(
      'after is a cursor of another list, not of `units`',
    );
    expect(() => decodeHubCursor(units)).toThrow('after is a cursor of `units`, not of this one');
  });

  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  it.each([
    'garbage',
    shardCursorOf(LV, 'rvt.lv:U1'),
    'hub1.!!!',
    `hub1.${b64('null')}`,
    `hub1.${b64('["a"]')}`,
    `hub1.${b64('{"rvt.lv":1}')}`,
  ])('rejects %s as BAD_USER_INPUT', (cursor) => {
    let thrown: unknown;
    try {
      decodeHubCursor(cursor, 'units.after');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'units.after' });
    expect((thrown as GraphQLError).message).toContain(`units.after "${cursor}" is not a cursor the hub issued`);
  });
});

describe('mergeConnection with a field selected twice', () => {
  it('merges the selections of one response key, as GraphQL does', () => {
    const query = `{ units(first: 2) { edges { cursor } ...F pageInfo { hasNextPage } pageInfo { endCursor } } }
      fragment F on UnitConnection { edges { node { id } } }`;
    const shards = [LV, DE].map((institution) => ({ institution, value: standardValue(institution, 2) }));
    const result = merge(query, 2, {}, shards);
    for (const edge of edgesOf(result)) {
      expect(edge.cursor.startsWith('hub1.')).toBe(true);
      expect(typeof edge.node.id).toBe('string');
    }
    expect(pageInfoOf(result)).toEqual({ hasNextPage: true, endCursor: edgesOf(result).at(-1)?.cursor });
  });
});
