import { jose, SIGNING_ALGORITHM, signerOfKeyId, type JsonWebKeySet, type Signer } from './signing';

/** What a credential's protected header says about who signed it, read before anything is trusted. */
export type SignerClaim = { ok: true; signer: Signer; kid: string } | { ok: false; reason: string };

export async function claimedSigner(jws: string): Promise<SignerClaim> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws.trim())) {
    return { ok: false, reason: 'The credential is not a compact JWS (three base64url parts separated by dots)' };
  }
  const { decodeProtectedHeader } = await jose();
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(jws.trim()).kid;
  } catch {
    return { ok: false, reason: 'The JWS protected header is not readable JSON' };
  }
  const signer = typeof kid === 'string' ? signerOfKeyId(kid) : null;
  if (!signer || typeof kid !== 'string')
    return { ok: false, reason: `The JWS names no key of the hub (kid ${JSON.stringify(kid ?? null)})` };
  return { ok: true, signer: { institution: signer.institution, kind: signer.kind }, kid };
}

export type SignatureCheck = { ok: true; payload: string } | { ok: false; reason: string };

/** Checks the signature against the signer's published keys; the reason says what failed. */
export async function checkSignature(jws: string, keys: JsonWebKeySet, signer: Signer): Promise<SignatureCheck> {
  const { compactVerify, createLocalJWKSet, errors } = await jose();
  try {
    const { payload } = await compactVerify(jws.trim(), createLocalJWKSet(keys), { algorithms: [SIGNING_ALGORITHM] });
    return { ok: true, payload: new TextDecoder().decode(payload) };
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return {
        ok: false,
        reason: `The signature does not match the content: the credential was changed after ${signer.institution} signed it, or ${signer.institution} did not sign it`,
      };
    }
    if (error instanceof errors.JWKSNoMatchingKey)
      return {
        ok: false,
        reason: `The signing key is not among the keys ${signer.institution} publishes for its ${signer.kind} shard`,
      };
    if (error instanceof errors.JOSEAlgNotAllowed)
      return { ok: false, reason: `The credential is not signed with ${SIGNING_ALGORITHM}` };
    return { ok: false, reason: `The JWS cannot be verified: ${(error as Error).message}` };
  }
}
