import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { StatisticsBaseBatch } from '../../../schema/statistics';
import { requireAgency } from '../../shared/access';
import { baseBatch, baseCells } from '../../shared/statistics';
import type { MobilitiesContext } from '../context';
import { mobilityCounts } from './statistics.service';

@Resolver()
export class MobilityStatisticsResolver {
  @Query(() => [StatisticsBaseBatch], {
    description:
      "This institution's memoranda, learning agreements, assessed units and transcripts as one batch of base cells, for the hub's ecvetStatistics: agencies only, through the hub, which suppresses small cells. Use ecvetStatistics instead.",
  })
  async mobilityStatisticsBase(
    @Arg('from', () => String, { nullable: true, description: 'First month counted, YYYY-MM.' }) from: string | null,
    @Arg('to', () => String, { nullable: true, description: 'Last month counted, YYYY-MM.' }) to: string | null,
    @Ctx() context: MobilitiesContext,
  ): Promise<StatisticsBaseBatch[]> {
    requireAgency(context, 'read mobility statistics');
    // One batch in a list: the hub fans a root list out to every shard and concatenates the answers.
    return [
      baseBatch(context.institution, baseCells(context.institution, await mobilityCounts(context), { from, to })),
    ];
  }
}
