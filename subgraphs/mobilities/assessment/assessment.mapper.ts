import { entityId } from '../../../schema/ids';
import {
  Assessment,
  AssessmentRevision,
  OutcomeResult,
  Transcript,
  TranscriptEntry,
} from '../../../schema/mobility/assessment';
import { LearningOutcomeRef, ref, UnitRef } from '../../../schema/mobility/references';
import { toAgreedGradingScale, toOutcomeCriteria } from '../grading/grading.content';
import type { AssessmentRecord, StoredOutcomeResult, TranscriptRecord } from './assessment.entity';

const outcomeResults = (results: StoredOutcomeResult[]) =>
  results.map((o) =>
    Object.assign(new OutcomeResult(), {
      learningOutcomeId: o.learningOutcomeId,
      learningOutcome: ref(LearningOutcomeRef, o.learningOutcomeId),
      result: o.result,
      evidence: o.evidence ?? null,
    }),
  );

export function toAssessment(record: AssessmentRecord, sending: string): Assessment {
  return Object.assign(new Assessment(), {
    id: entityId(sending, record.id),
    learningAgreementId: entityId(sending, record.agreementId),
    unitId: record.unitId,
    unit: ref(UnitRef, record.unitId),
    result: record.result,
    grade: record.grade,
    method: record.method,
    assessorName: record.assessorName,
    assessedOn: record.assessedOn,
    evidence: record.evidence,
    outcomeResults: outcomeResults(record.outcomeResults),
    ecvetPoints: record.ecvetPoints,
    revision: record.revision,
    history: record.history.map((h) => Object.assign(new AssessmentRevision(), h)),
  });
}

export function toTranscript(record: TranscriptRecord, sending: string): Transcript {
  return Object.assign(new Transcript(), {
    id: entityId(sending, record.id),
    learningAgreementId: entityId(sending, record.agreementId),
    version: record.version,
    agreementVersion: record.agreementVersion,
    current: record.current,
    issuedAt: record.issuedAt.toISOString(),
    issuedBy: record.issuedBy,
    entries: record.entries.map((e) =>
      Object.assign(new TranscriptEntry(), {
        unitId: e.unitId,
        unit: ref(UnitRef, e.unitId),
        result: e.result,
        grade: e.grade,
        assessedOn: e.assessedOn,
        ecvetPoints: e.ecvetPoints,
        outcomeResults: outcomeResults(e.outcomeResults),
        gradingScale: toAgreedGradingScale(e.gradingScale),
        assessmentCriteria: toOutcomeCriteria(e.assessmentCriteria),
      }),
    ),
    totalEcvetPoints: record.totalEcvetPoints,
  });
}
