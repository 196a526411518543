import { randomBytes } from 'node:crypto';
import { CredentialStatus } from '../../../schema/documents';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { recordAudit } from '../../shared/audit/audit';
import { ownLocalId } from '../../shared/local-id';
import { inTransaction } from '../../shared/outbox/outbox';
import { requireCoordinator } from '../access';
import type { RecognitionContext } from '../context';
import { CreditRecord } from '../record/credit.entity';
import { TranscriptValidationRecord } from '../validation/validation.entity';
import { CertificateRecord } from './certificate.entity';

/** Codes are easy to read aloud and type: no 0/O or 1/I. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function verificationCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}
/** Issues the certificate of the units credited to a learner towards a qualification; it supersedes the earlier one. */
export async function issueCertificate(
  context: RecognitionContext,
  learnerId: string,
  qualificationId: string,
): Promise<CertificateRecord> {
  const caller = requireCoordinator(context, 'issue certificates');
  if (ownerOf(learnerId) !== context.institution)
    throw new ConflictError(`${learnerId} is not a learner of ${context.institution}`, { field: 'learnerId' });
  return inTransaction(context, async (manager) => {
    // Every credited unit of the qualification, with where it was achieved; units achieved at home alone are no
    // recognition to certify.
    const credits = await manager.find(CreditRecord, {
      where: { learnerId, qualificationId },
      order: { unitId: 'ASC' },
    });
    if (credits.every((c) => c.source === 'HOME'))
      throw new ConflictError(
        `${learnerId} has no recognised units of ${qualificationId}: there is nothing to certify`,
        { field: 'qualificationId' },
      );
    const [validation] = await manager.find(TranscriptValidationRecord, {
      where: { learnerId },
      order: { validatedAt: 'DESC' },
      take: 1,
    });
    await manager.update(CertificateRecord, { learnerId, qualificationId }, { current: false });
    const certificate = manager.create(CertificateRecord, {
      code: verificationCode(),
      learnerId,
      learnerName: validation?.learnerName ?? learnerId,
      qualificationId,
      units: credits.map((c) => ({
        unitId: c.unitId,
        ecvetPoints: c.ecvetPoints,
        source: c.source,
        creditedOn: c.creditedOn,
        decisionId: c.decisionId,
        achievedAsUnitId: c.achievedAsUnitId,
      })),
      totalEcvetPoints: credits.reduce((sum, c) => sum + c.ecvetPoints, 0),
      issuedAt: new Date(),
      current: true,
    });
    await manager.insert(CertificateRecord, certificate);
    await recordAudit(manager, context, caller, {
      action: 'issueCertificate',
      entityId: entityId(context.institution, certificate.code),
      input: { learnerId, qualificationId },
    });
    return certificate;
  });
}

/** A certificate by its verification code; readable by anyone holding the code. */
export async function findCertificate(
  context: RecognitionContext,
  code: string,
  field = 'code',
): Promise<CertificateRecord | null> {
  const localId = ownLocalId(context.institution, code, field);
  return localId === null ? null : context.db.dataSource.manager.findOneBy(CertificateRecord, { code: localId });
}

export function certificateStatus(record: CertificateRecord | null): CredentialStatus {
  if (!record) return CredentialStatus.UNKNOWN;
  if (record.revokedAt) return CredentialStatus.REVOKED;
  return record.current ? CredentialStatus.CURRENT : CredentialStatus.SUPERSEDED;
}

/** Revokes a certificate (its institution's coordinators): its credentials stop verifying. The credits stay. */
export async function revokeCertificate(
  context: RecognitionContext,
  code: string,
  reason: string,
): Promise<CertificateRecord> {
  const caller = requireCoordinator(context, 'revoke its certificates');
  if (reason.trim() === '') throw new BadUserInputError('reason must say why the certificate is revoked', 'reason');
  return context.db.dataSource.transaction(async (manager) => {
    const localId = ownLocalId(context.institution, code, 'code');
    const record = localId === null ? null : await manager.findOneBy(CertificateRecord, { code: localId });
    if (!record) throw new NotFoundError(`No certificate ${code} at ${context.institution}`, { field: 'code' });
    if (record.revokedAt)
      throw new ConflictError(`Certificate ${code} was revoked already, on ${record.revokedAt.toISOString()}`);
    record.revokedAt = new Date();
    record.revocationReason = reason.slice(0, 1000);
    await manager.save(CertificateRecord, record);
    await recordAudit(manager, context, caller, {
      action: 'revokeCertificate',
      entityId: entityId(context.institution, record.code),
      input: { code, reason },
    });
    return record;
  });
}
