import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RecognitionDecision } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { RecognizeUnitsInput, ReviseRecognitionInput } from './decision.input';
import { toDecision } from './decision.mapper';
import { findDecision, recognizeUnits, reviseRecognition } from './decision.service';

@Resolver()
export class DecisionResolver {
  @Directive('@owner(argument: "input.learningAgreementId")')
  @Mutation(() => [RecognitionDecision], {
    description:
      'Decides on units of a validated transcript; recognised units are credited. Idempotent under `idempotencyKey`.',
  })
  async recognizeUnits(
    @Arg('input', () => RecognizeUnitsInput) input: RecognizeUnitsInput,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionDecision[]> {
    return (await recognizeUnits(context, input)).map((d) => toDecision(d, context.institution));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => RecognitionDecision, {
    description: 'Revises a decision, with a reason; the earlier decision stays in its history.',
  })
  async reviseRecognition(
    @Arg('id', () => ID, { description: 'Hub ID of the decision.' }) id: string,
    @Arg('input', () => ReviseRecognitionInput) input: ReviseRecognitionInput,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionDecision> {
    return toDecision(await reviseRecognition(context, id, input), context.institution);
  }

  @Directive('@owner(argument: "id")')
  @Query(() => RecognitionDecision, {
    nullable: true,
    description: "A recognition decision by hub ID; for the sending institution's staff and the learner.",
  })
  async recognitionDecision(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionDecision | null> {
    const record = await findDecision(context, id);
    return record && toDecision(record, context.institution);
  }
}
