import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LearnerRecord } from '../../../schema/recognition/recognition';
import { HomeRecognitionDecision } from '../../../schema/recognition/routes';
import type { RecognitionContext } from '../context';
import { RecognizeHomeLearningInput, ReviseHomeRecognitionInput } from './route-decision.input';
import { toHomeRecognition } from './route-decision.mapper';
import {
  findRouteDecision,
  recognizeHomeLearning,
  reviseHomeRecognition,
  routeDecisionsOf,
} from './route-decision.service';

@Resolver(() => LearnerRecord)
export class RouteDecisionResolver {
  @Directive('@owner(argument: "input.learnerId")')
  @Mutation(() => HomeRecognitionDecision, {
    description:
      "Credits units of a learner's home qualification achieved by transfer (coordinators) or validated from prior learning " +
      '(assessors, with evidence and a method), as a recognition decision.',
  })
  async recognizeHomeLearning(
    @Arg('input', () => RecognizeHomeLearningInput) input: RecognizeHomeLearningInput,
    @Ctx() context: RecognitionContext,
  ): Promise<HomeRecognitionDecision> {
    return toHomeRecognition(await recognizeHomeLearning(context, input), context.institution);
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => HomeRecognitionDecision, {
    description:
      'Revises a transfer or prior-learning decision, with a reason; the earlier decision stays in its history.',
  })
  async reviseHomeRecognition(
    @Arg('id', () => ID, { description: 'Hub ID of the decision.' }) id: string,
    @Arg('input', () => ReviseHomeRecognitionInput) input: ReviseHomeRecognitionInput,
    @Ctx() context: RecognitionContext,
  ): Promise<HomeRecognitionDecision> {
    return toHomeRecognition(await reviseHomeRecognition(context, id, input), context.institution);
  }

  @Directive('@owner(argument: "id")')
  @Query(() => HomeRecognitionDecision, {
    nullable: true,
    description: 'A transfer or prior-learning decision by hub ID; for the home institution and the learner.',
  })
  async homeRecognitionDecision(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Ctx() context: RecognitionContext,
  ): Promise<HomeRecognitionDecision | null> {
    const record = await findRouteDecision(context, id);
    return record && toHomeRecognition(record, context.institution);
  }

  @FieldResolver(() => [HomeRecognitionDecision], {
    description: 'Decisions crediting units achieved by transfer or validated from prior learning, oldest first.',
  })
  async homeRecognitions(
    @Root() record: LearnerRecord,
    @Ctx() context: RecognitionContext,
  ): Promise<HomeRecognitionDecision[]> {
    return (await routeDecisionsOf(context, record.learnerId)).map((d) => toHomeRecognition(d, context.institution));
  }
}
