import {
  Kind,
  type ArgumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { compareShardPositions, decodeShardCursor, type ShardPosition } from '../../schema/cursor';
import { encodeHubCursor, type Positions } from './cursor';

/** Response keys the gateway adds to a fanned-out connection to learn each item's position; never shown. */
export const EDGES_KEY = '__hubEdges';
const PAGE_KEY = '__hubPage';
/** Where the gateway asks for each node's ID, to know its owner, when the selection does not ask for it; never shown. */
const NODES_KEY = '__hubNodes';

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const field = (fieldName: string, alias?: string, selections?: FieldNode[]): FieldNode => ({
  kind: Kind.FIELD,
  name: name(fieldName),
  ...(alias ? { alias: name(alias) } : {}),
  ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
});

/** Where each item's ID is in a shard's answer: at `list[i]`, in its `node` when set, under `id`. */
export interface NodeIds {
  list: string;
  node: string | null;
  id: string;
}

/** Where a shard's answer carries each item's own cursor: under `cursor` in each of `list`'s items. */
export interface CursorKeys {
  list: string;
  cursor: string;
}

/** The key the gateway adds to a connection's selection to learn each item's cursor. */
const HUB_CURSORS: CursorKeys = { list: EDGES_KEY, cursor: 'cursor' };

export interface PreparedConnection {
  node: FieldNode;
  afterVariable: string;
  definition: VariableDefinitionNode;
  /** Where the answer carries each item's ID: the client's own selection, or a key the gateway added. */
  ids: NodeIds;
  /** Where the answer carries each item's cursor: the client's own selection, or a key the gateway added. */
  cursors: CursorKeys;
}

/** An `id` asked for outright (no fragment, no `@skip`/`@include`), so every answered node carries it. */
function idKeyIn(set: SelectionSetNode | undefined): string | null {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD && selection.name.value === 'id' && !selection.directives?.length)
      return selection.alias?.value ?? 'id';
  }
  return null;
}

/** The client's own `edges { node { id } }` or `nodes { id }`, if it asks for either outright. */
function selectedIds(node: FieldNode): NodeIds | null {
  for (const selection of node.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) continue;
    const list = selection.alias?.value ?? selection.name.value;
    if (selection.name.value === 'nodes') {
      const id = idKeyIn(selection.selectionSet);
      if (id) return { list, node: null, id };
    } else if (selection.name.value === 'edges') {
      for (const inner of selection.selectionSet?.selections ?? []) {
        if (inner.kind !== Kind.FIELD || inner.name.value !== 'node' || inner.directives?.length) continue;
        const id = idKeyIn(inner.selectionSet);
        if (id) return { list, node: inner.alias?.value ?? 'node', id };
      }
    }
  }
  return null;
}

/**
 * The client's own `edges { cursor }`, if it asks for it outright: every shard then sends each cursor once, not
 * a second time under a key of the gateway's (a fan-out's answers are parsed and collected once per shard).
 */
function selectedCursors(node: FieldNode): CursorKeys | null {
  for (const selection of node.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'edges' || selection.directives?.length) continue;
    for (const inner of selection.selectionSet?.selections ?? []) {
      if (inner.kind === Kind.FIELD && inner.name.value === 'cursor' && !inner.directives?.length)
        return { list: selection.alias?.value ?? 'edges', cursor: inner.alias?.value ?? 'cursor' };
    }
  }
  return null;
}

/**
 * Rewrites a connection field for its shards: `after` becomes a per-shard variable, and the page's end is asked
 * for under a key of the gateway's own, and the edges' cursors and the nodes' IDs too when the selection does
 * not ask for them.
 */
