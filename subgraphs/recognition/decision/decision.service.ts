import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { answerUnderKey, recordAnswerUnderKey, type ArgumentKey } from '../../shared/idempotency/argument-key';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction, recordEvent } from '../../shared/outbox/outbox';
import { ownLocalId } from '../../shared/local-id';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { readableOrNull, requireCoordinator, requireRecordReader, unitDecisionsReadable } from '../access';
import type { RecognitionContext } from '../context';
import { decisionPoints, type HomeUnit } from '../accumulation/accumulation';
import { rebuildCredits } from '../accumulation/credits.service';
import { decisionTargets } from '../accumulation/targets';
import { qualificationsFromHub, type HubQualification } from '../hub';
import { TranscriptValidationRecord, type ValidatedUnit } from '../validation/validation.entity';
import { RecognitionDecisionRecord } from './decision.entity';
import type { RecognizeUnitsInput, ReviseRecognitionInput, UnitDecisionInput } from './decision.input';

const today = () => new Date().toISOString().slice(0, 10);

/** The outbox event of a decision, in its transaction: the learner and the sending institution may follow it. */
function decisionEvent(
  manager: EntityManager,
  context: RecognitionContext,
  decision: RecognitionDecisionRecord,
  type: string,
) {
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

function checkDecision(
  field: string,
  unit: ValidatedUnit,
  input: Pick<UnitDecisionInput, 'decision' | 'learningOutcomeIds' | 'reason'>,
): void {
  if (input.decision === RecognitionDecisionKind.REFUSED && !input.reason?.trim()) {
    throw new BadUserInputError(`${field}.reason is required when a unit is refused`, `${field}.reason`);
  }
  if (input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED) {
    if (input.learningOutcomeIds.length === 0) {
      throw new BadUserInputError(
        `${field}.learningOutcomeIds must name the outcomes recognised in a partial recognition`,
        `${field}.learningOutcomeIds`,
      );
    }
    const foreign = input.learningOutcomeIds.find((id) => !unit.agreedOutcomeIds.includes(id));
    if (foreign)
      throw new BadUserInputError(
        `${field}.learningOutcomeIds: ${foreign} is not an agreed learning outcome of unit ${unit.unitId}`,
        `${field}.learningOutcomeIds`,
      );
  }
  if (input.decision !== RecognitionDecisionKind.REFUSED && !unit.achieved) {
    throw new ConflictError(
      `${field}: the transcript reports unit ${unit.unitId} not achieved; it can only be refused`,
      { field: `${field}.decision` },
    );
  }
}

async function latestValidation(manager: EntityManager, agreementId: string): Promise<TranscriptValidationRecord> {
  const [validation] = await manager.find(TranscriptValidationRecord, {
    where: { agreementId },
    order: { transcriptVersion: 'DESC', validatedAt: 'DESC' },
    take: 1,
  });
  if (!validation)
    throw new ConflictError(`No recognition before validation: validate the transcript of ${agreementId} first`, {
      field: 'input.learningAgreementId',
    });
  return validation;
}

/**
 * The learner's home qualification with its units and their outcomes, read from its owner before the transaction:
 * the home units a decision credits are checked against it and credited at its points.
 */
async function homeQualificationOf(context: RecognitionContext, agreementId: string): Promise<HubQualification> {
  const qualificationId = (
    await context.db.dataSource.manager.find(TranscriptValidationRecord, {
      where: { agreementId },
      order: { validatedAt: 'DESC' },
      take: 1,
    })
  )[0]?.homeQualificationId;
  if (!qualificationId)
    throw new ConflictError(`No recognition before validation: validate the transcript of ${agreementId} first`, {
      field: 'input.learningAgreementId',
    });
  const home = (await qualificationsFromHub(context, [qualificationId])).get(qualificationId);
  if (!home) throw new ConflictError(`The home qualification ${qualificationId} cannot be read from its owner`);
  return home;
}

const unitsOf = (home: HubQualification): Map<string, HomeUnit> => new Map(home.units.map((u) => [u.id, u]));

const homeUnitsNamed = (home: HubQualification, ids: readonly string[]): HomeUnit[] =>
  home.units.filter((u) => ids.includes(u.id));

const hashOf = (input: RecognizeUnitsInput) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        input.learningAgreementId,
        input.decisions.map((d) => [
          d.unitId,
          d.decision,
          [...d.learningOutcomeIds].sort(),
          d.reason ?? null,
          ...(d.homeUnitIds || d.homeOutcomeIds || d.overrideReason
            ? [d.homeUnitIds ?? null, d.homeOutcomeIds ?? null, d.overrideReason ?? null]
            : []),
        ]),
      ]),
    )
    .digest('hex');

