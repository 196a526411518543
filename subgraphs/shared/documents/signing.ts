import type { JWK, KeyLike } from 'jose';
import type { DataSource } from 'typeorm';
import type { Database } from '../database';
import { SigningKeyRecord } from './signing-key.entity';

/**
 * Each shard signs the credentials it issues with its own ES256 key pair, made on first use and kept in its own
 * database. The public keys are published as a JWKS through GraphQL; a key ID names the institution and kind,
 * so a verifier knows whose JWKS to read: "<institution>/<kind>#<RFC 7638 thumbprint>".
 */
export const SIGNING_ALGORITHM = 'ES256';
/** VC-JOSE-COSE: a VCDM 2.0 credential secured as a compact JWS. */
export const CREDENTIAL_JWS_TYPE = 'vc+jwt';

export interface Signer {
  institution: string;
  /** The subgraph kind whose shard signs ("mobilities", "recognition"). */
  kind: string;
}

/** jose is loaded on first use, so a shard that never signs starts without it. */
let joseModule: Promise<typeof import('jose')> | null = null;
export const jose = () => (joseModule ??= import('jose'));

export const keyId = (signer: Signer, thumbprint: string) => `${signer.institution}/${signer.kind}#${thumbprint}`;

/** The signer a key ID names, or null when it is not one of the hub's. */
export function signerOfKeyId(kid: string): (Signer & { thumbprint: string }) | null {
  const match = /^([a-z0-9.-]+)\/([a-z]+)#([A-Za-z0-9_-]+)$/.exec(kid);
  return match ? { institution: match[1] as string, kind: match[2] as string, thumbprint: match[3] as string } : null;
}

interface LoadedKey {
  thumbprint: string;
  privateKey: KeyLike | Uint8Array;
}

const keys = new WeakMap<DataSource, Promise<LoadedKey>>();

async function oldestKey(db: Database): Promise<SigningKeyRecord | null> {
  const [row] = await db.dataSource.manager.find(SigningKeyRecord, {
    order: { createdAt: 'ASC', kid: 'ASC' },
    take: 1,
  });
  return row ?? null;
}

async function loadOrCreate(db: Database): Promise<LoadedKey> {
  const { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } = await jose();
  let row = await oldestKey(db);
  if (!row) {
    const pair = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(pair.publicKey);
    const privateJwk = await exportJWK(pair.privateKey);
    const thumbprint = await calculateJwkThumbprint(publicJwk);
    await db.dataSource.manager.insert(SigningKeyRecord, {
      kid: thumbprint,
      algorithm: SIGNING_ALGORITHM,
      publicJwk: JSON.stringify(publicJwk),
      privateJwk: JSON.stringify(privateJwk),
      createdAt: new Date(),
    });
    // Another replica of the shard may have made one at the same moment: every replica signs with the oldest.
    row = await oldestKey(db);
    if (!row) throw new Error('The document signing key just stored cannot be read back');
  }
  return { thumbprint: row.kid, privateKey: await importJWK(JSON.parse(row.privateJwk) as JWK, SIGNING_ALGORITHM) };
}

/** The shard's signing key, made on first use; loaded once per process. */
function signingKey(db: Database): Promise<LoadedKey> {
  let key = keys.get(db.dataSource);
  if (!key) {
    key = loadOrCreate(db);
    keys.set(db.dataSource, key);
    key.catch(() => keys.delete(db.dataSource));
  }
  return key;
}

/** Signs a credential's JSON text as a compact JWS whose payload is that text, byte for byte. */
export async function signCredential(db: Database, signer: Signer, credentialJson: string): Promise<string> {
  const key = await signingKey(db);
  const { CompactSign } = await jose();
  return new CompactSign(new TextEncoder().encode(credentialJson))
    .setProtectedHeader({
      alg: SIGNING_ALGORITHM,
      kid: keyId(signer, key.thumbprint),
      typ: CREDENTIAL_JWS_TYPE,
      cty: 'vc',
    })
    .sign(key.privateKey);
}

export interface JsonWebKeySet {
  keys: JWK[];
}

/** Every public key the shard has signed with (making the first if there is none yet), as a JWKS. */
export async function publishedKeys(db: Database, signer: Signer): Promise<JsonWebKeySet> {
  await signingKey(db);
  const rows = await db.dataSource.manager.find(SigningKeyRecord, { order: { createdAt: 'ASC', kid: 'ASC' } });
  return {
    keys: rows.map((row) => ({
      ...(JSON.parse(row.publicJwk) as JWK),
      kid: keyId(signer, row.kid),
      alg: row.algorithm,
      use: 'sig',
    })),
  };
}
