import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { LearningOutcomeCategory } from '../../../schema/enums';
import { ConflictError } from '../../../schema/errors';
import { moduleLogger } from '../../../platform/logger';
import type { RecognitionContext } from '../context';
import { groups } from './groups';
import type { UnitProfile } from './score';

/**
 * Units as comparisons read them: public data, asked of the hub as this shard's service. Reads are batched
 * per request (an `_entities` batch asking `equivalents` of twenty units makes one hub request for the units
 * and one per ten skill searches, not twenty of each) and kept under the gateway's default operation limits.
 */

const log = moduleLogger('comparability');

/** The gateway refuses operations with more root fields than this by default (gateway/limits). */
const ROOT_FIELDS_PER_REQUEST = 20;
/** A search alias costs ~2,300 at the gateway (100 units × 20 outcomes); ten stay well under the 50,000 limit. */
const SEARCHES_PER_REQUEST = 10;
/** The hub's `units` filter takes at most this many skills. */
export const SKILLS_PER_SEARCH = 20;
/** Candidates per search: the largest page the hub gives. */
export const CANDIDATES_PER_SEARCH = 100;

const UNIT_FIELDS =
  'fragment ComparedUnitFields on Unit { id eqfLevel ecvetPoints institution { id } learningOutcomes { category escoSkills } }';

interface HubUnit {
  id: string;
  eqfLevel: number;
  ecvetPoints: number;
  institution: { id: string };
  learningOutcomes: Array<{ category: LearningOutcomeCategory; escoSkills: string[] }>;
}

const toProfile = (unit: HubUnit): UnitProfile => ({
  id: unit.id,
  institution: unit.institution.id,
  eqfLevel: unit.eqfLevel,
  ecvetPoints: unit.ecvetPoints,
  outcomes: unit.learningOutcomes,
});

interface Answer {
  data: Record<string, unknown> | null;
  errors: GraphQLError[];
}

async function ask(
  context: RecognitionContext,
  what: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  if (!context.hub) throw new ConflictError(`This shard was started without HUB_URL, so it cannot read ${what}`);
  try {
    return await context.hub.request<Record<string, unknown>>(query, variables);
  } catch (error) {
    throw new ConflictError(`Cannot read ${what} through the hub: ${(error as Error).message}`);
  }
}

const errorAt = (answer: Answer, alias: string) =>
  answer.errors.find((e) => e.path?.[0] === alias) ?? (answer.data ? undefined : answer.errors[0]);

/** A unit the hub does not have, and why (as the hub says, when it says). */
export interface MissingUnit {
  missing: string;
}

/** Units by hub ID; a unit its owner does not have (or whose owner is no member of the hub) is a `MissingUnit`. */
async function readUnits(
  context: RecognitionContext,
  ids: readonly string[],
): Promise<Array<UnitProfile | MissingUnit | Error>> {
  const answers = await Promise.all(
    groups(ids, ROOT_FIELDS_PER_REQUEST).map(async (group) => {
      const fields = group.map((_, i) => `u${i}: unit(id: $u${i}) { ...ComparedUnitFields }`).join(' ');
      const query = `query ComparedUnits(${group.map((_, i) => `$u${i}: ID!`).join(', ')}) { ${fields} } ${UNIT_FIELDS}`;
      const answer = await ask(
        context,
        `units ${group.join(', ')}`,
        query,
        Object.fromEntries(group.map((id, i) => [`u${i}`, id])),
      );
      return group.map((id, i): UnitProfile | MissingUnit | Error => {
        const unit = answer.data?.[`u${i}`] as HubUnit | null | undefined;
        if (unit) return toProfile(unit);
        const error = errorAt(answer, `u${i}`);
        if (!error) return { missing: 'its institution has no unit with that ID' };
        if (error.extensions.code === 'NOT_FOUND') return { missing: error.message };
        // Another cause (a shard down, a timeout) keeps its code, so the client sees why.
        return new GraphQLError(`Cannot read unit ${id} through the hub: ${error.message}`, {
          extensions: error.extensions,
        });
      });
    }),
  );
  return answers.flat();
}

/** Active units that evidence at least one of a group of skills (each key: up to 20 skill URIs joined by spaces). */
async function searchUnits(
  context: RecognitionContext,
  keys: readonly string[],
): Promise<Array<UnitProfile[] | Error>> {
  const answers = await Promise.all(
    groups(keys, SEARCHES_PER_REQUEST).map(async (group) => {
      const fields = group
        .map(
          (_, i) =>
            `c${i}: units(filter: { escoSkills: $s${i}, status: ACTIVE }, first: ${CANDIDATES_PER_SEARCH}) { nodes { ...ComparedUnitFields } }`,
        )
        .join(' ');
      const query = `query ComparableUnits(${group.map((_, i) => `$s${i}: [EscoSkillUri!]!`).join(', ')}) { ${fields} } ${UNIT_FIELDS}`;
      const answer = await ask(
        context,
        'comparable units',
        query,
        Object.fromEntries(group.map((key, i) => [`s${i}`, key.split(' ')])),
      );
      // A fan-out keeps what the shards that answered gave; the others are only logged (suggestions, not records).
      if (answer.data && answer.errors.length > 0)
        log.warn(
          { requestId: context.requestId, errors: answer.errors.map((e) => e.message) },
          'some shards did not answer the search for comparable units',
        );
      return group.map((_, i): UnitProfile[] | Error => {
        const page = answer.data?.[`c${i}`] as { nodes: HubUnit[] } | null | undefined;
        if (page) return page.nodes.map(toProfile);
        const error = errorAt(answer, `c${i}`);
        return new GraphQLError(`Cannot search comparable units through the hub: ${error?.message ?? 'no answer'}`, {
          extensions: error?.extensions,
        });
      });
    }),
  );
  return answers.flat();
}

export interface HubUnitLoaders {
  unit: DataLoader<string, UnitProfile | MissingUnit>;
  /** Key: up to `SKILLS_PER_SEARCH` skill URIs joined by single spaces. */
  search: DataLoader<string, UnitProfile[]>;
}

/** One set per request: a request's context object lives exactly as long as the request. */
const perRequest = new WeakMap<RecognitionContext, HubUnitLoaders>();

export function hubUnits(context: RecognitionContext): HubUnitLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    loaders = {
      unit: new DataLoader((ids) => readUnits(context, ids)),
      search: new DataLoader((keys) => searchUnits(context, keys)),
    };
    perRequest.set(context, loaders);
  }
  return loaders;
}

/** The search keys that cover a unit's skills. */
export function searchKeys(skills: readonly string[]): string[] {
  return groups([...skills].sort(), SKILLS_PER_SEARCH).map((group) => group.join(' '));
}