export async function recognizeUnits(
  context: RecognitionContext,
  input: RecognizeUnitsInput,
): Promise<RecognitionDecisionRecord[]> {
  const caller = requireCoordinator(context, 'decide on recognition');
  if (ownerOf(input.learningAgreementId) !== context.institution) {
    throw new ConflictError(
      `Only the sending institution decides; ${input.learningAgreementId} is not ${context.institution}'s`,
      { field: 'input.learningAgreementId' },
    );
  }
  if (input.idempotencyKey.trim() === '' || input.idempotencyKey.length > 150) {
    throw new BadUserInputError('input.idempotencyKey must be 1-150 characters', 'input.idempotencyKey');
  }
  if (input.decisions.length === 0)
    throw new BadUserInputError('input.decisions must hold at least one decision', 'input.decisions');
  // The key is the institution's: a retry by another of its coordinators gets the same answer.
  const claim: ArgumentKey = {
    scope: caller.institution,
    key: input.idempotencyKey,
    field: 'recognizeUnits',
    digest: hashOf(input),
    argument: 'input.idempotencyKey',
  };
  const home = await homeQualificationOf(context, input.learningAgreementId);
  return inTransaction(context, async (manager) => {
    const earlierIds = await answerUnderKey<string[]>(manager, claim);
    if (earlierIds) {
      // The same answer as the first time: its decisions in the order of the request, not the table's ID order.
      const found = new Map(
        (
          await manager.findBy(
            RecognitionDecisionRecord,
            earlierIds.map((id) => ({ id })),
          )
        ).map((d) => [d.id, d]),
      );
      return earlierIds.flatMap((id) => found.get(id) ?? []);
    }
    const validation = await latestValidation(manager, input.learningAgreementId);
    const decided: RecognitionDecisionRecord[] = [];
    // One act of deciding: every decision of the request carries the same instant (lists order them by unit).
    const decidedAt = new Date();
    for (const [index, item] of input.decisions.entries()) {
      const field = `input.decisions[${index}]`;
      const unit = validation.units.find((u) => u.unitId === item.unitId);
      if (!unit)
        throw new BadUserInputError(
          `${field}.unitId ${item.unitId} is not on the validated transcript`,
          `${field}.unitId`,
        );
      checkDecision(field, unit, item);
      const targets = decisionTargets(field, unit, item, home);
      if (
        await manager.existsBy(RecognitionDecisionRecord, {
          agreementId: input.learningAgreementId,
          unitId: item.unitId,
        })
      ) {
        throw new ConflictError(
          `${field}: unit ${item.unitId} is decided already; revise it with reviseRecognition and a reason`,
          { field: `${field}.unitId` },
        );
      }
      const decision = manager.create(RecognitionDecisionRecord, {
        id: `R-${randomUUID()}`,
        agreementId: input.learningAgreementId,
        learnerId: validation.learnerId,
        unitId: item.unitId,
        decision: item.decision,
        recognisedOutcomeIds:
          item.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED ? item.learningOutcomeIds : [],
        ecvetPoints: 0,
        reason: item.reason ?? null,
        decidedAt,
        history: [],
        ...targets,
      });
      decision.ecvetPoints = decisionPoints(decision, unitsOf(home));
      await manager.insert(RecognitionDecisionRecord, decision);
      await decisionEvent(manager, context, decision, 'RECOGNITION_DECIDED');
      await rebuildCredits(manager, validation.learnerId, home.id, homeUnitsNamed(home, targets.homeUnitIds), today());
      decided.push(decision);
    }
    await recordAnswerUnderKey(
      manager,
      claim,
      decided.map((d) => d.id),
    );
    await recordAudit(manager, context, caller, {
      action: 'recognizeUnits',
      entityId: input.learningAgreementId,
      input,
    });
    return decided;
  });
}

