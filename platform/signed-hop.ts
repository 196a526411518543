import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { isRole, type Caller } from './caller';
import { batchTree, decodeProof, encodeProof, rootOf } from './hop-batch';
import { HOP_ALGORITHM, type HopSigningKey } from './hop-keys';

/**
 * The signed hop: the gateway vouches for the caller to one shard. Both halves live here so they cannot drift.
 * It is a JWT signed with the hub's Ed25519 private key; shards hold only public keys, so no member's shard can
 * speak for the hub. The token names its audience (`<kind>@<institution>`), the operation, a nonce and a 30 s
 * life: it cannot be replayed, moved to another shard or another query, or edited to claim another caller.
 */
export const HOP_HEADERS = {
  /** The signed token. */
  hop: 'x-hub-hop',
  /** The request ID for logs (also signed, inside the token). */
  requestId: 'x-hub-request-id',
} as const;

/** What the gateway signs a subscription connection over: the connection itself, not one operation. */
export const SUBSCRIPTION_HOP_OPERATION = { query: 'graphql-ws', variables: null };

/** `typ` of a hop token, so no other JWT signed with the same key passes for a hop. */
export const HOP_TOKEN_TYPE = 'hub-hop+jwt';
/** `typ` of the signed root of a batch of hops (hop-batch.ts): it vouches for no hop without one and its proof. */
export const HOP_BATCH_TOKEN_TYPE = 'hub-hop-batch+jwt';
/** What separates a batched hop's three parts: the signed root, the hop, the proof (no JWS or base64url uses it). */
const BATCH_SEPARATOR = '~';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** `iss` of the gateway's hops, and the audience of shards' service calls to the hub. */
export const HUB_ISSUER = 'hub';
/** How long a hop is valid after it is issued. */
export const DEFAULT_HOP_TTL_SECONDS = 30;
/** How far a shard's clock may be from the gateway's. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 5;
/** Nonces remembered per verifier; a hop's nonce need only be kept for its short life. */
export const DEFAULT_NONCE_CACHE_SIZE = 200_000;

/** The audience a shard of `kind` run by `institution` accepts, e.g. `qualifications@omnia.fi`. */
export function hopAudience(kind: string, institution: string): string {
  return institution ? `${kind}@${institution}` : kind;
}

/** The issuer of a shard's own service calls, e.g. `service:mobilities@rvt.lv`. */
export function serviceIssuer(kind: string, institution: string): string {
  return `service:${kind}@${institution}`;
}

/** An Idempotency-Key as it crosses the hop: a shard trusts a key only as the gateway vouched for it. */
export interface HopIdempotency {
  key: string;
  /** Digest of the client's whole operation (query, variables, operation name) at the gateway. */
  digest: string;
}

export interface HopOperation {
  query: string;
  variables?: Record<string, unknown> | null;
}

/**
 * The operation digest last made: a fanned-out field sends the same sub-operation, with the same variables on a
 * first page, to every shard, so one hash serves all the hops of the fan-out. Each hop is still signed on its own
 * (its audience and nonce differ); only the hash of identical text is reused.
 */
let lastDigest: { query: string; variables: string; value: string } | null = null;

function digest(operation: HopOperation): string {
  const variables = JSON.stringify(operation.variables ?? {});
  if (lastDigest && lastDigest.query === operation.query && lastDigest.variables === variables) return lastDigest.value;
  const value = createHash('sha256').update(operation.query).update('\n').update(variables).digest('base64url');
  lastDigest = { query: operation.query, variables, value };
  return value;
}

interface HopClaims extends JWTPayload {
  caller: Caller | null;
  /** Digest of the operation. */
  op: string;
  /** Request ID. */
  rid: string;
  idem?: HopIdempotency;
}

export interface SignHopOptions {
  key: HopSigningKey;
  /** Who the hop is for: {@link hopAudience} of the shard, or {@link HUB_ISSUER} for a service call to the hub. */
  audience: string;
  /** @default HUB_ISSUER */
  issuer?: string;
  caller: Caller | null;
  requestId: string;
  operation: HopOperation;
  /** The client's Idempotency-Key for a mutation. */
  idempotency?: HopIdempotency | null;
  /** Milliseconds since the epoch. @default Date.now() */
  now?: number;
  /** @default DEFAULT_HOP_TTL_SECONDS */
  ttlSeconds?: number;
  /**
   * The shard accepts batched hops (its /health says `hopBatches: true`): hops asked for with this set in the same
   * turn of the event loop (one callback and the promise jobs it starts, as a fan-out's calls are) share one
   * signature over their hash tree (hop-batch.ts). A lone one is signed as any other. @default false
   */
  batch?: boolean;
}

