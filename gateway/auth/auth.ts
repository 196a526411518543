import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { UnauthenticatedError } from '../../schema/errors';
import { remoteKeySet } from '../../platform/remote-key-set';
import { callerInconsistency, isRole, ROLES, SERVICE_SUBJECT_PREFIX, type Caller } from '../../platform/caller';
import { issuerOf, type Registry } from '../registry/registry';

/**
 * Who is calling: a JWT issued by the caller's institution (RS256/ES256, checked against the institution's
 * JWKS from the registry) or, for the demo, an HS256 token signed with the hub's demo secret.
 * Claims: `institution`, `roles`, `learner_id` (learners), `sub`, `exp`, `iss`.
 */
export interface AuthOptions {
  registry: Registry;
  /** Secret for HS256 demo tokens (`npm run token`); null refuses HS256 altogether. */
  demoSecret: string | null;
  /** Seconds of clock difference tolerated on `exp`/`nbf`. @default 30 */
  clockToleranceSeconds?: number;
}

/** The issuer of tokens minted with the demo secret. */
export const DEMO_ISSUER = 'ecvet-hub-demo';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const ASYMMETRIC = ['RS256', 'ES256'];

export type Authenticate = (authorization: string | undefined) => Promise<Caller | null>;

/**
 * The caller a verified token describes. A member's token verifies only with the keys registered for the
 * institution it names (and the registry gives no two members one key or issuer), so its `institution` is its
 * signer; what else it may claim, about roles and learners, is `callerInconsistency`'s rule.
 */
function callerFrom(payload: JWTPayload, registry: Registry): Caller {
  const { institution, roles, learner_id: learnerId, sub } = payload as JWTPayload & Record<string, unknown>;
  if (typeof institution !== 'string' || !registry.institution(institution)) {
    throw new UnauthenticatedError(
      `Token names institution ${JSON.stringify(institution)}, which is not a member of this hub`,
    );
  }
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw new UnauthenticatedError(`Token roles must be a non-empty list of ${ROLES.join(', ')}`);
  }
  if (learnerId !== undefined && typeof learnerId !== 'string')
    throw new UnauthenticatedError('Token learner_id must be a string');
  if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError('Token has no subject (sub)');
  if (sub.startsWith(SERVICE_SUBJECT_PREFIX)) {
    throw new UnauthenticatedError(
      `Token subject ${sub} is refused: subjects starting "${SERVICE_SUBJECT_PREFIX}" are reserved for the hub's own services`,
    );
  }
  const caller: Caller = {
    institution,
    roles,
    learnerId: typeof learnerId === 'string' ? learnerId : null,
    subject: sub,
  };
  // The agency role is the registry's to give: only an agency entry's tokens carry it, and they carry nothing else.
  const agency = registry.agencyCountries(institution) !== null;
  if (agency !== roles.includes('agency')) {
    throw new UnauthenticatedError(
      agency
        ? `Token refused: ${institution} is an agency, whose tokens hold the agency role only`
        : `Token refused: ${institution} is not an agency of this hub, so it may not grant the agency role`,
    );
  }
  const inconsistency = callerInconsistency(caller);
  if (inconsistency) throw new UnauthenticatedError(`Token refused: ${inconsistency}`);
  return caller;
}

export function createAuthenticator(options: AuthOptions): Authenticate {
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const keySets = new Map<string, JWTVerifyGetKey>();
  const demoKey = options.demoSecret ? new TextEncoder().encode(options.demoSecret) : null;

  const keySetOf = (code: string): JWTVerifyGetKey | null => {
    const cached = keySets.get(code);
    if (cached) return cached;
    const entry = options.registry.institution(code);
    // The registry checks the set's shape; jose checks each key when it is used.
    const keySet = entry?.jwks
      ? createLocalJWKSet(entry.jwks as unknown as JSONWebKeySet)
      : entry?.jwksUrl
        ? remoteKeySet(new URL(entry.jwksUrl))
        : null;
    if (keySet) keySets.set(code, keySet);
    return keySet;
  };

  return async (authorization) => {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    const token = match[1];
    let alg: string | undefined;
    let claimed: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      claimed = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    } catch {
      throw new UnauthenticatedError('Bearer token is not a well-formed JWT');
    }
    try {
      if (alg === 'HS256') {
        if (!demoKey) {
          throw new UnauthenticatedError(
            'HS256 demo tokens are not accepted by this hub: it was started without HUB_DEMO_TOKEN_SECRET (npm start sets one; with npm run gateway, set the secret the token was signed with). Members sign their tokens with RS256 or ES256.',
          );
        }
        const { payload } = await jwtVerify(token, demoKey, {
          algorithms: ['HS256'],
          issuer: DEMO_ISSUER,
          clockTolerance: tolerance,
          requiredClaims: ['exp'],
        });
        return callerFrom(payload, options.registry);
      }
      if (!alg || !ASYMMETRIC.includes(alg))
        throw new UnauthenticatedError(`Token algorithm ${alg} is not accepted: use RS256 or ES256`);
      const code = (claimed as Record<string, unknown> | null)?.institution;
      const entry = typeof code === 'string' ? options.registry.institution(code) : undefined;
      const keySet = typeof code === 'string' ? keySetOf(code) : null;
      if (!entry || !keySet)
        throw new UnauthenticatedError(
          `Token names institution ${JSON.stringify(code)}, which has no keys registered in this hub`,
        );
      const { payload } = await jwtVerify(token, keySet, {
        algorithms: ASYMMETRIC,
        issuer: issuerOf(entry),
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
      });
      return callerFrom(payload, options.registry);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      throw new UnauthenticatedError(`Bearer token refused: ${describe(error)}`);
    }
  };
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return (error as Error).message;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'its signature does not verify';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no registered key of its institution matches it';
    default:
      return (error as Error).message;
  }
}
