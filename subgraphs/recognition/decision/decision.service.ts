import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { isLocalDate } from '../../../schema/scalars';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction, recordEvent } from '../../shared/outbox/outbox';
import { ownLocalId } from '../../shared/local-id';
import type { RecognitionContext } from '../context';
import { askHub } from '../hub';
import {
  CreditRecord,
  IdempotentRequestRecord,
  RecognitionDecisionRecord,
  TranscriptValidationRecord,
  type ValidatedUnit,
} from '../validation/validation.entity';
import type { HomeCreditInput, RecognizeUnitsInput, ReviseRecognitionInput, UnitDecisionInput } from './decision.input';

const today = () => new Date().toISOString().slice(0, 10);

/** The outbox event of a decision, in its transaction: the learner and the sending institution may follow it. */
function decisionEvent(manager: EntityManager, context: RecognitionContext, decision: RecognitionDecisionRecord, type: string) {
  return recordEvent(manager, {
    type,
    subjectId: `${context.institution}:${decision.id}`,
    learningAgreementId: decision.agreementId,
    sendingInstitution: context.institution,
    // Recognition is the sending institution's business: the host follows the mobility, not the decision.
    hostingInstitution: '',
    learnerId: decision.learnerId,
  });
}

/** Points a decision credits: all for a recognised unit, a share by outcomes for a partial one, none when refused. */
export function creditedPoints(unit: ValidatedUnit, decision: RecognitionDecisionKind, outcomes: readonly string[]): number {
  if (decision === RecognitionDecisionKind.REFUSED) return 0;
  if (decision === RecognitionDecisionKind.RECOGNISED) return unit.agreedEcvetPoints;
  const share = unit.agreedOutcomeIds.length === 0 ? 0 : outcomes.length / unit.agreedOutcomeIds.length;
  return Math.round(unit.agreedEcvetPoints * share * 100) / 100;
}

function checkDecision(field: string, unit: ValidatedUnit, input: Pick<UnitDecisionInput, 'decision' | 'learningOutcomeIds' | 'reason'>): void {
  if (input.decision === RecognitionDecisionKind.REFUSED && !input.reason?.trim()) {
    throw new BadUserInputError(`${field}.reason is required when a unit is refused`, `${field}.reason`);
  }
  if (input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED) {
    if (input.learningOutcomeIds.length === 0) {
      throw new BadUserInputError(`${field}.learningOutcomeIds must name the outcomes recognised in a partial recognition`, `${field}.learningOutcomeIds`);
    }
    const foreign = input.learningOutcomeIds.find((id) => !unit.agreedOutcomeIds.includes(id));
    if (foreign) throw new BadUserInputError(`${field}.learningOutcomeIds: ${foreign} is not an agreed learning outcome of unit ${unit.unitId}`, `${field}.learningOutcomeIds`);
  }
  if (input.decision !== RecognitionDecisionKind.REFUSED && !unit.achieved) {
    throw new ConflictError(`${field}: the transcript reports unit ${unit.unitId} not achieved; it can only be refused`, { field: `${field}.decision` });
  }
}

async function latestValidation(manager: EntityManager, agreementId: string): Promise<TranscriptValidationRecord> {
  const [validation] = await manager.find(TranscriptValidationRecord, { where: { agreementId }, order: { transcriptVersion: 'DESC', validatedAt: 'DESC' }, take: 1 });
  if (!validation) throw new ConflictError(`No recognition before validation: validate the transcript of ${agreementId} first`, { field: 'input.learningAgreementId' });
  return validation;
}

const hashOf = (input: RecognizeUnitsInput) =>
  createHash('sha256').update(JSON.stringify([input.learningAgreementId, input.decisions.map((d) => [d.unitId, d.decision, [...d.learningOutcomeIds].sort(), d.reason ?? null])])).digest('hex');

