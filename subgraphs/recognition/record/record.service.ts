import { GraphQLError } from 'graphql';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { isLocalDate } from '../../../schema/scalars';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction } from '../../shared/outbox/outbox';
import { mayReadRecord, requireCoordinator, requireRecordReader } from '../access';
import { CertificateRecord } from '../certificate/certificate.entity';
import type { RecognitionContext } from '../context';
import { RecognitionDecisionRecord } from '../decision/decision.entity';
import { askHub, qualificationsFromHub, type HubQualification } from '../hub';
import { TranscriptValidationRecord } from '../validation/validation.entity';
import { CreditRecord } from './credit.entity';
import type { CreditingDecision } from '../accumulation/accumulation';
import { creditingDecisions } from '../accumulation/credits.service';
import type { HomeCreditInput } from './record.input';

export interface LearnerRecordData {
  credits: CreditRecord[];
  decisions: RecognitionDecisionRecord[];
  certificates: CertificateRecord[];
  /** Every decision that may credit home units (after mobilities, by transfer, from prior learning). */
  crediting: CreditingDecision[];
  qualifications: Map<string, HubQualification>;
  /** Why the qualifications could not be read through the hub (their owner's shard is down, say); null when they were. */
  qualificationsUnreadable: string | null;
}

/** A learner's credits, decisions and certificates, with the qualifications they count towards as their owners publish them. */
export async function loadLearnerRecord(context: RecognitionContext, learnerId: string): Promise<LearnerRecordData> {
  requireRecordReader(context, learnerId);
  const manager = context.db.dataSource.manager;
  const [credits, decisions, certificates, validations, crediting] = await Promise.all([
    manager.find(CreditRecord, { where: { learnerId }, order: { creditedOn: 'ASC', unitId: 'ASC' } }),
    manager.find(RecognitionDecisionRecord, { where: { learnerId }, order: { decidedAt: 'ASC', unitId: 'ASC' } }),
    manager.find(CertificateRecord, { where: { learnerId }, order: { issuedAt: 'ASC' } }),
    manager.find(TranscriptValidationRecord, { where: { learnerId } }),
    creditingDecisions(manager, learnerId),
  ]);
  const qualificationIds = [
    ...new Set([...credits.map((c) => c.qualificationId), ...validations.map((v) => v.homeQualificationId)]),
  ];
  // The learner's own credits, decisions and certificates are this shard's: an outage of the qualifications'
  // owner costs only the figures read from it.
  try {
    return {
      credits,
      decisions,
      certificates,
      crediting,
      qualifications: await qualificationsFromHub(context, qualificationIds),
      qualificationsUnreadable: null,
    };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return {
      credits,
      decisions,
      certificates,
      crediting,
      qualifications: new Map(),
      qualificationsUnreadable: error.message,
    };
  }
}

/**
 * `LearningAgreement.recognition`: the latest validation and the decisions, read with the page's other agreements.
 * Null alike for no validation and for one the caller may not read: a party to the mobility (the host) and a
 * stranger calling the shard directly learn nothing about the record.
 */
export async function agreementRecognition(
  context: RecognitionContext,
  agreementId: string,
): Promise<{ validation: TranscriptValidationRecord; decisions: RecognitionDecisionRecord[] } | null> {
  const validation = await context.loaders.latestValidation.load(agreementId);
  if (!validation || !mayReadRecord(context, validation.learnerId)) return null;
  return { validation, decisions: await context.loaders.decisionsOfAgreement.load(agreementId) };
}

/** Credits a unit the learner achieved at home, at its points as the unit's qualification states them. */
export async function recordHomeCredit(context: RecognitionContext, input: HomeCreditInput): Promise<CreditRecord> {
  const caller = requireCoordinator(context, 'credit units achieved at home');
  if (ownerOf(input.unitId) !== context.institution || !input.unitId.includes(':')) {
    throw new BadUserInputError(`input.unitId must be a unit of ${context.institution}`, 'input.unitId');
  }
  if (!isLocalDate(input.achievedOn))
    throw new BadUserInputError('input.achievedOn must be a date written YYYY-MM-DD', 'input.achievedOn');
  const data = await askHub<{ unit: { ecvetPoints: number; qualification: { id: string } } | null }>(
    context,
    `unit ${input.unitId}`,
    'query($id: ID!) { unit(id: $id) { ecvetPoints qualification { id } } }',
    { id: input.unitId },
  );
  if (!data.unit) throw new NotFoundError(`No unit ${input.unitId}`, { field: 'input.unitId' });
  const unit = data.unit;
  return inTransaction(context, async (manager) => {
    if (await manager.existsBy(CreditRecord, { learnerId: input.learnerId, unitId: input.unitId })) {
      throw new ConflictError(
        `Unit ${input.unitId} is credited to ${input.learnerId} already; a unit is never credited twice`,
        { field: 'input.unitId' },
      );
    }
    const credit = manager.create(CreditRecord, {
      learnerId: input.learnerId,
      unitId: input.unitId,
      qualificationId: unit.qualification.id,
      ecvetPoints: unit.ecvetPoints,
      source: 'HOME',
      creditedOn: input.achievedOn,
      decisionId: null,
    });
    await manager.insert(CreditRecord, credit);
    await recordAudit(manager, context, caller, { action: 'recordHomeCredit', entityId: input.learnerId, input });
    return credit;
  });
}
