import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GradingScale } from '../../../schema/grading-scale';
import { Institution } from '../../../schema/institution';
import type { QualificationsContext } from '../context';
import { GradingScaleRecord } from './grading-scale.entity';
import { toGradingScale } from './grading-scale.mapper';
import { PublishGradingScaleInput } from './grading-scale.input';
import { resolveGradingScaleReference } from './grading-scale.reference';
import { publishGradingScale } from './grading-scale.service';

@Resolver(() => GradingScale)
export class GradingScaleResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => GradingScale, {
    nullable: true,
    description: 'One grading scale by hub ID, e.g. "rvt.lv:grades-1-10"; null when the institution has none so named.',
  })
  async gradingScale(
    @Arg('id', () => ID, { description: 'Hub ID of the scale.' }) id: string,
    @Ctx() context: QualificationsContext,
  ): Promise<GradingScale | null> {
    return resolveGradingScaleReference({ id }, context);
  }

  @Directive('@owner')
  @Mutation(() => GradingScale, {
    description:
      "Publishes a grading scale of the calling coordinator's institution, or replaces it (same localId). Agreements keep the copy they signed.",
  })
  async publishGradingScale(
    @Arg('input', () => PublishGradingScaleInput) input: PublishGradingScaleInput,
    @Ctx() context: QualificationsContext,
  ): Promise<GradingScale> {
    return publishGradingScale(context, input);
  }
}

/** The scales as part of the institution that publishes them. */
@Resolver(() => Institution)
export class InstitutionGradingScalesResolver {
  @FieldResolver(() => [GradingScale], { description: 'The grading scales the institution publishes, by ID.' })
  async gradingScales(
    @Root() institution: Institution,
    @Ctx() context: QualificationsContext,
  ): Promise<GradingScale[]> {
    if (institution.id !== context.institution) return [];
    const records = await context.db.dataSource.manager.find(GradingScaleRecord, { order: { id: 'ASC' } });
    return records.map((record) => toGradingScale(record, context.institution));
  }
}
