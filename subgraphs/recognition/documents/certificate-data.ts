import { In } from 'typeorm';
import { entityId } from '../../../schema/ids';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import {
  publicDataFromHub,
  type PublicInstitution,
  type PublicLearningOutcome,
  type PublicQualification,
  type PublicUnit,
} from '../../shared/documents/hub-data';
import type { RecognitionContext } from '../context';
import type { StoredCreditSource } from '../record/credit-source';
import type { CertificateRecord } from '../certificate/certificate.entity';
import { RecognitionDecisionRecord } from '../decision/decision.entity';
import { TranscriptValidationRecord } from '../validation/validation.entity';

/** One credited unit of a certificate with what its document shows. */
export interface CertificateUnit {
  unit: PublicUnit;
  ecvetPoints: number;
  creditedOn: string;
  decision: RecognitionDecisionKind | null;
  /** Where it was achieved. */
  source: StoredCreditSource;
  /** The unit achieved elsewhere it was recognised from, when there is one. */
  achievedAsUnitId: string | null;
  /** The learning outcomes recognised: the partial recognition's, else those agreed for the mobility, else all. */
  outcomes: PublicLearningOutcome[];
}

export interface CertificateDocumentData {
  code: string;
  learner: { id: string; name: string };
  issuer: PublicInstitution;
  qualification: PublicQualification;
  issuedAt: string;
  units: CertificateUnit[];
  totalEcvetPoints: number;
  /**
   * Every unit credited whole and the qualification's points reached: since a qualification's active units never
   * exceed its points, the certificate then states all of its units, and the credential shows the qualification.
   */
  complete: boolean;
}

function pick(outcomes: readonly PublicLearningOutcome[], ids: readonly string[] | undefined): PublicLearningOutcome[] {
  if (!ids || ids.length === 0) return [...outcomes];
  const wanted = new Set(ids);
  return outcomes.filter((outcome) => wanted.has(outcome.id));
}

/**
 * A certificate's data: the record, the decisions and validations behind its units (this shard's own), and
 * the public descriptions of issuer, qualification and units through the hub in one request. It states only
 * what the certificate states, with the units described as their owner publishes them.
 */
export async function loadCertificateDocumentData(
  context: RecognitionContext,
  record: CertificateRecord,
): Promise<CertificateDocumentData> {
  const manager = context.db.dataSource.manager;
  const decisionIds = record.units.flatMap((u) => (u.decisionId ? [u.decisionId] : []));
  const decisions =
    decisionIds.length > 0 ? await manager.findBy(RecognitionDecisionRecord, { id: In(decisionIds) }) : [];
  const agreementIds = [...new Set(decisions.map((d) => d.agreementId))];
  const validations =
    agreementIds.length > 0
      ? await manager.find(TranscriptValidationRecord, {
          where: { agreementId: In(agreementIds) },
          order: { validatedAt: 'DESC' },
        })
      : [];
  const data = await publicDataFromHub(context.hub, {
    institutions: [context.institution],
    qualifications: [record.qualificationId],
    units: record.units.map((u) => u.unitId),
  });
  return {
    code: entityId(context.institution, record.code),
    learner: { id: record.learnerId, name: record.learnerName },
    issuer: data.institutions.get(context.institution) as PublicInstitution,
    qualification: data.qualifications.get(record.qualificationId) as PublicQualification,
    issuedAt: record.issuedAt.toISOString(),
    units: record.units.map((credit) => {
      const unit = data.units.get(credit.unitId) as PublicUnit;
      const decision = decisions.find((d) => d.id === credit.decisionId);
      const validated = validations
        .find((v) => v.agreementId === decision?.agreementId)
        ?.units.find((u) => u.unitId === credit.unitId);
      const partial = decision?.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED;
      return {
        unit,
        ecvetPoints: credit.ecvetPoints,
        creditedOn: credit.creditedOn,
        decision: decision?.decision ?? null,
        source: credit.source,
        achievedAsUnitId: credit.achievedAsUnitId ?? null,
        outcomes: pick(unit.learningOutcomes, partial ? decision?.recognisedOutcomeIds : validated?.agreedOutcomeIds),
      };
    }),
    totalEcvetPoints: record.totalEcvetPoints,
    complete:
      record.units.every((credit) => credit.ecvetPoints >= (data.units.get(credit.unitId)?.ecvetPoints ?? Infinity)) &&
      record.totalEcvetPoints + 1e-9 >= (data.qualifications.get(record.qualificationId)?.ecvetPoints ?? Infinity),
  };
}
