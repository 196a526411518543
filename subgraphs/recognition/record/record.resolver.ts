import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ShardUnavailableError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { Credit, LearnerRecord, QualificationProgress } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toCredit } from './credit.mapper';
import { HomeCreditInput } from './record.input';
import { toLearnerRecord, type ProgressView } from './record.mapper';
import { loadLearnerRecord, recordHomeCredit } from './record.service';

@Resolver()
export class RecordResolver {
  @Directive('@owner(argument: "input.learnerId")')
  @Mutation(() => Credit, { description: 'Credits a unit the learner achieved at home.' })
  async recordHomeCredit(
    @Arg('input', () => HomeCreditInput) input: HomeCreditInput,
    @Ctx() context: RecognitionContext,
  ): Promise<Credit> {
    return toCredit(await recordHomeCredit(context, input), context.institution);
  }

  @Directive('@owner(argument: "learnerId")')
  @Query(() => LearnerRecord, {
    description:
      "A learner's credits, progress per qualification and certificates; for the sending institution's staff and the learner.",
  })
  async learnerRecord(
    @Arg('learnerId', () => ID, { description: 'The learner ID.' }) learnerId: string,
    @Ctx() context: RecognitionContext,
  ): Promise<LearnerRecord> {
    return toLearnerRecord(learnerId, await loadLearnerRecord(context, learnerId), context.institution);
  }
}

/** The figures read from the qualification's owner are null when it could not be read; one error per qualification says why. */
@Resolver(() => QualificationProgress)
export class QualificationProgressResolver {
  @FieldResolver()
  requiredEcvetPoints(@Root() progress: ProgressView): number | null {
    if (progress.unreadable) {
      const owner = ownerOf(progress.qualificationId);
      throw new ShardUnavailableError(
        `The figures of ${progress.qualificationId} could not be read from ${owner}'s qualifications shard: ${progress.unreadable}`,
      );
    }
    return progress.requiredEcvetPoints;
  }
}
