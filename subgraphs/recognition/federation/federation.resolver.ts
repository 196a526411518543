import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { AgreementRecognition, RecognitionDecision } from '../../../schema/recognition/recognition';
import { LearningAgreementRef } from '../../../schema/recognition/references';
import type { RecognitionContext } from '../context';
import { toDecision, toValidation } from '../record/record.mapper';
import { mayReadRecord } from '../record/record.service';

/** `LearningAgreement.recognition`, answered by the sending institution's recognition shard. */
@Resolver(() => LearningAgreementRef)
export class AgreementRecognitionResolver {
  @FieldResolver(() => AgreementRecognition, {
    nullable: true,
    description:
      "The sending institution's validation and recognition decisions; null until it validated the transcript, and always null for anyone but the sending institution's staff and the learner (the hosting institution included).",
  })
  async recognition(@Root() agreement: LearningAgreementRef, @Ctx() context: RecognitionContext): Promise<AgreementRecognition | null> {
    const validation = await context.loaders.latestValidation.load(agreement.id);
    if (!validation || !mayReadRecord(context.caller, context, validation.learnerId)) return null;
    const decisions = await context.loaders.decisionsOfAgreement.load(agreement.id);
    return Object.assign(new AgreementRecognition(), {
      validation: toValidation(validation, context.institution),
      decisions: decisions.map((d) => toDecision(d, context.institution)),
    });
  }
}

/** `Unit.recognitions`: decisions on the unit by its own institution, the sending one in ECVET. */
@Resolver(() => RecognitionUnitRef)
export class UnitRecognitionsResolver {
  @FieldResolver(() => [RecognitionDecision], {
    description: "Recognition decisions on this unit by its institution: all of them for that institution's staff, a learner's own for a learner, none for others.",
  })
  async recognitions(@Root() unit: RecognitionUnitRef, @Ctx() context: RecognitionContext): Promise<RecognitionDecision[]> {
    const caller = context.caller;
    if (!caller) return [];
    const staff = caller.institution === context.institution && caller.roles.some((role) => role !== 'learner');
    if (!staff && !caller.learnerId) return [];
    return (await context.loaders.decisionsOfUnit.load(unit.id)).map((row) => toDecision(row, context.institution));
  }
}

export const resolveLearningAgreementReference = async (reference: { id: string }) => Object.assign(new LearningAgreementRef(), { id: reference.id });
export const resolveUnitReference = async (reference: { id: string }) => Object.assign(new RecognitionUnitRef(), { id: reference.id });