export function prepareConnection(node: FieldNode, index: number): PreparedConnection {
  const afterVariable = `__hubAfter${index}`;
  const args: ArgumentNode[] = [
    ...(node.arguments ?? []).filter((a) => a.name.value !== 'after'),
    { kind: Kind.ARGUMENT, name: name('after'), value: { kind: Kind.VARIABLE, name: name(afterVariable) } },
  ];
  const selected = selectedIds(node);
  const cursors = selectedCursors(node);
  const selections = [
    ...(node.selectionSet?.selections ?? []),
    ...(cursors ? [] : [field('edges', EDGES_KEY, [field('cursor')])]),
    field('pageInfo', PAGE_KEY, [field('hasNextPage')]),
    ...(selected ? [] : [field('edges', NODES_KEY, [field('node', undefined, [field('id')])])]),
  ];
  return {
    node: { ...node, arguments: args, selectionSet: { kind: Kind.SELECTION_SET, selections } },
    afterVariable,
    definition: {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: name(afterVariable) },
      type: { kind: Kind.NAMED_TYPE, name: name('String') },
    },
    ids: selected ?? { list: NODES_KEY, node: 'node', id: 'id' },
    cursors: cursors ?? HUB_CURSORS,
  };
}

export interface SelectedField {
  key: string;
  name: string;
  selectionSet: SelectionSetNode | undefined;
}

/**
 * The fields a selection asks for, fragments flattened (all of a connection's fragments are on its own
 * type) and repeats of one response key merged, as GraphQL merges them.
 */
export function selectedFields(
  set: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): SelectedField[] {
  const byKey = new Map<string, SelectedField>();
  const collect = (selections: SelectionSetNode['selections']) => {
    for (const selection of selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet.selections);
      else if (selection.kind === Kind.FRAGMENT_SPREAD)
        collect(fragments.get(selection.name.value)?.selectionSet.selections ?? []);
      else {
        const key = selection.alias?.value ?? selection.name.value;
        const seen = byKey.get(key);
        const merged = [...(seen?.selectionSet?.selections ?? []), ...(selection.selectionSet?.selections ?? [])];
        byKey.set(key, {
          key,
          name: selection.name.value,
          selectionSet: merged.length > 0 ? { kind: Kind.SELECTION_SET, selections: merged } : undefined,
        });
      }
    }
  };
  collect(set?.selections ?? []);
  return [...byKey.values()];
}

type Json = Record<string, unknown>;

export interface ShardConnection {
  institution: string;
  value: Json;
}

interface Item {
  institution: string;
  index: number;
  cursor: string;
  position: ShardPosition;
}

/** One shard's page as the merge reads it: its items' cursors, decoded only when the merge reaches them. */
interface Page {
  institution: string;
  cursors: ReadonlyArray<Json | null>;
  cursorKey: string;
  hasNextPage: boolean;
}

function pageOf(shard: ShardConnection, keys: CursorKeys): Page {
  return {
    institution: shard.institution,
    cursors: (shard.value[keys.list] as Array<Json | null> | undefined) ?? [],
    cursorKey: keys.cursor,
    hasNextPage: Boolean((shard.value[PAGE_KEY] as { hasNextPage?: boolean } | undefined)?.hasNextPage),
  };
}

function itemAt(page: Page, index: number): Item {
  const cursor = page.cursors[index]?.[page.cursorKey];
  if (typeof cursor !== 'string') throw new Error(`Shard ${page.institution} returned a cursor the hub cannot read`);
  const position = decodeShardCursor(cursor);
  if (!position) throw new Error(`Shard ${page.institution} returned a cursor the hub cannot read`);
  return { institution: page.institution, index, cursor, position };
}

function compareItems(a: Item, b: Item): number {
  return (
    compareShardPositions(a.position, b.position) ||
    (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0)
  );
}

/** Every item of every page, sorted: for pages that are not in the shared order, which a k-way merge needs. */
function sortAll(pages: readonly Page[], first: number): Item[] {
  return pages
    .flatMap((page) => page.cursors.map((_, index) => itemAt(page, index)))
    .sort(compareItems)
    .slice(0, first);
}

/** Restores the heap order from `index` down (a binary min-heap of each page's next item). */
function siftDown(heap: Item[], index: number): void {
  let at = index;
  for (;;) {
    const left = 2 * at + 1;
    const right = left + 1;
    let least = at;
    if (left < heap.length && compareItems(heap[left] as Item, heap[least] as Item) < 0) least = left;
    if (right < heap.length && compareItems(heap[right] as Item, heap[least] as Item) < 0) least = right;
    if (least === at) return;
    [heap[at], heap[least]] = [heap[least] as Item, heap[at] as Item];
    at = least;
  }
}

