import { createHash, randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { ownLocalId } from '../../shared/local-id';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { RecognitionRoute } from '../../../schema/recognition/routes';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { answerUnderKey, recordAnswerUnderKey, type ArgumentKey } from '../../shared/idempotency/argument-key';
import type { EntityManager } from 'typeorm';
import { inTransaction, recordEvent } from '../../shared/outbox/outbox';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { readableOrNull, requireCoordinator, requireRecordReader } from '../access';
import { decisionPoints } from '../accumulation/accumulation';
import { asCrediting, rebuildCredits } from '../accumulation/credits.service';
import type { RecognitionContext } from '../context';
import { askHub, qualificationsFromHub, type HubQualification } from '../hub';
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

/** What a request asks, without its key: a retry with the same key must ask the same. */
const hashOf = ({ idempotencyKey: _key, ...asked }: RecognizeHomeLearningInput) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        asked.learnerId,
        asked.route,
        asked.qualificationId,
        asked.sourceUnitId ?? null,
        asked.achievedAt,
        asked.evidence ?? null,
        asked.method ?? null,
        asked.assessorName ?? null,
        asked.decision,
        asked.homeUnitIds,
        asked.homeOutcomeIds,
        asked.reason ?? null,
      ]),
    )
    .digest('hex');

/**
 * A transfer is from within the home country: the source unit's institution must be in the home institution's
 * country (learning from abroad reaches the record through a mobility and its recognition).
 */
async function checkTransferSource(context: RecognitionContext, sourceUnitId: string): Promise<void> {
  const data = await askHub<{
    source: { institution: { id: string; country: string } } | null;
    home: { country: string } | null;
  }>(
    context,
    'the source unit and the home institution',
    'query($unit: ID!, $home: ID!) { source: unit(id: $unit) { institution { id country } } home: institution(id: $home) { country } }',
    { unit: sourceUnitId, home: context.institution },
  );
  if (!data.source)
    throw new BadUserInputError(
      `input.sourceUnitId ${sourceUnitId} is not a unit known to the hub`,
      'input.sourceUnitId',
    );
  const { institution } = data.source;
  if (institution.country !== data.home?.country)
    throw new BadUserInputError(
      `input.sourceUnitId must be a unit of an institution in the home country ${data.home?.country ?? '?'}: ` +
        `${sourceUnitId} is of ${institution.id} (${institution.country}); learning from abroad is recognised after a mobility`,
      'input.sourceUnitId',
    );
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
  if (transfer && input.sourceUnitId) await checkTransferSource(context, input.sourceUnitId);
  const { home, units } = await checkedHomeUnits(
    context,
    input.qualificationId,
    input.homeUnitIds,
    input.homeOutcomeIds,
  );
  // The key is the institution's: a retry by another of its staff gets the same answer.
  const claim: ArgumentKey = {
    scope: caller.institution,
    key: input.idempotencyKey,
    field: 'recognizeHomeLearning',
    digest: hashOf(input),
    argument: 'input.idempotencyKey',
  };
  return inTransaction(context, async (manager) => {
    const earlierId = await answerUnderKey<string>(manager, claim);
    if (earlierId) return manager.findOneByOrFail(RouteDecisionRecord, { id: earlierId });
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
    await recordAnswerUnderKey(manager, claim, record.id);
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
