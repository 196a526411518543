import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  Kind,
  type FieldNode,
  type GraphQLScalarType,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { decodeShardCursor, encodeShardCursor, foldText } from '../../schema/cursor';
import { ownerOf, parseEntityId } from '../../schema/ids';
import {
  CountryCodeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  EscoSkillUriScalar,
  IscedFieldCodeScalar,
  LanguageCodeScalar,
  parsesAs,
} from '../../schema/scalars';
import {
  CATALOGUE_LISTS,
  primaryLanguage,
  type Catalogue,
  type CatalogueNotes,
  type ListPosition,
  type SearchFilter,
  type SearchOrder,
} from '../catalogue';
import type { HubContext } from '../context';
import { encodeHubCursor, RANK_POSITION } from './cursor';
import { selectedFields } from './fan-out';
import {
  argumentValue,
  parseFetch,
  pickVariables,
  rootFields,
  subOperation,
  withDefaults,
  type FetchOperation,
  type RootField,
  type Variables,
} from './operation';
import type { EntitiesPlan, FetchPlan, QueryPlan, RoutingView, ShardRequest } from './plan';
import { itemClaims } from './own-items';
import type { ResponseError } from './shard-errors';

type Json = Record<string, unknown>;

/** What routing uses of the catalogue, and the request it serves. */
export interface CatalogueStep {
  catalogue: Pick<Catalogue, 'answers' | 'notes' | 'search' | 'institutions' | 'afterWrite'>;
  context: HubContext;
}

/** The shards' own limits (subgraphs/qualifications): a search outside them goes to the shards, which refuse it. */
const MAX_PAGE = 100;
const MAX_TEXT = 200;
const MAX_SKILLS = 20;
const MAX_WORDS = 8;

/** A scalar input value as text (the gateway's schema let only scalars through). */
const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);

/**
 * The filter's fields of the shards' own scalars, checked here: the gateway's schema lets any value of a custom
 * scalar through, and only a shard would parse it.
 */
const SCALARS: ReadonlyArray<[string, GraphQLScalarType]> = [
  ['eqfLevel', EqfLevelScalar],
  ['iscedField', IscedFieldCodeScalar],
  ['escoOccupation', EscoOccupationUriScalar],
  ['escoSkill', EscoSkillUriScalar],
  ['country', CountryCodeScalar],
  ['textLang', LanguageCodeScalar],
];

/**
 * The shards' filter as the catalogue's, or null when the shards must judge it (an input they would refuse: they
 * say why, in their words). `list` is the root field.
 */
export function searchFilterOf(list: string, value: unknown): SearchFilter | null {
  const filter = (value ?? {}) as Json;
  for (const [field, type] of SCALARS) if (filter[field] != null && !parsesAs(type, filter[field])) return null;
  const points = (filter.ecvetPoints ?? {}) as Json;
  if ([points.min, points.max].some((bound) => bound != null && !parsesAs(EcvetPointsScalar, bound))) return null;
  // A single value where a list is expected is a list of one, as GraphQL coerces it (and the shards do).
  const skillList: unknown[] | null =
    filter.escoSkills == null ? null : Array.isArray(filter.escoSkills) ? filter.escoSkills : [filter.escoSkills];
  if (skillList?.some((skill) => !parsesAs(EscoSkillUriScalar, skill))) return null;
  const text = filter.text;
  if (text != null && (typeof text !== 'string' || text.length > MAX_TEXT)) return null;
  const min = points.min as number | null | undefined;
  const max = points.max as number | null | undefined;
  if (min != null && max != null && min > max) return null;
  const result: SearchFilter = {
    words:
      typeof text === 'string' && text.trim() !== ''
        ? foldText(text)
            .split(' ')
            .filter((word) => word.length > 0)
            .slice(0, MAX_WORDS)
        : null,
  };
  const textLang = filter.textLang;
  if (typeof textLang === 'string') result.lang = primaryLanguage(textLang);
  if (filter.eqfLevel != null) result.eqfLevel = Number(filter.eqfLevel);
  if (min != null) result.pointsMin = Number(min);
  if (max != null) result.pointsMax = Number(max);
  if (filter.status != null) result.status = textOf(filter.status);
  if (filter.country != null) result.country = textOf(filter.country);
  // A shard answers for the owner of the ID given, whatever its kind; a malformed one is nobody's.
  if (filter.institution != null) result.institution = ownerOf(textOf(filter.institution)) ?? '';
  if (filter.iscedField != null) result.iscedPrefix = textOf(filter.iscedField);
  if (filter.escoOccupation != null) result.escoOccupation = textOf(filter.escoOccupation);
  if (list === 'units') {
    if (skillList && skillList.length > MAX_SKILLS) return null;
    if (skillList && skillList.length > 0) result.escoSkills = skillList.map(textOf);
    if (filter.qualification != null) {
      const parsed = parseEntityId(textOf(filter.qualification));
      if (!parsed) return null;
      result.qualification = parsed;
    }
  } else if (filter.escoSkill != null) result.escoSkills = [textOf(filter.escoSkill)];
  return result;
}

