import { entityId } from '../../../schema/ids';
import { InstitutionRef, LearningOutcomeRef, QualificationRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import {
  CertificateStatement,
  Credit,
  CreditSource,
  DecisionRevision,
  RecognitionDecision,
  TranscriptValidation,
  ValidationFinding,
} from '../../../schema/recognition/recognition';
import type { CertificateRecord, CreditRecord, RecognitionDecisionRecord, TranscriptValidationRecord } from '../validation/validation.entity';

export function toCredit(credit: Pick<CreditRecord, 'unitId' | 'ecvetPoints' | 'source' | 'creditedOn' | 'decisionId'>, institution: string): Credit {
  return Object.assign(new Credit(), {
    unit: ref(RecognitionUnitRef, credit.unitId),
    ecvetPoints: credit.ecvetPoints,
    source: credit.source === 'HOME' ? CreditSource.HOME : CreditSource.ABROAD,
    creditedOn: credit.creditedOn,
    decisionId: credit.decisionId ? entityId(institution, credit.decisionId) : null,
  });
}

export function toDecision(record: RecognitionDecisionRecord, institution: string): RecognitionDecision {
  return Object.assign(new RecognitionDecision(), {
    id: entityId(institution, record.id),
    learningAgreementId: record.agreementId,
    learnerId: record.learnerId,
    unit: ref(RecognitionUnitRef, record.unitId),
    decision: record.decision,
    recognisedOutcomes: record.recognisedOutcomeIds.map((id) => ref(LearningOutcomeRef, id)),
    ecvetPoints: record.ecvetPoints,
    reason: record.reason,
    decidedAt: record.decidedAt.toISOString(),
    history: record.history.map((h) => Object.assign(new DecisionRevision(), h)),
  });
}

export function toValidation(record: TranscriptValidationRecord, institution: string): TranscriptValidation {
  return Object.assign(new TranscriptValidation(), {
    id: entityId(institution, record.id),
    learningAgreementId: record.agreementId,
    transcriptVersion: record.transcriptVersion,
    agreementVersion: record.agreementVersion,
    consistent: record.consistent,
    findings: record.units.map((unit) =>
      Object.assign(new ValidationFinding(), {
        unit: ref(RecognitionUnitRef, unit.unitId),
        achieved: unit.achieved,
        agreedEcvetPoints: unit.agreedEcvetPoints,
        transcriptEcvetPoints: unit.transcriptEcvetPoints,
        outcomesNotAchieved: unit.achievedOutcomeIds
          ? unit.agreedOutcomeIds.filter((id) => !unit.achievedOutcomeIds?.includes(id)).map((id) => ref(LearningOutcomeRef, id))
          : [],
        differences: unit.differences,
      }),
    ),
    validatedAt: record.validatedAt.toISOString(),
    validatedBy: record.validatedBy,
  });
}

/**
 * What the certificate itself states, for anyone holding its code: the decision behind each unit belongs to the
 * learner's record, not to the certificate, so its ID is left out.
 */
export function toPublicStatement(record: CertificateRecord, institution: string): CertificateStatement {
  const statement = toStatement(record, institution);
  for (const unit of statement.units) unit.decisionId = null;
  return statement;
}

export function toStatement(record: CertificateRecord, institution: string): CertificateStatement {
  return Object.assign(new CertificateStatement(), {
    code: entityId(institution, record.code),
    issuer: ref(InstitutionRef, institution),
    learnerName: record.learnerName,
    qualification: ref(QualificationRef, record.qualificationId),
    units: record.units.map((unit) => toCredit(unit, institution)),
    totalEcvetPoints: record.totalEcvetPoints,
    issuedAt: record.issuedAt.toISOString(),
    current: record.current,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    revocationReason: record.revocationReason ?? null,
    credentialCheck: null,
  });
}
