import { CredentialStatus, CredentialVerification } from '../../../schema/documents';
import { InstitutionRef, ref } from '../../../schema/mobility/references';
import { CertificateStatement } from '../../../schema/recognition/recognition';
import { attestedRecord, certificateCredentialId } from '../../shared/documents/credential-ids';
import { uris } from '../../shared/documents/edc';
import { publishedKeys, type JsonWebKeySet, type Signer } from '../../shared/documents/signing';
import { checkSignature, claimedSigner } from '../../shared/documents/verify';
import type { RecognitionContext } from '../context';
import { askHub } from '../hub';
import { certificateStatus, findCertificate } from '../certificate/certificate.service';
import { toPublicStatement } from '../certificate/certificate.mapper';
import { CERTIFICATE_SIGNER_KIND } from './documents.service';

/** Which kind signs which record: transcripts are kept (and signed) by mobilities shards, certificates by recognition shards. */
const SIGNER_OF = { transcript: 'mobilities', certificate: CERTIFICATE_SIGNER_KIND } as const;
const KEYS_FIELD: Record<string, string> = {
  mobilities: 'mobilitiesSigningKeys',
  recognition: 'recognitionSigningKeys',
};

function result(
  fields: Partial<CredentialVerification> & Pick<CredentialVerification, 'reason'>,
): CredentialVerification {
  return Object.assign(new CredentialVerification(), {
    valid: false,
    signatureValid: false,
    status: CredentialStatus.UNKNOWN,
    issuer: null,
    keyId: null,
    credentialId: null,
    issuedAt: null,
    credential: null,
    ...fields,
  });
}

/** The signer's published keys: this shard's own directly, any other through the hub. */
async function keysOf(context: RecognitionContext, signer: Signer): Promise<JsonWebKeySet> {
  if (signer.kind === CERTIFICATE_SIGNER_KIND && signer.institution === context.institution)
    return publishedKeys(context.db, signer);
  const field = KEYS_FIELD[signer.kind] as string;
  const data = await askHub<Record<string, string>>(
    context,
    `the signing keys of ${signer.institution}`,
    `query($i: ID!) { keys: ${field}(institution: $i) }`,
    { i: signer.institution },
  );
  return JSON.parse(data.keys as string) as JsonWebKeySet;
}

async function statusOf(
  context: RecognitionContext,
  record: NonNullable<ReturnType<typeof attestedRecord>>,
  jws: string,
): Promise<{ status: CredentialStatus; detail: string | null }> {
  if (record.kind === 'certificate') {
    if (record.owner === context.institution) {
      const certificate = await findCertificate(context, record.code);
      return {
        status: certificateStatus(certificate),
        detail: certificate?.revokedAt
          ? `revoked on ${certificate.revokedAt.toISOString().slice(0, 10)}: ${certificate.revocationReason ?? ''}`
          : null,
      };
    }
    const data = await askHub<{
      certificate: { current: boolean; revokedAt: string | null; revocationReason: string | null } | null;
    }>(
      context,
      `certificate ${record.code}`,
      'query($c: String!) { certificate: verifyCertificate(code: $c) { current revokedAt revocationReason } }',
      { c: record.code },
    );
    const c = data.certificate;
    if (!c) return { status: CredentialStatus.UNKNOWN, detail: null };
    if (c.revokedAt)
      return {
        status: CredentialStatus.REVOKED,
        detail: `revoked on ${c.revokedAt.slice(0, 10)}: ${c.revocationReason ?? ''}`,
      };
    return { status: c.current ? CredentialStatus.CURRENT : CredentialStatus.SUPERSEDED, detail: null };
  }
  const data = await askHub<{ status: CredentialStatus }>(
    context,
    `the status of transcript version ${record.version} of ${record.learningAgreementId}`,
    'query($a: ID!, $c: String!) { status: transcriptCredentialStatus(learningAgreementId: $a, credential: $c) }',
    { a: record.learningAgreementId, c: jws.trim() },
  );
  return { status: data.status, detail: null };
}