export async function reviseRecognition(
  context: RecognitionContext,
  id: string,
  input: ReviseRecognitionInput,
): Promise<RecognitionDecisionRecord> {
  const caller = requireCoordinator(context, 'revise recognition decisions');
  if (input.reason.trim() === '')
    throw new BadUserInputError('input.reason is required to revise a decision', 'input.reason');
  const localId = ownLocalId(context.institution, id);
  const read = async (manager: EntityManager) => {
    const found = localId === null ? null : await manager.findOneBy(RecognitionDecisionRecord, { id: localId });
    if (!found) throw new NotFoundError(`No recognition decision ${id} at ${context.institution}`, { field: 'id' });
    return found;
  };
  // The home qualification is read through the hub before the transaction, so no write waits on another shard.
  const home = await homeQualificationOf(context, (await read(context.db.dataSource.manager)).agreementId);
  return inTransaction(context, async (manager) => {
    const decision = await read(manager);
    const validation = await latestValidation(manager, decision.agreementId);
    const unit = validation.units.find((u) => u.unitId === decision.unitId) as ValidatedUnit;
    checkDecision('input', unit, input);
    // The revision's reason stands for an override too: a revision always says why.
    const targets = decisionTargets(
      'input',
      unit,
      { ...input, overrideReason: input.overrideReason ?? input.reason },
      home,
    );
    const before = decision.homeUnitIds ?? [decision.unitId];
    decision.history = [
      ...decision.history,
      {
        decision: decision.decision,
        ecvetPoints: decision.ecvetPoints,
        reason: decision.reason,
        decidedAt: decision.decidedAt.toISOString(),
        homeUnitIds: decision.homeUnitIds,
        homeOutcomeIds: decision.homeOutcomeIds,
      },
    ];
    Object.assign(decision, {
      decision: input.decision,
      recognisedOutcomeIds:
        input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED ? input.learningOutcomeIds : [],
      reason: input.reason,
      decidedAt: new Date(),
      ...targets,
    });
    decision.ecvetPoints = decisionPoints(decision, unitsOf(home));
    await manager.save(RecognitionDecisionRecord, decision);
    await decisionEvent(manager, context, decision, 'RECOGNITION_REVISED');
    await rebuildCredits(
      manager,
      decision.learnerId,
      home.id,
      homeUnitsNamed(home, [...new Set([...before, ...targets.homeUnitIds])]),
      today(),
    );
    await recordAudit(manager, context, caller, { action: 'reviseRecognition', entityId: id, input });
    return decision;
  });
}

/** A decision by hub ID, for the sending institution's staff and the learner; anyone else gets what an unknown ID gets. */
export function findDecision(context: RecognitionContext, id: string): Promise<RecognitionDecisionRecord | null> {
  // Neither the decision's existence nor its learner is told to anyone else.
  return readableOrNull(context, async () => {
    const localId = ownLocalId(context.institution, id);
    return localId === null
      ? null
      : context.db.dataSource.manager.findOneBy(RecognitionDecisionRecord, { id: localId });
  });
}

/** A decision for a client naming it by ID (a reference): FORBIDDEN unless the caller may read the learner's record. */
export async function requireDecision(
  context: RecognitionContext,
  id: string,
): Promise<RecognitionDecisionRecord | null> {
  const localId = ownLocalId(context.institution, id);
  const record =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(RecognitionDecisionRecord, { id: localId });
  if (record) requireRecordReader(context, record.learnerId);
  return record;
}

/** The decision an outbox event names, for the subscriber the event was filtered for. */
export function decisionOfEvent(
  context: RecognitionContext,
  event: OutboxEventRecord,
): Promise<RecognitionDecisionRecord> {
  const decisionId = ownLocalId(context.institution, event.subjectId);
  return context.db.dataSource.manager.findOneByOrFail(RecognitionDecisionRecord, { id: decisionId ?? '' });
}

/** `Unit.recognitions`: the decisions on the unit the caller may read, read with the page's other units. */
export async function decisionsOfUnit(
  context: RecognitionContext,
  unitId: string,
): Promise<RecognitionDecisionRecord[]> {
  if (unitDecisionsReadable(context) === 'none') return [];
  return context.loaders.decisionsOfUnit.load(unitId);
}
