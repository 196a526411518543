import { entityId } from '../../../schema/ids';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import {
  DecisionRevision,
  RecognitionDecision,
  RecognitionDecisionKind,
} from '../../../schema/recognition/recognition';
import type { RecognitionDecisionRecord } from './decision.entity';

/** A decision made before decisions named home units credited its own unit, unless refused. */
const creditedHomeUnits = (record: RecognitionDecisionRecord): string[] =>
  record.homeUnitIds ?? (record.decision === RecognitionDecisionKind.REFUSED ? [] : [record.unitId]);

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
    history: record.history.map((h) =>
      Object.assign(new DecisionRevision(), { ...h, homeUnitIds: h.homeUnitIds ?? null }),
    ),
    homeUnitIds: creditedHomeUnits(record),
    homeUnits: creditedHomeUnits(record).map((id) => ref(RecognitionUnitRef, id)),
    homeOutcomeIds: record.homeOutcomeIds ?? record.recognisedOutcomeIds,
    homeOutcomes: (record.homeOutcomeIds ?? record.recognisedOutcomeIds).map((id) => ref(LearningOutcomeRef, id)),
    overrideReason: record.overrideReason,
  });
}