export async function recognizeUnits(context: RecognitionContext, input: RecognizeUnitsInput): Promise<RecognitionDecisionRecord[]> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'decide on recognition');
  if (ownerOf(input.learningAgreementId) !== context.institution) {
    throw new ConflictError(`Only the sending institution decides; ${input.learningAgreementId} is not ${context.institution}'s`, { field: 'input.learningAgreementId' });
  }
  if (input.idempotencyKey.trim() === '' || input.idempotencyKey.length > 150) {
    throw new BadUserInputError('input.idempotencyKey must be 1-150 characters', 'input.idempotencyKey');
  }
  if (input.decisions.length === 0) throw new BadUserInputError('input.decisions must hold at least one decision', 'input.decisions');
  const key = `recognizeUnits:${caller.institution}:${input.idempotencyKey}`;
  const requestHash = hashOf(input);
  return inTransaction(context, async (manager) => {
    const earlier = await manager.findOneBy(IdempotentRequestRecord, { key });
    if (earlier) {
      if (earlier.requestHash !== requestHash) {
        throw new ConflictError(`input.idempotencyKey "${input.idempotencyKey}" was used for a different request`, { field: 'input.idempotencyKey' });
      }
      // The same answer as the first time: its decisions in the order of the request, not the table's ID order.
      const found = new Map((await manager.findBy(RecognitionDecisionRecord, earlier.resultIds.map((id) => ({ id })))).map((d) => [d.id, d]));
      return earlier.resultIds.flatMap((id) => found.get(id) ?? []);
    }
    const validation = await latestValidation(manager, input.learningAgreementId);
    const decided: RecognitionDecisionRecord[] = [];
    // One act of deciding: every decision of the request carries the same instant (lists order them by unit).
    const decidedAt = new Date();
    for (const [index, item] of input.decisions.entries()) {
      const field = `input.decisions[${index}]`;
      const unit = validation.units.find((u) => u.unitId === item.unitId);
      if (!unit) throw new BadUserInputError(`${field}.unitId ${item.unitId} is not on the validated transcript`, `${field}.unitId`);
      checkDecision(field, unit, item);
      if (await manager.existsBy(RecognitionDecisionRecord, { agreementId: input.learningAgreementId, unitId: item.unitId })) {
        throw new ConflictError(`${field}: unit ${item.unitId} is decided already; revise it with reviseRecognition and a reason`, { field: `${field}.unitId` });
      }
      const points = creditedPoints(unit, item.decision, item.learningOutcomeIds);
      if (points > 0 && (await manager.existsBy(CreditRecord, { learnerId: validation.learnerId, unitId: item.unitId }))) {
        throw new ConflictError(`${field}: unit ${item.unitId} is credited to ${validation.learnerId} already; a unit is never credited twice`, { field: `${field}.unitId` });
      }
      const decision = manager.create(RecognitionDecisionRecord, {
        id: `R-${randomUUID()}`,
        agreementId: input.learningAgreementId,
        learnerId: validation.learnerId,
        unitId: item.unitId,
        decision: item.decision,
        recognisedOutcomeIds: item.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED ? item.learningOutcomeIds : [],
        ecvetPoints: points,
        reason: item.reason ?? null,
        decidedAt,
        history: [],
      });
      await manager.insert(RecognitionDecisionRecord, decision);
      await decisionEvent(manager, context, decision, 'RECOGNITION_DECIDED');
      if (points > 0) {
        await manager.insert(CreditRecord, {
          learnerId: validation.learnerId,
          unitId: item.unitId,
          qualificationId: validation.homeQualificationId,
          ecvetPoints: points,
          source: 'ABROAD',
          creditedOn: today(),
          decisionId: decision.id,
        });
      }
      decided.push(decision);
    }
    await manager.insert(IdempotentRequestRecord, { key, requestHash, resultIds: decided.map((d) => d.id), createdAt: new Date() });
    await recordAudit(manager, context, caller, { action: 'recognizeUnits', entityId: input.learningAgreementId, input });
    return decided;
  });
}

export async function reviseRecognition(context: RecognitionContext, id: string, input: ReviseRecognitionInput): Promise<RecognitionDecisionRecord> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'revise recognition decisions');
  if (input.reason.trim() === '') throw new BadUserInputError('input.reason is required to revise a decision', 'input.reason');
  return inTransaction(context, async (manager) => {
    const localId = ownLocalId(context.institution, id);
    const decision = localId === null ? null : await manager.findOneBy(RecognitionDecisionRecord, { id: localId });
    if (!decision) throw new NotFoundError(`No recognition decision ${id} at ${context.institution}`, { field: 'id' });
    const validation = await latestValidation(manager, decision.agreementId);
    const unit = validation.units.find((u) => u.unitId === decision.unitId) as ValidatedUnit;
    checkDecision('input', unit, input);
    const points = creditedPoints(unit, input.decision, input.learningOutcomeIds);
    decision.history = [
      ...decision.history,
      { decision: decision.decision, ecvetPoints: decision.ecvetPoints, reason: decision.reason, decidedAt: decision.decidedAt.toISOString() },
    ];
    Object.assign(decision, {
      decision: input.decision,
      recognisedOutcomeIds: input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED ? input.learningOutcomeIds : [],
      ecvetPoints: points,
      reason: input.reason,
      decidedAt: new Date(),
    });
    await manager.save(RecognitionDecisionRecord, decision);
    await decisionEvent(manager, context, decision, 'RECOGNITION_REVISED');
    await manager.delete(CreditRecord, { learnerId: decision.learnerId, unitId: decision.unitId, decisionId: decision.id });
    if (points > 0) {
      if (await manager.existsBy(CreditRecord, { learnerId: decision.learnerId, unitId: decision.unitId })) {
        throw new ConflictError(`Unit ${decision.unitId} is credited to ${decision.learnerId} already; a unit is never credited twice`);
      }
      await manager.insert(CreditRecord, {
        learnerId: decision.learnerId,
        unitId: decision.unitId,
        qualificationId: validation.homeQualificationId,
        ecvetPoints: points,
        source: 'ABROAD',
        creditedOn: today(),
        decisionId: decision.id,
      });
    }
    await recordAudit(manager, context, caller, { action: 'reviseRecognition', entityId: id, input });
    return decision;
  });
}

export async function recordHomeCredit(context: RecognitionContext, input: HomeCreditInput): Promise<CreditRecord> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'credit units achieved at home');
  if (ownerOf(input.unitId) !== context.institution || !input.unitId.includes(':')) {
    throw new BadUserInputError(`input.unitId must be a unit of ${context.institution}`, 'input.unitId');
  }
  if (!isLocalDate(input.achievedOn)) throw new BadUserInputError('input.achievedOn must be a date written YYYY-MM-DD', 'input.achievedOn');
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
      throw new ConflictError(`Unit ${input.unitId} is credited to ${input.learnerId} already; a unit is never credited twice`, { field: 'input.unitId' });
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

