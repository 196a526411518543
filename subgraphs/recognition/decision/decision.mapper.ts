import { entityId } from '../../../schema/ids';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { DecisionRevision, RecognitionDecision } from '../../../schema/recognition/recognition';
import type { RecognitionDecisionRecord } from './decision.entity';

export function toDecision(record: RecognitionDecisionRecord, institution: string): RecognitionDecision {
  return Object.assign(new RecognitionDecision(), {
    id: entityId(institution, record.id),
    learningAgreementId: record.agreementId,
    learnerId: record.learnerId,
    unitId: record.unitId,
    unit: ref(RecognitionUnitRef, record.unitId),
    decision: record.decision,
    recognisedOutcomeIds: record.recognisedOutcomeIds,
    recognisedOutcomes: record.recognisedOutcomeIds.map((id) => ref(LearningOutcomeRef, id)),
    ecvetPoints: record.ecvetPoints,
    reason: record.reason,
    decidedAt: record.decidedAt.toISOString(),
    history: record.history.map((h) => Object.assign(new DecisionRevision(), h)),
  });
}
