import { CredentialStatus, DocumentFormat, type HubDocument } from '../../../schema/documents';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { credentialText, hubDocument } from '../../shared/documents/document';
import { signCredential } from '../../shared/documents/signing';
import { ownLocalId } from '../../shared/local-id';
import type { RecognitionContext } from '../context';
import { CertificateRecord } from '../validation/validation.entity';
import { loadCertificateDocumentData } from './certificate-data';
import { buildCertificateCredential } from './edc';

/** The kind whose shard keeps certificates and signs their credentials. */
export const CERTIFICATE_SIGNER_KIND = 'recognition';

export async function findCertificate(context: RecognitionContext, code: string, field = 'code'): Promise<CertificateRecord | null> {
  const localId = ownLocalId(context.institution, code, field);
  return localId === null ? null : context.db.dataSource.manager.findOneBy(CertificateRecord, { code: localId });
}

/**
 * A certificate as a signed Europass credential. Whoever may read the certificate may have it: like
 * `verifyCertificate`, it states only what the certificate states (with the units as their owner publishes them).
 */
export async function certificateDocument(context: RecognitionContext, record: CertificateRecord, format: DocumentFormat): Promise<HubDocument> {
  if (format !== DocumentFormat.EDC) {
    throw new BadUserInputError('format: a certificate is available as EDC only; ELMO describes transcripts of records', 'format');
  }
  const data = await loadCertificateDocumentData(context, record);
  const content = credentialText(buildCertificateCredential(data));
  const signed = await signCredential(context.db, { institution: context.institution, kind: CERTIFICATE_SIGNER_KIND }, content);
  return hubDocument('certificate', data.code, format, content, signed);
}

export function certificateStatus(record: CertificateRecord | null): CredentialStatus {
  if (!record) return CredentialStatus.UNKNOWN;
  if (record.revokedAt) return CredentialStatus.REVOKED;
  return record.current ? CredentialStatus.CURRENT : CredentialStatus.SUPERSEDED;
}

/** Revokes a certificate (its institution's coordinators): its credentials stop verifying. The credits stay. */
export async function revokeCertificate(context: RecognitionContext, code: string, reason: string): Promise<CertificateRecord> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'revoke its certificates');
  if (reason.trim() === '') throw new BadUserInputError('reason must say why the certificate is revoked', 'reason');
  return context.db.dataSource.transaction(async (manager) => {
    const localId = ownLocalId(context.institution, code, 'code');
    const record = localId === null ? null : await manager.findOneBy(CertificateRecord, { code: localId });
    if (!record) throw new NotFoundError(`No certificate ${code} at ${context.institution}`, { field: 'code' });
    if (record.revokedAt) throw new ConflictError(`Certificate ${code} was revoked already, on ${record.revokedAt.toISOString()}`);
    record.revokedAt = new Date();
    record.revocationReason = reason.slice(0, 1000);
    await manager.save(CertificateRecord, record);
    await recordAudit(manager, context, caller, { action: 'revokeCertificate', entityId: entityId(context.institution, record.code), input: { code, reason } });
    return record;
  });
}