const WHY: Record<CredentialStatus, (what: string, detail: string | null) => string | null> = {
  [CredentialStatus.CURRENT]: () => null,
  [CredentialStatus.SUPERSEDED]: (what) =>
    `The ${what} was superseded: its issuer has replaced it with a later version`,
  [CredentialStatus.REVOKED]: (what, detail) => `The ${what} was ${detail ?? 'revoked'}`,
  [CredentialStatus.UNKNOWN]: (what) => `The issuer has no record of this ${what}`,
};

/**
 * Verifies a signed credential (compact JWS) of the hub: the key ID names the signing institution and kind, the
 * signature must match a key that institution publishes, the credential must name that institution as its
 * issuer and a record it owns, and that record must still stand (not superseded, not revoked).
 */
export async function verifyCredential(context: RecognitionContext, jws: string): Promise<CredentialVerification> {
  const claim = await claimedSigner(jws);
  if (!claim.ok) return result({ reason: claim.reason });
  const { signer, kid } = claim;
  const issuer = ref(InstitutionRef, signer.institution);
  if (!KEYS_FIELD[signer.kind])
    return result({
      reason: `Key ${kid} names the ${signer.kind} kind, which signs no credentials`,
      issuer,
      keyId: kid,
    });
  let keys: JsonWebKeySet;
  try {
    keys = await keysOf(context, signer);
  } catch (error) {
    return result({
      reason: `Cannot read the keys ${signer.institution} publishes: ${(error as Error).message}`,
      issuer,
      keyId: kid,
    });
  }
  const signature = await checkSignature(jws, keys, signer);
  if (!signature.ok) return result({ reason: signature.reason, issuer, keyId: kid });
  const signed = { signatureValid: true, issuer, keyId: kid, credential: signature.payload };
  let credential: { id?: unknown; issuer?: { id?: unknown }; issued?: unknown };
  try {
    credential = JSON.parse(signature.payload) as typeof credential;
  } catch {
    return result({ ...signed, reason: 'The signed payload is not JSON' });
  }
  const credentialId = typeof credential.id === 'string' ? credential.id : null;
  const issuedAt = typeof credential.issued === 'string' ? credential.issued : null;
  const record = credentialId ? attestedRecord(credentialId) : null;
  if (!record)
    return result({
      ...signed,
      credentialId,
      issuedAt,
      reason: `The credential's id ${JSON.stringify(credential.id ?? null)} names no transcript or certificate of the hub`,
    });
  if (
    credential.issuer?.id !== uris.institution(signer.institution) ||
    record.owner !== signer.institution ||
    SIGNER_OF[record.kind] !== signer.kind
  ) {
    return result({
      ...signed,
      credentialId,
      issuedAt,
      reason: `The credential was signed by ${signer.institution}'s ${signer.kind} shard, which does not issue it`,
    });
  }
  let status: { status: CredentialStatus; detail: string | null };
  try {
    status = await statusOf(context, record, jws);
  } catch (error) {
    return result({
      ...signed,
      credentialId,
      issuedAt,
      reason: `Cannot ask ${signer.institution} whether the ${record.kind} still stands: ${(error as Error).message}`,
    });
  }
  const reason = WHY[status.status](record.kind, status.detail);
  return result({ ...signed, credentialId, issuedAt, status: status.status, valid: reason === null, reason });
}

/** `verifyCertificate` given the credential: it must verify, and be the credential of this very certificate. */
export async function checkCertificateCredential(
  context: RecognitionContext,
  code: string,
  jws: string,
): Promise<CredentialVerification> {
  const verification = await verifyCredential(context, jws);
  if (verification.signatureValid && verification.credentialId !== certificateCredentialId(code)) {
    return Object.assign(verification, {
      valid: false,
      reason: `The credential attests ${verification.credentialId ?? 'something else'}, not certificate ${code}`,
    });
  }
  return verification;
}

/** Public: what the certificate with this code states, and whether the signed credential given with it holds. */
export async function verifyCertificate(
  context: RecognitionContext,
  code: string,
  credential: string | null | undefined,
): Promise<CertificateStatement | null> {
  const record = await findCertificate(context, code);
  if (!record) return null;
  const statement = toPublicStatement(record, context.institution);
  if (credential) statement.credentialCheck = await checkCertificateCredential(context, statement.code, credential);
  return statement;
}
