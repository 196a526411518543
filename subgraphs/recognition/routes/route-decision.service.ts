import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { ownLocalId } from '../../shared/local-id';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { RecognitionRoute } from '../../../schema/recognition/routes';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import type { EntityManager } from 'typeorm';
import { inTransaction, recordEvent } from '../../shared/outbox/outbox';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { readableOrNull, requireCoordinator, requireRecordReader } from '../access';
import { decisionPoints } from '../accumulation/accumulation';
import { asCrediting, rebuildCredits } from '../accumulation/credits.service';
import type { RecognitionContext } from '../context';
import { qualificationsFromHub, type HubQualification } from '../hub';
import { RouteDecisionRecord } from './route-decision.entity';
import {
  validateHomeLearning,
  type RecognizeHomeLearningInput,
  type ReviseHomeRecognitionInput,
} from './route-decision.input';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The outbox event of a route decision, in its transaction: the learner and the home institution may follow it, as
 * they follow recognition after a mobility. There is no agreement: a filter on one leaves these events out.
 */
function homeRecognitionEvent(
  manager: EntityManager,
  context: RecognitionContext,
  record: RouteDecisionRecord,
  type: 'HOME_RECOGNITION_DECIDED' | 'HOME_RECOGNITION_REVISED',
) {
  return recordEvent(manager, {
    type,
    subjectId: entityId(context.institution, record.id),
    learningAgreementId: '',
    sendingInstitution: context.institution,
    hostingInstitution: '',
    learnerId: record.learnerId,
  });
}

/** The qualification through the hub, and the named units and outcomes checked against it. */
async function checkedHomeUnits(
  context: RecognitionContext,
  qualificationId: string,
  homeUnitIds: readonly string[],
  homeOutcomeIds: readonly string[],
): Promise<{ home: HubQualification; units: HubQualification['units'] }> {
  const home = (await qualificationsFromHub(context, [qualificationId])).get(qualificationId);
  if (!home) throw new NotFoundError(`No qualification ${qualificationId}`, { field: 'input.qualificationId' });
  const units = homeUnitIds.map((id, index) => {
    const unit = home.units.find((u) => u.id === id);
    if (!unit)
      throw new BadUserInputError(
        `input.homeUnitIds[${index}] ${id} is not a unit of the qualification ${home.id}`,
        `input.homeUnitIds[${index}]`,
      );
    return unit;
  });
  const outcomes = new Set(units.flatMap((u) => u.learningOutcomes.map((o) => o.id)));
  homeOutcomeIds.forEach((id, index) => {
    if (!outcomes.has(id))
      throw new BadUserInputError(
        `input.homeOutcomeIds[${index}] ${id} is not a learning outcome of the units ${homeUnitIds.join(', ')}`,
        `input.homeOutcomeIds[${index}]`,
      );
  });
  return { home, units };
}

/**
 * Credits home units achieved by transfer (a coordinator decides) or validated from prior learning (an assessor
 * assesses the outcomes, with evidence and a method): the same kinds of decision as after a mobility, credited the
 * same way (a home unit credited by several decisions counts once).
 */