/** One list to answer: its field, what to search, and where the items' data comes from. */
interface Planned {
  field: RootField;
  typeName: string;
  search:
    | {
        kind: 'connection';
        filter: SearchFilter;
        first: number;
        after: Record<string, ListPosition>;
        raw: Record<string, string>;
        order: SearchOrder;
        /** RELEVANCE: how many items earlier pages handed out. */
        offset: number;
      }
    | { kind: 'list' };
}

function plannedOf(field: RootField, variables: Variables, merge: QueryPlan['fanOuts'][number]): Planned | null {
  const typeName = CATALOGUE_LISTS.get(field.name);
  if (!typeName) return null;
  if (merge.merge === 'list') return { field, typeName, search: { kind: 'list' } };
  const filter = searchFilterOf(field.name, argumentValue(field.node, ['filter'], variables));
  if (!filter || !Number.isInteger(merge.first) || merge.first < 1 || merge.first > MAX_PAGE) return null;
  const order: SearchOrder = argumentValue(field.node, ['orderBy'], variables) === 'RELEVANCE' ? 'RELEVANCE' : 'TITLE';
  const connection = { kind: 'connection' as const, filter, first: merge.first, raw: merge.after, order };
  if (order === 'RELEVANCE') {
    // Nothing to rank without words: the shards say so. A ranked page's cursor is how far the ranking was read.
    if (!filter.words) return null;
    const keys = Object.keys(merge.after);
    const offset = Number(merge.after[RANK_POSITION] ?? 0);
    if (keys.some((key) => key !== RANK_POSITION) || !Number.isSafeInteger(offset) || offset < 0) return null;
    return { field, typeName, search: { ...connection, after: {}, offset } };
  }
  const after: Record<string, ListPosition> = {};
  for (const [institution, cursor] of Object.entries(merge.after)) {
    const position = decodeShardCursor(cursor);
    if (!position) return null;
    after[institution] = position;
  }
  return { field, typeName, search: { ...connection, after, offset: 0 } };
}

const REPRESENTATIONS = '__hubRepresentations';
const representationsDefinition: VariableDefinitionNode = {
  kind: Kind.VARIABLE_DEFINITION,
  variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: REPRESENTATIONS } },
  type: {
    kind: Kind.NON_NULL_TYPE,
    type: {
      kind: Kind.LIST_TYPE,
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: '_Any' } } },
    },
  },
};

/** `_entities(representations: …) { ... on Type { <selection> } }`: the items' own data, asked of their owners. */
function entitiesField(typeName: string, selectionSet: SelectionSetNode | undefined): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: '_entities' },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'representations' },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: REPRESENTATIONS } },
      },
    ],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } },
          selectionSet: selectionSet ?? { kind: Kind.SELECTION_SET, selections: [] },
        },
      ],
    },
  };
}

export type RunEntities = (plan: FetchPlan) => Promise<GatewayGraphQLResponse>;

/** The items' data for one selection, from their owners (through the entity cache), in the items' order. */
async function fetchNodes(
  fetch: FetchOperation,
  variables: Variables,
  view: RoutingView,
  typeName: string,
  ids: readonly string[],
  selectionSet: SelectionSetNode | undefined,
  runEntities: RunEntities,
): Promise<{ values: unknown[]; errors: ResponseError[] }> {
  if (ids.length === 0) return { values: [], errors: [] };
  const sub = subOperation(fetch, [entitiesField(typeName, selectionSet)], [representationsDefinition]);
  const representations = ids.map((id) => ({ __typename: typeName, id }));
  const base = pickVariables(variables, sub.variableNames);
  const groups = new Map<string, number[]>();
  ids.forEach((id, index) => {
    const owner = ownerOf(id) ?? '';
    groups.set(owner, [...(groups.get(owner) ?? []), index]);
  });
  const byInstitution = new Map(view.shards.map((shard) => [shard.institution, shard]));
  // An owner answers for the items asked of it, as in a fan-out: one whose answer names another item or another
  // institution (to pass its own item off as another member's) has it stand as failed, named.
  const claims = itemClaims(selectionSet, fetch.fragments);
  const plan: EntitiesPlan = {
    type: 'entities',
    responseKey: '_entities',
    representations,
    errors: [],
    ...(claims ? { claims: new Map([[typeName, claims]]) } : {}),
    calls: [...groups].flatMap(([owner, indexes]) => {
      const shard = byInstitution.get(owner);
      return shard
        ? [
            {
              shard,
              query: sub.query,
              variables: { ...base, [REPRESENTATIONS]: indexes.map((i) => representations[i]) },
              indexes,
            },
          ]
        : [];
    }),
  };
  const response = await runEntities(plan);
  const values =
    ((response.data as Json | null | undefined)?._entities as unknown[] | undefined) ?? ids.map(() => null);
  return { values, errors: (response.errors ?? []) as ResponseError[] };
}

