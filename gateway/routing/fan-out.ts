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
const EDGES_KEY = '__hubEdges';
const PAGE_KEY = '__hubPage';

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const field = (fieldName: string, alias?: string, selections?: FieldNode[]): FieldNode => ({
  kind: Kind.FIELD,
  name: name(fieldName),
  ...(alias ? { alias: name(alias) } : {}),
  ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
});

export interface PreparedConnection {
  node: FieldNode;
  afterVariable: string;
  definition: VariableDefinitionNode;
}

/**
 * Rewrites a connection field for its shards: `after` becomes a per-shard variable, and the edges' cursors
 * and the page's end are asked for under keys of the gateway's own.
 */
export function prepareConnection(node: FieldNode, index: number): PreparedConnection {
  const afterVariable = `__hubAfter${index}`;
  const args: ArgumentNode[] = [
    ...(node.arguments ?? []).filter((a) => a.name.value !== 'after'),
    { kind: Kind.ARGUMENT, name: name('after'), value: { kind: Kind.VARIABLE, name: name(afterVariable) } },
  ];
  const selections = [
    ...(node.selectionSet?.selections ?? []),
    field('edges', EDGES_KEY, [field('cursor')]),
    field('pageInfo', PAGE_KEY, [field('hasNextPage')]),
  ];
  return {
    node: { ...node, arguments: args, selectionSet: { kind: Kind.SELECTION_SET, selections } },
    afterVariable,
    definition: {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: name(afterVariable) },
      type: { kind: Kind.NAMED_TYPE, name: name('String') },
    },
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

function items(shard: ShardConnection): { items: Item[]; hasNextPage: boolean } {
  const edges = (shard.value[EDGES_KEY] as Array<{ cursor: string }> | undefined) ?? [];
  const list = edges.map((edge, index) => {
    const position = decodeShardCursor(edge.cursor);
    if (!position) throw new Error(`Shard ${shard.institution} returned a cursor the hub cannot read`);
    return { institution: shard.institution, index, cursor: edge.cursor, position };
  });
  return {
    items: list,
    hasNextPage: Boolean((shard.value[PAGE_KEY] as { hasNextPage?: boolean } | undefined)?.hasNextPage),
  };
}

function compareItems(a: Item, b: Item): number {
  return (
    compareShardPositions(a.position, b.position) ||
    (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : 0)
  );
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
}): Json {
  const pages = options.shards.map(items);
  const all = pages.flatMap((page) => page.items).sort(compareItems);
  const taken = all.slice(0, options.first);
  const byInstitution = new Map(options.shards.map((shard) => [shard.institution, shard.value]));
  const positions: Positions = { ...options.after };
  const cursors = taken.map((item) => {
    positions[item.institution] = item.cursor;
    return encodeHubCursor(positions, options.node.name.value);
  });
  const hasNextPage = all.length > taken.length || pages.some((page) => page.hasNextPage);
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
          for (const key of cursorKeys) edge[key] = cursors[i];
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
          else if (info.name === 'endCursor') pageInfo[info.key] = cursors.at(-1) ?? null;
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