/** Signing half: the headers that carry `caller` (or nobody) to `audience` for `operation`. */
export async function signHop(options: SignHopOptions): Promise<Record<string, string>> {
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: HopClaims = {
    caller: options.caller,
    op: digest(options.operation),
    rid: options.requestId,
    ...(options.idempotency ? { idem: { key: options.idempotency.key, digest: options.idempotency.digest } } : {}),
    aud: options.audience,
    jti: nonce(),
  };
  const lifetime: Lifetime = {
    issuer: options.issuer ?? HUB_ISSUER,
    issuedAt,
    expires: issuedAt + (options.ttlSeconds ?? DEFAULT_HOP_TTL_SECONDS),
  };
  const token = options.batch ? await inBatch(options.key, lifetime, claims) : signOne(options.key, lifetime, claims);
  return { [HOP_HEADERS.hop]: token, [HOP_HEADERS.requestId]: options.requestId };
}

interface Lifetime {
  issuer: string;
  issuedAt: number;
  expires: number;
}

/** A compact JWS (RFC 7515) of `payload`, signed with `key`. */
function compactJws(key: HopSigningKey, type: string, payload: JWTPayload): string {
  // Made here rather than by jose's SignJWT: every shard call signs one, and jose's builder costs three times the
  // Ed25519 signature itself. jose verifies it as any other (see verifyHop).
  const input = `${protectedHeaderOf(key, type)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  // jose imports keys on Node.js as KeyObjects (readSigningKey): the one type node:crypto signs with.
  return `${input}.${sign(null, Buffer.from(input), key.privateKey as KeyObject).toString('base64url')}`;
}

function signOne(key: HopSigningKey, lifetime: Lifetime, claims: HopClaims): string {
  return compactJws(key, HOP_TOKEN_TYPE, {
    ...claims,
    iss: lifetime.issuer,
    iat: lifetime.issuedAt,
    exp: lifetime.expires,
  });
}

interface PendingHop {
  claims: HopClaims;
  resolve: (token: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Hops waiting for their batch's signature, by signing key, then by lifetime: one batch per turn, two when its hops
 * were asked for on either side of a second (each keeps its exact issue time), more only in tests (`now`).
 */
const pending = new Map<HopSigningKey, Map<string, { lifetime: Lifetime; hops: PendingHop[] }>>();

/**
 * A hop signed with the others asked for in this turn of the event loop: each shard gets its own claims and the
 * proof that leads from them to the signed root, one Ed25519 signature for the whole fan-out.
 */
function inBatch(key: HopSigningKey, lifetime: Lifetime, claims: HopClaims): Promise<string> {
  let batches = pending.get(key);
  if (!batches) {
    const turn = new Map<string, { lifetime: Lifetime; hops: PendingHop[] }>();
    pending.set(key, turn);
    // A tick scheduled from a promise job runs once the job queue is empty: after the fan-out's other calls, started
    // in the same promise jobs, have asked for theirs, and before any I/O. (setImmediate would wait for the rest of
    // the poll phase: other requests' work, while the shard waits.)
    process.nextTick(() => {
      pending.delete(key);
      for (const batch of turn.values()) signBatch(key, batch.lifetime, batch.hops);
    });
    batches = turn;
  }
  const at = `${lifetime.issuer}\u0000${lifetime.issuedAt}\u0000${lifetime.expires}`;
  let batch = batches.get(at);
  if (!batch) {
    batch = { lifetime, hops: [] };
    batches.set(at, batch);
  }
  const hops = batch.hops;
  return new Promise((resolve, reject) => hops.push({ claims, resolve, reject }));
}

function signBatch(key: HopSigningKey, lifetime: Lifetime, hops: readonly PendingHop[]): void {
  try {
    if (hops.length === 1) {
      const [hop] = hops as [PendingHop];
      hop.resolve(signOne(key, lifetime, hop.claims));
      return;
    }
    const leaves = hops.map((hop) => Buffer.from(JSON.stringify(hop.claims)));
    const { root, proofs } = batchTree(leaves);
    const signed = compactJws(key, HOP_BATCH_TOKEN_TYPE, {
      iss: lifetime.issuer,
      iat: lifetime.issuedAt,
      exp: lifetime.expires,
      root: root.toString('base64url'),
    });
    hops.forEach((hop, i) =>
      hop.resolve([signed, leaves[i]?.toString('base64url'), encodeProof(proofs[i] ?? [])].join(BATCH_SEPARATOR)),
    );
  } catch (error) {
    for (const hop of hops) hop.reject(error);
  }
}

/** Random bytes drawn in blocks: one system call per 256 nonces rather than one per hop. */
let nonces = Buffer.alloc(0);
let nonceOffset = 0;
const NONCE_BYTES = 16;
function nonce(): string {
  if (nonceOffset + NONCE_BYTES > nonces.length) {
    nonces = randomBytes(NONCE_BYTES * 256);
    nonceOffset = 0;
  }
  const value = nonces.toString('base64url', nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return value;
}

/** The encoded protected headers of a signing key's tokens, by type: the same for every token it signs. */
const protectedHeaders = new WeakMap<HopSigningKey, Map<string, string>>();
function protectedHeaderOf(key: HopSigningKey, type: string): string {
  let byType = protectedHeaders.get(key);
  if (!byType) {
    byType = new Map();
    protectedHeaders.set(key, byType);
  }
  let encoded = byType.get(type);
  if (encoded === undefined) {
    encoded = Buffer.from(JSON.stringify({ alg: HOP_ALGORITHM, kid: key.kid, typ: type })).toString('base64url');
    byType.set(type, encoded);
  }
  return encoded;
}

export interface HopResult {
  caller: Caller | null;
  /** Set when a hop was present but refused: the shard refuses the call (UNAUTHENTICATED) with this reason. */
  error: string | null;
  /** The Idempotency-Key the gateway signed into the hop, if any. */
  idempotency?: HopIdempotency;
}

function parseCaller(value: unknown): Caller | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') throw new Error('caller is not an object');
  const { institution, roles, learnerId, subject } = value as Record<string, unknown>;
  if (typeof institution !== 'string' || !Array.isArray(roles) || !roles.every(isRole) || typeof subject !== 'string') {
    throw new Error('caller lacks institution, roles or subject');
  }
  return { institution, roles, learnerId: typeof learnerId === 'string' ? learnerId : null, subject };
}

function parseIdempotency(value: unknown): HopIdempotency | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, digest: operationDigest } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof operationDigest === 'string' ? { key, digest: operationDigest } : undefined;
}

/** A jose failure, said in the words of the hop. */
function reasonOf(error: unknown, audience: string, issuer: string): string {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'Refused an expired hop: it was signed more than its lifetime ago';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'Refused a hop signed with an unknown key id: no key of the hub has it';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `Refused a hop not signed with ${HOP_ALGORITHM}: only the hub's Ed25519 keys sign hops`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "Refused a hop whose signature does not verify with the hub's public key";
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud') return `Refused a hop addressed to another service: this one is ${audience}`;
      if (claim === 'iss') return `Refused a hop not issued by ${issuer}`;
      if (claim === 'nbf' || claim === 'iat') return 'Refused a hop issued in the future';
      return `Refused a hop whose ${claim ?? 'claims'} claim is missing or wrong`;
    default:
      return 'Refused a malformed hop: it must be a JWT signed by the hub';
  }
}

