import { Arg, Ctx, Float, ID, Int, Query, Resolver } from 'type-graphql';
import { CorrespondenceSuggestion } from '../../../schema/recognition/correspondence';
import type { RecognitionContext } from '../context';
import {
  DEFAULT_SUGGESTION_MIN_SCORE,
  DEFAULT_SUGGESTIONS,
  MAX_SUGGESTIONS,
  suggestCorrespondences,
} from './correspondence.service';

/** `Query.suggestCorrespondences`: no `@owner`, so the gateway asks any one recognition shard; units are public. */
@Resolver()
export class CorrespondenceSuggestionResolver {
  @Query(() => [CorrespondenceSuggestion], {
    description:
      "Public: units of a home qualification that a host unit could be recognised as, for a memorandum's correspondence table, " +
      'scored as `compareUnits` does, best first. Suggestions only: people decide what the memorandum says.',
  })
  async suggestCorrespondences(
    @Arg('hostUnitId', () => ID, { description: 'Hub ID of the unit achieved abroad.' }) hostUnitId: string,
    @Arg('homeQualificationId', () => ID, { description: 'Hub ID of the home qualification.' })
    homeQualificationId: string,
    @Arg('minScore', () => Float, {
      defaultValue: DEFAULT_SUGGESTION_MIN_SCORE,
      description: 'Lowest score listed, from 0 to 1.',
    })
    minScore: number,
    @Arg('first', () => Int, {
      defaultValue: DEFAULT_SUGGESTIONS,
      description: `At most this many, 1-${MAX_SUGGESTIONS}.`,
    })
    first: number,
    @Ctx() context: RecognitionContext,
  ): Promise<CorrespondenceSuggestion[]> {
    return suggestCorrespondences(context, hostUnitId, homeQualificationId, minScore, first);
  }
}
