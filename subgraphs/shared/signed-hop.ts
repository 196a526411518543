import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isRole, type Caller } from './caller';

/**
 * The signed hop: the gateway vouches for the caller to a shard. Both halves live here so they cannot drift.
 * The signature covers the time, the request ID, the caller and the operation itself, so a captured header
 * set cannot be replayed later, reused for another query, or edited to claim another caller.
 */
export const HOP_HEADERS = {
  caller: 'x-hub-caller',
  requestId: 'x-hub-request-id',
  nonce: 'x-hub-nonce',
  timestamp: 'x-hub-timestamp',
  signature: 'x-hub-signature',
} as const;

/**
 * The client's Idempotency-Key and the digest of its whole operation, as `<digest> <key>` (a key is visible ASCII,
 * so the first space splits them). Optional, and covered by the signature when present: a shard trusts a key only
 * as the gateway vouched for it. Not one of HOP_HEADERS, which every hop carries.
 */
export const HOP_IDEMPOTENCY_HEADER = 'x-hub-idempotency';

/** An Idempotency-Key as it crosses the hop. */
export interface HopIdempotency {
  key: string;
  /** Digest of the client's whole operation (query, variables, operation name) at the gateway. */
  digest: string;
}

/** How far a hop's clock may be from the shard's before it counts as stale. */
export const DEFAULT_HOP_WINDOW_MS = 30_000;

export interface HopOperation {
  query: string;
  variables?: Record<string, unknown> | null;
}

function digest(operation: HopOperation): string {
  return createHash('sha256')
    .update(operation.query)
    .update('\n')
    .update(JSON.stringify(operation.variables ?? {}))
    .digest('base64url');
}

interface Signed {
  timestamp: string;
  nonce: string;
  requestId: string;
  caller: string;
}

function sign(secret: string, signed: Signed, operation: HopOperation, idempotency: string | undefined): string {
  // The operation digest has a fixed length, so the optional suffix cannot be confused with another payload.
  const payload = `${signed.timestamp}.${signed.nonce}.${signed.requestId}.${signed.caller}.${digest(operation)}${idempotency === undefined ? '' : `\n${idempotency}`}`;
  return `v1=${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** Gateway half: the headers that carry `caller` (or nobody) to a shard for `operation`. */
export function signHop(options: {
  secret: string;
  caller: Caller | null;
  requestId: string;
  operation: HopOperation;
  /** The client's Idempotency-Key for a mutation; absent, the hop is signed as before. */
  idempotency?: HopIdempotency | null;
  now?: number;
}): Record<string, string> {
  const signed: Signed = {
    timestamp: String(options.now ?? Date.now()),
    nonce: randomBytes(12).toString('base64url'),
    requestId: options.requestId,
    caller: options.caller ? Buffer.from(JSON.stringify(options.caller), 'utf8').toString('base64url') : '',
  };
  const idempotency = options.idempotency ? `${options.idempotency.digest} ${options.idempotency.key}` : undefined;
  return {
    [HOP_HEADERS.caller]: signed.caller,
    [HOP_HEADERS.requestId]: signed.requestId,
    [HOP_HEADERS.nonce]: signed.nonce,
    [HOP_HEADERS.timestamp]: signed.timestamp,
    [HOP_HEADERS.signature]: sign(options.secret, signed, options.operation, idempotency),
    ...(idempotency === undefined ? {} : { [HOP_IDEMPOTENCY_HEADER]: idempotency }),
  };
}

export interface HopResult {
  caller: Caller | null;
  /** Set when a signature was present but refused; the shard answers UNAUTHENTICATED where a caller is needed. */
  error: string | null;
  /** The Idempotency-Key the gateway signed into the hop, if any (absent on unsigned or refused calls). */
  idempotency?: HopIdempotency;
}

function parseIdempotency(value: string): HopIdempotency | undefined {
  const space = value.indexOf(' ');
  return space > 0 && space < value.length - 1 ? { digest: value.slice(0, space), key: value.slice(space + 1) } : undefined;
}

function parseCaller(encoded: string): Caller | null {
  if (encoded === '') return null;
  const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('caller is not an object');
  const { institution, roles, learnerId, subject } = value as Record<string, unknown>;
  if (typeof institution !== 'string' || !Array.isArray(roles) || !roles.every(isRole) || typeof subject !== 'string') {
    throw new Error('caller lacks institution, roles or subject');
  }
  return { institution, roles, learnerId: typeof learnerId === 'string' ? learnerId : null, subject };
}

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

/** Shard half: checks a hop's headers. Unsigned calls are public; a bad signature never yields a caller. */
export function createHopVerifier(options: { secret: string | null; windowMs?: number }) {
  const windowMs = options.windowMs ?? DEFAULT_HOP_WINDOW_MS;
  const seen = new LRUCache<string, true>({ max: 200_000, ttl: windowMs * 2 });
  return function verifyHop(headers: (name: string) => string | undefined, operation: HopOperation, now = Date.now()): HopResult {
    const signature = headers(HOP_HEADERS.signature);
    if (!signature) return { caller: null, error: null };
    if (!options.secret) return { caller: null, error: 'This shard has no hop secret configured and trusts no caller' };
    const signed: Signed = {
      timestamp: headers(HOP_HEADERS.timestamp) ?? '',
      nonce: headers(HOP_HEADERS.nonce) ?? '',
      requestId: headers(HOP_HEADERS.requestId) ?? '',
      caller: headers(HOP_HEADERS.caller) ?? '',
    };
    const sentAt = Number(signed.timestamp);
    if (!Number.isFinite(sentAt) || Math.abs(now - sentAt) > windowMs) {
      return { caller: null, error: `Refused a stale or undated call from the gateway (more than ${windowMs} ms off)` };
    }
    const idempotency = headers(HOP_IDEMPOTENCY_HEADER);
    const expected = Buffer.from(sign(options.secret, signed, operation, idempotency));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { caller: null, error: 'Refused a call whose hub signature does not match' };
    }
    if (seen.has(signature)) return { caller: null, error: 'Refused a replayed call: this signature was used already' };
    seen.set(signature, true);
    try {
      const vouched = idempotency === undefined ? undefined : parseIdempotency(idempotency);
      return { caller: parseCaller(signed.caller), error: null, ...(vouched ? { idempotency: vouched } : {}) };
    } catch (error) {
      return { caller: null, error: `Refused a signed call with an unreadable caller: ${(error as Error).message}` };
    }
  };
}
export type HopVerifier = ReturnType<typeof createHopVerifier>;
