import { Arg, Ctx, FieldResolver, Float, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { UnitComparison, UnitEquivalent } from '../../../schema/recognition/comparability';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import type { RecognitionContext } from '../context';
import {
  compareUnits,
  DEFAULT_EQUIVALENTS,
  DEFAULT_MIN_SCORE,
  findEquivalents,
  MAX_EQUIVALENTS,
} from './comparability.service';

/** `Query.compareUnits`: no `@owner`, so the gateway asks any one recognition shard; units are public data. */
@Resolver()
export class ComparabilityResolver {
  @Query(() => UnitComparison, {
    description:
      'Public: how far two units of any institutions match — shared and missing ESCO skills, learning outcomes per category, EQF level ' +
      'difference, ECVET points ratio and one score in [0, 1] (its formula: `UnitComparison.score`). Any recognition shard answers; ESCO labels ' +
      'and partial credit through ESCO broader relations need ESCO imported there. An unknown unit is NOT_FOUND, a malformed ID BAD_USER_INPUT.',
  })
  async compareUnits(
    @Arg('a', () => ID, { description: 'Hub ID of unit A, e.g. a home unit "rvt.lv:WELD-U5".' }) a: string,
    @Arg('b', () => ID, { description: 'Hub ID of unit B, e.g. a unit achieved abroad "cifp-aviles.es:SOLCAL-0094".' })
    b: string,
    @Ctx() context: RecognitionContext,
  ): Promise<UnitComparison> {
    return compareUnits(context, a, b);
  }
}

/** `Unit.equivalents`, answered by the recognition shard of the unit's own institution. */
@Resolver(() => RecognitionUnitRef)
export class UnitEquivalentsResolver {
  @FieldResolver(() => [UnitEquivalent], {
    nullable: true,
    description:
      'Public: active units of other institutions that compare well with this one (they share at least one ESCO skill with it; ' +
      'searched among the first 100 such units per 20 skills), scored as `compareUnits` does, best first, ties by ID. ' +
      "Null when the unit's institution's recognition shard cannot answer (an error names the institution): the unit itself still arrives.",
  })
  async equivalents(
    @Root() unit: RecognitionUnitRef,
    @Arg('minScore', () => Float, { defaultValue: DEFAULT_MIN_SCORE, description: 'Lowest score listed, from 0 to 1.' })
    minScore: number,
    @Arg('first', () => Int, {
      defaultValue: DEFAULT_EQUIVALENTS,
      description: `How many to list at most, 1-${MAX_EQUIVALENTS}.`,
    })
    first: number,
    @Ctx() context: RecognitionContext,
  ): Promise<UnitEquivalent[]> {
    return findEquivalents(context, unit.id, minScore, first);
  }
}