/**
 * The claims of one hop of a batch (`<root>~<hop>~<proof>`, hop-batch.ts), once the root verifies as the hub's, the
 * proof leads from the hop to it and the hop is addressed to `audience`; issue and expiry are the signed root's.
 */
async function batchedHop(
  parts: readonly string[],
  keys: JWTVerifyGetKey,
  expected: { audience: string; issuer: string; skew: number; now: number },
): Promise<{ payload: JWTPayload } | { error: string }> {
  const [signed = '', leaf = '', proof = ''] = parts;
  const steps = decodeProof(proof);
  if (parts.length !== 3 || steps === null || !BASE64URL.test(leaf))
    return { error: 'Refused a malformed batched hop: it must be the signed root, the hop and its proof' };
  let root: JWTPayload;
  try {
    ({ payload: root } = await jwtVerify(signed, keys, {
      algorithms: [HOP_ALGORITHM],
      typ: HOP_BATCH_TOKEN_TYPE,
      issuer: expected.issuer,
      clockTolerance: expected.skew,
      currentDate: new Date(expected.now),
      requiredClaims: ['iat', 'exp'],
    }));
  } catch (error) {
    return { error: reasonOf(error, expected.audience, expected.issuer) };
  }
  const bytes = Buffer.from(leaf, 'base64url');
  const signedRoot = typeof root.root === 'string' ? Buffer.from(root.root, 'base64url') : null;
  if (!signedRoot || signedRoot.length !== 32 || !rootOf(bytes, steps).equals(signedRoot))
    return { error: 'Refused a batched hop whose proof does not lead to the root the hub signed' };
  let claims: unknown;
  try {
    claims = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: 'Refused a batched hop whose claims are not JSON' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    return { error: 'Refused a batched hop whose claims are not an object' };
  const { aud, jti } = claims as JWTPayload;
  // Checked here rather than by jose: the signed root names no audience, each hop of the batch names its own.
  if (aud !== expected.audience)
    return { error: `Refused a hop addressed to another service: this one is ${expected.audience}` };
  if (typeof jti !== 'string' || jti === '') return { error: 'Refused a hop whose jti claim is missing or wrong' };
  // A hop's own issuer, issue or expiry, if it had any, would be unchecked by jose: the root's stand.
  return { payload: { ...claims, iss: root.iss, iat: root.iat, exp: root.exp } };
}

export interface HopVerifierOptions {
  /** The audience this service answers to ({@link hopAudience}). */
  audience: string;
  /** The public keys the signer may use; null refuses every signed call (and serves public data only). */
  keys: JWTVerifyGetKey | null;
  /** @default HUB_ISSUER */
  issuer?: string;
  /** @default DEFAULT_HOP_TTL_SECONDS */
  ttlSeconds?: number;
  /** @default DEFAULT_CLOCK_SKEW_SECONDS */
  skewSeconds?: number;
  /** @default DEFAULT_NONCE_CACHE_SIZE */
  nonceCacheSize?: number;
}

/** Checking half: reads a hop's headers. Without a hop the call is public; a refused hop never yields a caller. */
export function createHopVerifier(options: HopVerifierOptions) {
  const issuer = options.issuer ?? HUB_ISSUER;
  const ttl = options.ttlSeconds ?? DEFAULT_HOP_TTL_SECONDS;
  const skew = options.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  // A nonce is kept as long as its hop could still verify; after that, expiry refuses a replay.
  const seen = new LRUCache<string, true>({
    max: options.nonceCacheSize ?? DEFAULT_NONCE_CACHE_SIZE,
    ttl: (ttl + 2 * skew) * 1000,
  });
  const refuse = (error: string): HopResult => ({ caller: null, error });
  return async function verifyHop(
    headers: (name: string) => string | undefined,
    operation: HopOperation,
    now = Date.now(),
  ): Promise<HopResult> {
    const token = headers(HOP_HEADERS.hop);
    if (token === undefined) return { caller: null, error: null };
    if (!options.keys)
      return refuse(`This service has no public keys of ${issuer} configured and trusts no signed call`);
    let payload: JWTPayload;
    const parts = token.split(BATCH_SEPARATOR);
    if (parts.length === 1) {
      try {
        ({ payload } = await jwtVerify(token, options.keys, {
          algorithms: [HOP_ALGORITHM],
          typ: HOP_TOKEN_TYPE,
          issuer,
          audience: options.audience,
          clockTolerance: skew,
          currentDate: new Date(now),
          requiredClaims: ['iat', 'exp', 'jti'],
        }));
      } catch (error) {
        return refuse(reasonOf(error, options.audience, issuer));
      }
    } else {
      const read = await batchedHop(parts, options.keys, {
        audience: options.audience,
        issuer,
        skew,
        now,
      });
      if ('error' in read) return refuse(read.error);
      payload = read.payload;
    }
    const { iat = 0, exp = 0, jti = '' } = payload;
    if (iat > now / 1000 + skew) return refuse('Refused a hop issued in the future');
    if (exp - iat > ttl) return refuse(`Refused a hop valid for more than ${ttl} s`);
    if (payload.op !== digest(operation)) return refuse('Refused a hop signed for another operation');
    if (seen.has(jti)) return refuse('Refused a replayed hop: its nonce was used already');
    seen.set(jti, true);
    try {
      const idempotency = parseIdempotency(payload.idem);
      return { caller: parseCaller(payload.caller), error: null, ...(idempotency ? { idempotency } : {}) };
    } catch (error) {
      return refuse(`Refused a hop with an unreadable caller: ${(error as Error).message}`);
    }
  };
}
export type HopVerifier = ReturnType<typeof createHopVerifier>;

/**
 * What a hop signs for a plain GET (the change feed): its path and query, so a signature cannot be moved to
 * another cursor or route.
 */
export function getHopOperation(pathAndQuery: string): HopOperation {
  return { query: `GET ${pathAndQuery}`, variables: null };
}

/** The operation a request body carries, as the hop signs it. */
export function operationOf(body: unknown): HopOperation {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    query: typeof record.query === 'string' ? record.query : '',
    variables: typeof record.variables === 'object' ? (record.variables as Record<string, unknown> | null) : null,
  };
}
