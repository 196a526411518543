import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Credit, LearnerRecord } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toCredit } from './credit.mapper';
import { HomeCreditInput } from './record.input';
import { toLearnerRecord } from './record.mapper';
import { loadLearnerRecord, recordHomeCredit } from './record.service';

@Resolver()
export class RecordResolver {
  @Directive('@owner(argument: "input.learnerId")')
  @Mutation(() => Credit, { description: 'Credits a unit the learner achieved at home.' })
  async recordHomeCredit(@Arg('input', () => HomeCreditInput) input: HomeCreditInput, @Ctx() context: RecognitionContext): Promise<Credit> {
    return toCredit(await recordHomeCredit(context, input), context.institution);
  }

  @Directive('@owner(argument: "learnerId")')
  @Query(() => LearnerRecord, { description: "A learner's credits, progress per qualification and certificates; for the sending institution's staff and the learner." })
  async learnerRecord(@Arg('learnerId', () => ID, { description: 'The learner ID.' }) learnerId: string, @Ctx() context: RecognitionContext): Promise<LearnerRecord> {
    return toLearnerRecord(learnerId, await loadLearnerRecord(context, learnerId), context.institution);
  }
}
