import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { StatisticsBaseBatch } from '../../../schema/statistics';
import { requireAgency } from '../../shared/access';
import { baseBatch, baseCells } from '../../shared/statistics';
import type { RecognitionContext } from '../context';
import { recognitionCounts } from './statistics.service';

@Resolver()
export class RecognitionStatisticsResolver {
  @Query(() => [StatisticsBaseBatch], {
    description:
      "This institution's recognition decisions and recognised ECVET points as one batch of base cells, for the hub's ecvetStatistics: agencies only, through the hub, which suppresses small cells. Use ecvetStatistics instead.",
  })
  async recognitionStatisticsBase(
    @Arg('from', () => String, { nullable: true, description: 'First month counted, YYYY-MM.' }) from: string | null,
    @Arg('to', () => String, { nullable: true, description: 'Last month counted, YYYY-MM.' }) to: string | null,
    @Ctx() context: RecognitionContext,
  ): Promise<StatisticsBaseBatch[]> {
    requireAgency(context, 'read recognition statistics');
    // One batch in a list: the hub fans a root list out to every shard and concatenates the answers.
    return [
      baseBatch(context.institution, baseCells(context.institution, await recognitionCounts(context), { from, to })),
    ];
  }
}
