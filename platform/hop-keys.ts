import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
  type KeyLike,
} from 'jose';
import { remoteKeySet } from './remote-key-set';

/** Hops are signed with Ed25519 only: small keys, fast verification, no parameters to get wrong. */
export const HOP_ALGORITHM = 'EdDSA';

/** How long a shard keeps the hub's fetched JWKS before it asks again. */
export const DEFAULT_JWKS_CACHE_SECONDS = 600;
/** The least time between two fetches of the JWKS, however many unknown key ids arrive. */
export const DEFAULT_JWKS_COOLDOWN_SECONDS = 30;

/** A private key that signs hops (the gateway's) or service calls (a shard's), with its public half. */
export interface HopSigningKey {
  /** The JWK thumbprint (RFC 7638) of the public key. */
  kid: string;
  privateKey: KeyLike;
  /** The public key as published, with `kid`, `alg` and `use`. */
  publicJwk: JWK;
}

async function publicJwkOf(jwk: JWK): Promise<JWK> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new Error('must be an Ed25519 key (kty OKP, crv Ed25519)');
  const bare = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  return { ...bare, kid: await calculateJwkThumbprint(bare), alg: HOP_ALGORITHM, use: 'sig' };
}

/** Reads a private Ed25519 key given as PKCS8 PEM or as a JWK (JSON); `name` is the setting it came from. */
export async function readSigningKey(text: string, name: string): Promise<HopSigningKey> {
  try {
    const trimmed = text.trim();
    const jwk = trimmed.startsWith('{')
      ? (JSON.parse(trimmed) as JWK)
      : await exportJWK(await importPKCS8(trimmed, HOP_ALGORITHM, { extractable: true }));
    if (typeof jwk.d !== 'string') throw new Error('is a public key; the private key is needed');
    const publicJwk = await publicJwkOf(jwk);
    const privateKey = await importJWK({ ...jwk, alg: HOP_ALGORITHM }, HOP_ALGORITHM);
    if (privateKey instanceof Uint8Array) throw new Error('must be an asymmetric key');
    return { kid: publicJwk.kid as string, privateKey, publicJwk };
  } catch (error) {
    throw new Error(`${name} must be an Ed25519 private key (PKCS8 PEM or JWK): ${(error as Error).message}`);
  }
}

/** Reads a JWKS (or one JWK) of public Ed25519 keys; each gets its thumbprint as `kid`, the id signers use. */
export async function readPublicKeys(text: string, name: string): Promise<JSONWebKeySet> {
  try {
    const value = JSON.parse(text) as { keys?: unknown } | JWK;
    const keys = 'keys' in value && Array.isArray(value.keys) ? (value.keys as JWK[]) : [value as JWK];
    return await publicKeySet(keys);
  } catch (error) {
    throw new Error(`${name} must be a JWKS of Ed25519 public keys: ${(error as Error).message}`);
  }
}

/** The public halves of `keys`, each with its thumbprint as `kid`; private parts are never copied. */
export async function publicKeySet(keys: readonly JWK[]): Promise<JSONWebKeySet> {
  return { keys: await Promise.all(keys.map(publicJwkOf)) };
}

/** A key pair in the forms the settings take. */
export interface HopKeyPair {
  key: HopSigningKey;
  /** PKCS8 PEM, as HUB_HOP_PRIVATE_KEY and SHARD_SERVICE_PRIVATE_KEY take it. */
  privateKeyPem: string;
  /** The public half as a JWKS, as HUB_HOP_PUBLIC_KEYS and the registry's `serviceJwks` take it. */
  publicKeys: JSONWebKeySet;
}

/** A new Ed25519 key pair. */
export async function generateHopKeyPair(): Promise<HopKeyPair> {
  const { privateKey } = await generateKeyPair(HOP_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey);
  const key = await readSigningKey(privateKeyPem, 'a generated key');
  return { key, privateKeyPem, publicKeys: { keys: [key.publicJwk] } };
}

/** Where a shard finds the public keys it checks hops with: given keys, or the hub's JWKS URL (cached). */
export function hopKeyResolver(options: {
  keys?: JSONWebKeySet | null;
  jwksUrl?: string | null;
  cacheSeconds?: number;
  cooldownSeconds?: number;
}): JWTVerifyGetKey | null {
  if (options.jwksUrl) {
    return remoteKeySet(new URL(options.jwksUrl), {
      cacheMaxAge: (options.cacheSeconds ?? DEFAULT_JWKS_CACHE_SECONDS) * 1000,
      // An unknown kid triggers a fetch, but never more often than this: a flood of made-up kids costs nothing.
      cooldownDuration:
        Math.min(
          options.cooldownSeconds ?? DEFAULT_JWKS_COOLDOWN_SECONDS,
          options.cacheSeconds ?? DEFAULT_JWKS_CACHE_SECONDS,
        ) * 1000,
    });
  }
  return options.keys ? createLocalJWKSet(options.keys) : null;
}
