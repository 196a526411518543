import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { LearningAgreementRef, RecognitionUnitRef } from '../../../schema/recognition/references';
import { AgreementRecognition, RecognitionDecision, TranscriptValidation } from '../../../schema/recognition/recognition';
import { ownLocalId } from '../../shared/local-id';
import type { RecognitionContext } from '../context';
import { RecognitionDecisionRecord, TranscriptValidationRecord } from '../validation/validation.entity';
import { toDecision, toValidation } from '../record/record.mapper';
import { mayReadRecord, requireRecordReader } from '../record/record.service';

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
    // Null alike for no validation and for one the caller may not read: a party to the mobility (the host) and a
    // stranger calling the shard directly learn nothing about the record.
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

/**
 * An agreement extended here holds nothing but the ID the caller gave: its `recognition` says what the caller
 * may see, so a signed-in caller always gets the reference, and anonymous callers are refused.
 */
export const resolveLearningAgreementReference = async (reference: { id: string }) => Object.assign(new LearningAgreementRef(), { id: reference.id });

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
