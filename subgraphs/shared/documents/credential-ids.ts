import { ownerOf } from '../../../schema/ids';

/**
 * The URIs credentials are identified by. Each names the record it attests by hub IDs, so a verifier knows
 * whose shard to ask for its status: the learning agreement and version of a transcript, a certificate's code.
 */
const TRANSCRIPT = /^urn:ecvet-hub:transcript:(.+):v(\d+)$/;
const CERTIFICATE = /^urn:ecvet-hub:certificate:(.+)$/;

export const transcriptCredentialId = (learningAgreementId: string, version: number) =>
  `urn:ecvet-hub:transcript:${learningAgreementId}:v${version}`;
export const certificateCredentialId = (code: string) => `urn:ecvet-hub:certificate:${code}`;

export type AttestedRecord =
  | { kind: 'transcript'; owner: string; learningAgreementId: string; version: number }
  | { kind: 'certificate'; owner: string; code: string };

/** The record a credential URI names, or null when it is none of the hub's. */
export function attestedRecord(credentialId: string): AttestedRecord | null {
  const transcript = TRANSCRIPT.exec(credentialId);
  const transcriptOwner = transcript ? ownerOf(transcript[1] as string) : null;
  if (transcript && transcriptOwner)
    return {
      kind: 'transcript',
      owner: transcriptOwner,
      learningAgreementId: transcript[1] as string,
      version: Number(transcript[2]),
    };
  const certificate = CERTIFICATE.exec(credentialId);
  const certificateOwner = certificate ? ownerOf(certificate[1] as string) : null;
  if (certificate && certificateOwner)
    return { kind: 'certificate', owner: certificateOwner, code: certificate[1] as string };
  return null;
}