/**
 * The first `first` items of the pages in the shared order. Each shard sends its page already in that order
 * (sort key, then ID), so a k-way merge reads only the items it hands out and one more per shard: the cost of
 * a shard is a cursor decoded and a heap step, not its whole page decoded and sorted. A page found out of
 * order falls back to sorting everything, which gives the same answer as before the merge trusted the order.
 */
function firstItems(pages: readonly Page[], first: number): Item[] {
  const heap = pages.filter((page) => page.cursors.length > 0).map((page) => itemAt(page, 0));
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i -= 1) siftDown(heap, i);
  const byInstitution = new Map(pages.map((page) => [page.institution, page]));
  const taken: Item[] = [];
  while (taken.length < first && heap.length > 0) {
    const least = heap[0] as Item;
    taken.push(least);
    const page = byInstitution.get(least.institution) as Page;
    if (least.index + 1 < page.cursors.length) {
      const next = itemAt(page, least.index + 1);
      if (compareShardPositions(least.position, next.position) >= 0) return sortAll(pages, first);
      heap[0] = next;
    } else {
      const last = heap.pop() as Item;
      if (heap.length > 0) heap[0] = last;
    }
    siftDown(heap, 0);
  }
  return taken;
}

/**
 * Merges the shards' pages of one connection into the client's page: the first `first` items in the shared
 * order, each edge's cursor the positions reached once it is read, totals summed, and the selection shaped
 * exactly as the client asked (aliases, fragments, `__typename`).
 */
export function mergeConnection(options: {
  node: FieldNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  first: number;
  after: Positions;
  shards: readonly ShardConnection[];
  /** Where each shard's answer carries its items' cursors (`PreparedConnection.cursors`); default: the hub's key. */
  cursors?: CursorKeys;
}): Json {
  const pages = options.shards.map((shard) => pageOf(shard, options.cursors ?? HUB_CURSORS));
  const taken = firstItems(pages, options.first);
  const byInstitution = new Map(options.shards.map((shard) => [shard.institution, shard.value]));
  // Cursors are made once, on first use: a selection without `cursor` or `endCursor` needs none.
  let made: string[] | null = null;
  const cursors = (): string[] => {
    if (made) return made;
    const positions: Positions = { ...options.after };
    made = taken.map((item) => {
      positions[item.institution] = item.cursor;
      return encodeHubCursor(positions, options.node.name.value);
    });
    return made;
  };
  const hasNextPage =
    pages.reduce((sum, page) => sum + page.cursors.length, 0) > taken.length || pages.some((page) => page.hasNextPage);
  const listAt = (item: Item, key: string) =>
    (byInstitution.get(item.institution)?.[key] as unknown[] | undefined)?.[item.index];

  const result: Json = {};
  for (const selected of selectedFields(options.node.selectionSet, options.fragments)) {
    switch (selected.name) {
      case 'edges': {
        const cursorKeys = selectedFields(selected.selectionSet, options.fragments)
          .filter((f) => f.name === 'cursor')
          .map((f) => f.key);
        result[selected.key] = taken.map((item, i) => {
          const edge = { ...(listAt(item, selected.key) as Json) };
          for (const key of cursorKeys) edge[key] = cursors()[i];
          return edge;
        });
        break;
      }
      case 'nodes':
        result[selected.key] = taken.map((item) => listAt(item, selected.key));
        break;
      case 'pageInfo': {
        const pageInfo: Json = {};
        for (const info of selectedFields(selected.selectionSet, options.fragments)) {
          if (info.name === 'hasNextPage') pageInfo[info.key] = hasNextPage;
          else if (info.name === 'endCursor') pageInfo[info.key] = cursors().at(-1) ?? null;
          else if (info.name === '__typename') pageInfo[info.key] = 'PageInfo';
        }
        result[selected.key] = pageInfo;
        break;
      }
      case 'totalCount':
        result[selected.key] = options.shards.reduce((sum, shard) => sum + Number(shard.value[selected.key] ?? 0), 0);
        break;
      default:
        result[selected.key] = options.shards[0]?.value[selected.key] ?? null;
    }
  }
  return result;
}
