import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { LearningAgreementRef, RecognitionUnitRef } from '../../../schema/recognition/references';
import { AgreementRecognition, RecognitionDecision } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toDecision } from '../decision/decision.mapper';
import { decisionsOfUnit } from '../decision/decision.service';
import { agreementRecognition } from '../record/record.service';
import { toValidation } from '../validation/validation.mapper';

/** `LearningAgreement.recognition`, answered by the sending institution's recognition shard. */
@Resolver(() => LearningAgreementRef)
export class AgreementRecognitionResolver {
  @FieldResolver(() => AgreementRecognition, {
    nullable: true,
    description:
      "The sending institution's validation and recognition decisions; null until it validated the transcript, and always null for anyone but the sending institution's staff and the learner (the hosting institution included); also null when the sending institution's recognition shard cannot answer (an error names the institution).",
  })
  async recognition(
    @Root() agreement: LearningAgreementRef,
    @Ctx() context: RecognitionContext,
  ): Promise<AgreementRecognition | null> {
    const recognition = await agreementRecognition(context, agreement.id);
    if (!recognition) return null;
    return Object.assign(new AgreementRecognition(), {
      validation: toValidation(recognition.validation, context.institution),
      decisions: recognition.decisions.map((d) => toDecision(d, context.institution)),
    });
  }
}

/** `Unit.recognitions`: decisions on the unit by its own institution, the sending one in ECVET. */
@Resolver(() => RecognitionUnitRef)
export class UnitRecognitionsResolver {
  @FieldResolver(() => [RecognitionDecision], {
    nullable: true,
    description:
      "Recognition decisions on this unit by its institution: all of them for that institution's staff, a learner's own for a learner, none for others. " +
      "Null when that institution's recognition shard cannot answer (an error names the institution): the unit itself still arrives.",
  })
  async recognitions(
    @Root() unit: RecognitionUnitRef,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionDecision[]> {
    return (await decisionsOfUnit(context, unit.id)).map((row) => toDecision(row, context.institution));
  }
}