export async function recognizeHomeLearning(
  context: RecognitionContext,
  input: RecognizeHomeLearningInput,
): Promise<RouteDecisionRecord> {
  const transfer = input.route === RecognitionRoute.TRANSFER;
  const caller = requireStaffRole(
    context,
    context.institution,
    transfer ? 'coordinator' : 'assessor',
    transfer ? 'decide on transfers' : 'validate prior learning',
  );
  if (ownerOf(input.learnerId) !== context.institution || !input.learnerId.includes(':'))
    throw new BadUserInputError(`input.learnerId must be a learner of ${context.institution}`, 'input.learnerId');
  if (ownerOf(input.qualificationId) !== context.institution)
    throw new BadUserInputError(
      `input.qualificationId must be a qualification of ${context.institution}`,
      'input.qualificationId',
    );
  validateHomeLearning(input);
  const { home, units } = await checkedHomeUnits(
    context,
    input.qualificationId,
    input.homeUnitIds,
    input.homeOutcomeIds,
  );
  return inTransaction(context, async (manager) => {
    const refused = input.decision === RecognitionDecisionKind.REFUSED;
    const record = manager.create(RouteDecisionRecord, {
      id: `P-${randomUUID()}`,
      learnerId: input.learnerId,
      route: input.route,
      qualificationId: home.id,
      sourceUnitId: input.sourceUnitId ?? null,
      achievedAt: input.achievedAt,
      evidence: input.evidence ?? null,
      method: input.method ?? null,
      assessorName: input.assessorName ?? null,
      decision: input.decision,
      homeUnitIds: refused ? [] : input.homeUnitIds,
      homeOutcomeIds: refused ? [] : input.homeOutcomeIds,
      ecvetPoints: 0,
      reason: input.reason ?? null,
      decidedAt: new Date(),
      history: [],
    });
    record.ecvetPoints = decisionPoints(asCrediting(record), new Map(home.units.map((u) => [u.id, u])));
    await manager.insert(RouteDecisionRecord, record);
    await homeRecognitionEvent(manager, context, record, 'HOME_RECOGNITION_DECIDED');
    await rebuildCredits(manager, input.learnerId, home.id, units, today());
    await recordAudit(manager, context, caller, {
      action: 'recognizeHomeLearning',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return record;
  });
}

/** A learner's route decisions, oldest first, for whoever may read the learner's record. */
export async function routeDecisionsOf(context: RecognitionContext, learnerId: string): Promise<RouteDecisionRecord[]> {
  requireRecordReader(context, learnerId);
  return context.db.dataSource.manager.find(RouteDecisionRecord, {
    where: { learnerId },
    order: { decidedAt: 'ASC', id: 'ASC' },
  });
}

/** Revises a transfer or prior-learning decision (coordinators), with a reason; its credits follow. */
export async function reviseHomeRecognition(
  context: RecognitionContext,
  id: string,
  input: ReviseHomeRecognitionInput,
): Promise<RouteDecisionRecord> {
  const caller = requireCoordinator(context, 'revise recognition decisions');
  if (input.reason.trim() === '')
    throw new BadUserInputError('input.reason is required to revise a decision', 'input.reason');
  const localId = ownLocalId(context.institution, id);
  const found =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(RouteDecisionRecord, { id: localId });
  if (!found) throw new NotFoundError(`No recognition decision ${id} at ${context.institution}`, { field: 'id' });
  const homeUnitIds = input.homeUnitIds ?? (found.homeUnitIds.length > 0 ? found.homeUnitIds : []);
  if (input.decision !== RecognitionDecisionKind.REFUSED && homeUnitIds.length === 0)
    throw new BadUserInputError('input.homeUnitIds must name at least one unit', 'input.homeUnitIds');
  if (input.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED && input.homeOutcomeIds.length === 0)
    throw new BadUserInputError(
      'input.homeOutcomeIds must name the learning outcomes a partial recognition credits',
      'input.homeOutcomeIds',
    );
  const { home, units } = await checkedHomeUnits(context, found.qualificationId, homeUnitIds, input.homeOutcomeIds);
  return inTransaction(context, async (manager) => {
    const record = await manager.findOneByOrFail(RouteDecisionRecord, { id: found.id });
    const before = home.units.filter((u) => record.homeUnitIds.includes(u.id));
    const refused = input.decision === RecognitionDecisionKind.REFUSED;
    record.history = [
      ...record.history,
      {
        decision: record.decision,
        ecvetPoints: record.ecvetPoints,
        reason: record.reason,
        decidedAt: record.decidedAt.toISOString(),
        homeUnitIds: record.homeUnitIds,
        homeOutcomeIds: record.homeOutcomeIds,
      },
    ];
    Object.assign(record, {
      decision: input.decision,
      homeUnitIds: refused ? [] : homeUnitIds,
      homeOutcomeIds: refused ? [] : input.homeOutcomeIds,
      reason: input.reason,
      decidedAt: new Date(),
    });
    record.ecvetPoints = decisionPoints(asCrediting(record), new Map(home.units.map((u) => [u.id, u])));
    await manager.save(RouteDecisionRecord, record);
    await homeRecognitionEvent(manager, context, record, 'HOME_RECOGNITION_REVISED');
    await rebuildCredits(manager, record.learnerId, home.id, [...new Set([...before, ...units])], today());
    await recordAudit(manager, context, caller, { action: 'reviseHomeRecognition', entityId: id, input });
    return record;
  });
}

/** A route decision by hub ID, or null alike when there is none and when the caller may not read it. */
export function findRouteDecision(context: RecognitionContext, id: string): Promise<RouteDecisionRecord | null> {
  return readableOrNull(context, async () => {
    const localId = ownLocalId(context.institution, id);
    return localId === null ? null : context.db.dataSource.manager.findOneBy(RouteDecisionRecord, { id: localId });
  });
}

/** The route decision an outbox event names, as it is now. */
export function routeDecisionOfEvent(
  context: RecognitionContext,
  event: OutboxEventRecord,
): Promise<RouteDecisionRecord> {
  const localId = ownLocalId(context.institution, event.subjectId);
  return context.db.dataSource.manager.findOneByOrFail(RouteDecisionRecord, { id: localId ?? '' });
}
