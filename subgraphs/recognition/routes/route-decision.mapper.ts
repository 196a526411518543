import { entityId } from '../../../schema/ids';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { DecisionRevision } from '../../../schema/recognition/recognition';
import { HomeRecognitionDecision, RecognitionRoute } from '../../../schema/recognition/routes';
import type { RouteDecisionRecord } from './route-decision.entity';

export function toHomeRecognition(record: RouteDecisionRecord, institution: string): HomeRecognitionDecision {
  return Object.assign(new HomeRecognitionDecision(), {
    id: entityId(institution, record.id),
    learnerId: record.learnerId,
    route: record.route === 'TRANSFER' ? RecognitionRoute.TRANSFER : RecognitionRoute.PRIOR_LEARNING,
    qualificationId: record.qualificationId,
    sourceUnitId: record.sourceUnitId,
    sourceUnit: record.sourceUnitId ? ref(RecognitionUnitRef, record.sourceUnitId) : null,
    achievedAt: record.achievedAt,
    evidence: record.evidence,
    method: record.method,
    assessorName: record.assessorName,
    decision: record.decision,
    homeUnitIds: record.homeUnitIds,
    homeUnits: record.homeUnitIds.map((id) => ref(RecognitionUnitRef, id)),
    homeOutcomeIds: record.homeOutcomeIds,
    homeOutcomes: record.homeOutcomeIds.map((id) => ref(LearningOutcomeRef, id)),
    ecvetPoints: record.ecvetPoints,
    reason: record.reason,
    decidedAt: record.decidedAt.toISOString(),
    history: record.history.map((h) =>
      Object.assign(new DecisionRevision(), { ...h, homeUnitIds: h.homeUnitIds ?? null }),
    ),
  });
}
