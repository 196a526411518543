import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { RecognitionRoute } from '../../../schema/recognition/routes';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction } from '../../shared/outbox/outbox';
import { requireRecordReader } from '../access';
import { decisionPoints } from '../accumulation/accumulation';
import { asCrediting, rebuildCredits } from '../accumulation/credits.service';
import type { RecognitionContext } from '../context';
import { qualificationsFromHub } from '../hub';
import { RouteDecisionRecord } from './route-decision.entity';
import { validateHomeLearning, type RecognizeHomeLearningInput } from './route-decision.input';

const today = () => new Date().toISOString().slice(0, 10);

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
  const home = (await qualificationsFromHub(context, [input.qualificationId])).get(input.qualificationId);
  if (!home) throw new NotFoundError(`No qualification ${input.qualificationId}`, { field: 'input.qualificationId' });
  const units = input.homeUnitIds.map((id, index) => {
    const unit = home.units.find((u) => u.id === id);
    if (!unit)
      throw new BadUserInputError(
        `input.homeUnitIds[${index}] ${id} is not a unit of the qualification ${home.id}`,
        `input.homeUnitIds[${index}]`,
      );
    return unit;
  });
  const outcomes = new Set(units.flatMap((u) => u.learningOutcomes.map((o) => o.id)));
  input.homeOutcomeIds.forEach((id, index) => {
    if (!outcomes.has(id))
      throw new BadUserInputError(
        `input.homeOutcomeIds[${index}] ${id} is not a learning outcome of the units ${input.homeUnitIds.join(', ')}`,
        `input.homeOutcomeIds[${index}]`,
      );
  });
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
