import { Arg, Ctx, Directive, ID, Mutation, Resolver } from 'type-graphql';
import { TranscriptValidation } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toValidation } from './validation.mapper';
import { validateTranscript } from './validation.service';

@Resolver()
export class ValidationResolver {
  @Directive('@owner(argument: "learningAgreementId")')
  @Mutation(() => TranscriptValidation, {
    description:
      "Checks the issued transcript against the agreement version it refers to and stores the findings (sending institution's coordinators).",
  })
  async validateTranscript(
    @Arg('learningAgreementId', () => ID, { description: 'Hub ID of the learning agreement.' })
    learningAgreementId: string,
    @Ctx() context: RecognitionContext,
  ): Promise<TranscriptValidation> {
    return toValidation(await validateTranscript(context, learningAgreementId), context.institution);
  }
}
