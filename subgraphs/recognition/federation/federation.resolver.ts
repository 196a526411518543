import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { AgreementRecognition, RecognitionDecision, TranscriptValidation } from '../../../schema/recognition/recognition';
import { requireCaller } from '../../shared/access';
import { ownLocalId } from '../../shared/local-id';
import { RecognitionDecisionRecord, TranscriptValidationRecord } from '../validation/validation.entity';
import { LearningAgreementRef } from '../../../schema/recognition/references';
import type { RecognitionContext } from '../context';
import { toDecision, toValidation } from '../record/record.mapper';
import { requireRecordReader } from '../record/record.service';

/** `LearningAgreement.recognition`, answered by the sending institution's recognition shard. */
@Resolver(() => LearningAgreementRef)
export class AgreementRecognitionResolver {
  @FieldResolver(() => AgreementRecognition, {
    nullable: true,
    description: "The sending institution's validation and recognition decisions; null until it validated the transcript. For the sending institution and the learner.",
  })
  async recognition(@Root() agreement: LearningAgreementRef, @Ctx() context: RecognitionContext): Promise<AgreementRecognition | null> {
    const validation = await context.loaders.latestValidation.load(agreement.id);
    if (!validation) return null;
    requireRecordReader(context, validation.learnerId);
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

/**
 * An agreement as this shard knows it: once validated, its record's readers (the sending institution's staff
 * and the learner) reach it; before that, only the staff, since the shard cannot tell whose agreement it is.
 * Anyone else cannot tell a validated agreement from one that is not, or from none.
 */
export async function resolveLearningAgreementReference(reference: { id: string }, context: RecognitionContext): Promise<LearningAgreementRef | null> {
  const validation = await context.loaders.latestValidation.load(reference.id);
  if (validation) {
    requireRecordReader(context, validation.learnerId);
  } else {
    const caller = requireCaller(context);
    if (caller.institution !== context.institution || !caller.roles.some((role) => role !== 'learner')) return null;
  }
  return Object.assign(new LearningAgreementRef(), { id: reference.id });
}

export async function resolveValidationReference(reference: { id: string }, context: RecognitionContext): Promise<TranscriptValidation | null> {
  const localId = ownLocalId(context.institution, reference.id);
  const record = localId === null ? null : await context.db.dataSource.manager.findOneBy(TranscriptValidationRecord, { id: localId });
  if (!record) return null;
  requireRecordReader(context, record.learnerId);
  return toValidation(record, context.institution);
}

export async function resolveDecisionReference(reference: { id: string }, context: RecognitionContext): Promise<RecognitionDecision | null> {
  const localId = ownLocalId(context.institution, reference.id);
  const record = localId === null ? null : await context.db.dataSource.manager.findOneBy(RecognitionDecisionRecord, { id: localId });
  if (!record) return null;
  requireRecordReader(context, record.learnerId);
  return toDecision(record, context.institution);
}
export const resolveUnitReference = async (reference: { id: string }) => Object.assign(new RecognitionUnitRef(), { id: reference.id });