/** Where an `_entities` error goes in the client's answer: at its item, or at the list when the item was left out. */
function relocate(
  error: ResponseError,
  list: string,
  at: (index: number) => ReadonlyArray<string | number> | null,
): ResponseError {
  const [, index, ...rest] = error.path ?? [];
  const place = typeof index === 'number' ? at(index) : null;
  return { ...error, path: place ? [...place, ...rest] : [list] };
}

/** An `_entities` error about one item, with the item's ID: where its data is null, the ID still says which it is. */
function withItemId(error: ResponseError, ids: readonly string[]): ResponseError {
  const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
  const id = typeof index === 'number' ? ids[index] : undefined;
  return id === undefined ? error : { ...error, extensions: { ...error.extensions, id } };
}

const typeNames: Record<string, { connection: string; edge: string }> = {
  units: { connection: 'UnitConnection', edge: 'UnitEdge' },
  qualifications: { connection: 'QualificationConnection', edge: 'QualificationEdge' },
};

/** Each place of the selection that holds the items' data: `edges { node }` (aliases too) and `nodes`. */
interface NodeSlot {
  listKey: string;
  nodeKey: string | null;
  selectionSet: SelectionSetNode | undefined;
}

async function answerConnection(
  step: CatalogueStep,
  notes: CatalogueNotes,
  fetch: FetchOperation,
  variables: Variables,
  view: RoutingView,
  planned: Planned & { search: { kind: 'connection' } },
  runEntities: RunEntities,
): Promise<{ value: Json; errors: ResponseError[] }> {
  const { field, typeName, search } = planned;
  const fragments = fetch.fragments;
  const selections = selectedFields(field.node.selectionSet, fragments);
  const page = await fromCatalogue(
    step.catalogue.search(
      notes,
      {
        list: field.name === 'units' ? 'units' : 'qualifications',
        filter: search.filter,
        first: search.first,
        after: search.after,
        offset: search.offset,
        order: search.order,
        count: selections.some((selected) => selected.name === 'totalCount'),
      },
      [field.responseKey],
    ),
  );
  const slots: NodeSlot[] = selections.flatMap((selected): NodeSlot[] => {
    if (selected.name === 'nodes')
      return [{ listKey: selected.key, nodeKey: null, selectionSet: selected.selectionSet }];
    if (selected.name !== 'edges') return [];
    return selectedFields(selected.selectionSet, fragments)
      .filter((inner) => inner.name === 'node')
      .map((inner) => ({ listKey: selected.key, nodeKey: inner.key, selectionSet: inner.selectionSet }));
  });
  const ids = page.items.map((item) => `${item.institution}:${item.localId}`);
  const fetched = await Promise.all(
    slots.map((slot) => fetchNodes(fetch, variables, view, typeName, ids, slot.selectionSet, runEntities)),
  );
  // An item whose owner could not give its data (its shard is down) stands in its place, null with the owner's error
  // naming the institution and the item's ID: the page keeps its size and its cursors. An item its owner answers
  // null for without an error is gone (the catalogue learns it from the feed): it is left out.
  const failed = (index: number) =>
    fetched.some((one) => one.errors.some((error) => error.path?.[0] === '_entities' && error.path[1] === index));
  const kept = page.items.map((_, index) => failed(index) || fetched.every((one) => one.values[index] != null));
  const keptIndexes = kept.flatMap((keep, index) => (keep ? [index] : []));
  const newIndex = new Map(keptIndexes.map((index, position) => [index, position]));
  const positions: Record<string, string> = { ...search.raw };
  const cursors = keptIndexes.map((index) => {
    if (search.order === 'RELEVANCE')
      return encodeHubCursor({ [RANK_POSITION]: String(search.offset + index + 1) }, field.name);
    const item = page.items[index] as (typeof page.items)[number];
    positions[item.institution] = encodeShardCursor({ sortKey: item.sortKey, id: item.localId });
    return encodeHubCursor(positions, field.name);
  });
  const errors = fetched.flatMap((one, slotIndex) => {
    const slot = slots[slotIndex] as NodeSlot;
    return one.errors.map((error) =>
      relocate(withItemId(error, ids), field.responseKey, (index) => {
        const position = newIndex.get(index);
        if (position === undefined) return null;
        return slot.nodeKey === null
          ? [field.responseKey, slot.listKey, position]
          : [field.responseKey, slot.listKey, position, slot.nodeKey];
      }),
    );
  });
  const valuesOf = (slot: NodeSlot) => {
    const values = fetched[slots.indexOf(slot)]?.values ?? [];
    return keptIndexes.map((index) => values[index]);
  };
  const names = typeNames[field.name] ?? { connection: `${typeName}Connection`, edge: `${typeName}Edge` };
  const value: Json = {};
  for (const selected of selections) {
    switch (selected.name) {
      case 'edges': {
        const edges: Json[] = keptIndexes.map(() => ({}));
        for (const inner of selectedFields(selected.selectionSet, fragments)) {
          if (inner.name === 'cursor') edges.forEach((edge, i) => (edge[inner.key] = cursors[i]));
          else if (inner.name === '__typename') edges.forEach((edge) => (edge[inner.key] = names.edge));
          else if (inner.name === 'node') {
            const slot = slots.find((one) => one.listKey === selected.key && one.nodeKey === inner.key);
            const nodes = slot ? valuesOf(slot) : [];
            edges.forEach((edge, i) => (edge[inner.key] = nodes[i] ?? null));
          }
        }
        value[selected.key] = edges;
        break;
      }
      case 'nodes': {
        const slot = slots.find((one) => one.listKey === selected.key && one.nodeKey === null);
        value[selected.key] = slot ? valuesOf(slot) : [];
        break;
      }
      case 'pageInfo': {
        const pageInfo: Json = {};
        for (const info of selectedFields(selected.selectionSet, fragments)) {
          if (info.name === 'hasNextPage')
            pageInfo[info.key] = page.hasNextPage || keptIndexes.length < page.items.length;
          else if (info.name === 'endCursor') pageInfo[info.key] = cursors.at(-1) ?? null;
          else if (info.name === '__typename') pageInfo[info.key] = 'PageInfo';
        }
        value[selected.key] = pageInfo;
        break;
      }
      case 'totalCount':
        value[selected.key] = page.totalCount ?? 0;
        break;
      case '__typename':
        value[selected.key] = names.connection;
        break;
      default:
        value[selected.key] = null;
    }
  }
  return { value, errors };
}

