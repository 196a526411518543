import { DocumentFormat, type HubDocument } from '../../../schema/documents';
import { BadUserInputError } from '../../../schema/errors';
import { credentialText, hubDocument } from '../../shared/documents/document';
import { signCredential } from '../../shared/documents/signing';
import type { RecognitionContext } from '../context';
import type { CertificateRecord } from '../certificate/certificate.entity';
import { loadCertificateDocumentData } from './certificate-data';
import { buildCertificateCredential } from './edc';

/** The kind whose shard keeps certificates and signs their credentials. */
export const CERTIFICATE_SIGNER_KIND = 'recognition';

/**
 * A certificate as a signed Europass credential. Whoever may read the certificate may have it: like
 * `verifyCertificate`, it states only what the certificate states (with the units as their owner publishes them).
 */
export async function certificateDocument(
  context: RecognitionContext,
  record: CertificateRecord,
  format: DocumentFormat,
): Promise<HubDocument> {
  if (format !== DocumentFormat.EDC) {
    throw new BadUserInputError(
      'format: a certificate is available as EDC only; ELMO describes transcripts of records',
      'format',
    );
  }
  const data = await loadCertificateDocumentData(context, record);
  const content = credentialText(buildCertificateCredential(data));
  const signed = await signCredential(
    context.db,
    { institution: context.institution, kind: CERTIFICATE_SIGNER_KIND },
    content,
  );
  return hubDocument('certificate', data.code, format, content, signed);
}
