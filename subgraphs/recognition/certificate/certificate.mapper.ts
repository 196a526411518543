import { entityId } from '../../../schema/ids';
import { InstitutionRef, QualificationRef, ref } from '../../../schema/mobility/references';
import { CertificateStatement } from '../../../schema/recognition/recognition';
import { toCredit } from '../record/credit.mapper';
import type { CertificateRecord } from './certificate.entity';

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
    issuerId: institution,
    issuer: ref(InstitutionRef, institution),
    learnerName: record.learnerName,
    qualificationId: record.qualificationId,
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