/** A catalogue call that failed (its engine is down, say): the shards answer the query instead. */
class CatalogueFailed extends Error {}

const fromCatalogue = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw new CatalogueFailed(error instanceof Error ? error.message : String(error));
  });

/**
 * Answers a query's fanned-out lists from the hub's catalogue, when it can answer all of them and the query asks
 * nothing else: the page (its order, cursors, count) from the catalogue, the items' own data from their owners
 * through the entity cache; no call waits for every shard. Null: the shards answer as before (the catalogue is not
 * ready, its engine failed a list, or an input is one the shards would refuse, in their words).
 */
export async function answerFromCatalogue(
  step: CatalogueStep | undefined,
  request: ShardRequest,
  plan: QueryPlan,
  view: RoutingView,
  runEntities: RunEntities,
): Promise<GatewayGraphQLResponse | null> {
  if (!step || plan.fanOuts.length === 0 || plan.calls.some((call) => call.owned.length > 0)) return null;
  const fetch = parseFetch(request.query);
  const variables = withDefaults(fetch, request.variables);
  const fields = new Map(rootFields(fetch, variables).map((field) => [field.responseKey, field]));
  const planned: Planned[] = [];
  for (const merge of plan.fanOuts) {
    const field = fields.get(merge.responseKey);
    const one = field && step.catalogue.answers(field.name) ? plannedOf(field, variables, merge) : null;
    if (!one) return null;
    planned.push(one);
  }
  const data: Json = { ...plan.data };
  const errors = [...plan.errors];
  const notes = step.catalogue.notes(step.context);
  try {
    for (const one of planned) {
      if (one.search.kind === 'connection') {
        const answered = await answerConnection(
          step,
          notes,
          fetch,
          variables,
          view,
          { ...one, search: one.search },
          runEntities,
        );
        data[one.field.responseKey] = answered.value;
        errors.push(...answered.errors);
      } else {
        const codes = await fromCatalogue(step.catalogue.institutions(notes));
        const fetched = await fetchNodes(
          fetch,
          variables,
          view,
          one.typeName,
          codes,
          one.field.node.selectionSet,
          runEntities,
        );
        data[one.field.responseKey] = fetched.values.filter((value) => value !== null);
        // An institution left out is named by its code, as an item by its ID.
        errors.push(
          ...fetched.errors.map((error) => relocate(withItemId(error, codes), one.field.responseKey, () => null)),
        );
      }
    }
  } catch (error) {
    // The catalogue counted and logged the failure; the shards hold the same lists.
    if (error instanceof CatalogueFailed) return null;
    throw error;
  }
  notes.commit();
  return errors.length > 0 ? { data, errors } : { data };
}
