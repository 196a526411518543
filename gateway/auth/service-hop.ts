import { createLocalJWKSet, decodeJwt, type JWTVerifyGetKey } from 'jose';
import { hopKeyResolver } from '../../platform/hop-keys';
import { UnauthenticatedError } from '../../schema/errors';
import type { Caller } from '../../platform/caller';
import {
  createHopVerifier,
  HOP_HEADERS,
  HUB_ISSUER,
  serviceIssuer,
  type HopOperation,
  type HopVerifier,
} from '../../platform/signed-hop';
import type { Registry } from '../registry/registry';

/**
 * Shards that read what other shards own (a mobilities shard checking a memorandum) call the hub as a service
 * of their institution, signing the call with their own private key. This checks such a call: the token must
 * verify with the public key the registry lists for that very shard (`serviceJwks` of its institution, by kind, or
 * the `serviceJwksUrl` where that shard publishes it),
 * be addressed to the hub, and the service acts as a viewer of its own institution only.
 */
export function createServiceAuthenticator(options: { registry: Registry }) {
  const verifiers = new Map<string, HopVerifier>();
  return async (header: (name: string) => string | undefined, operation: HopOperation): Promise<Caller | null> => {
    const token = header(HOP_HEADERS.hop);
    if (token === undefined) return null;
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError(
        'A signed service call must be a JWT naming its issuer (service:<kind>@<institution>)',
      );
    }
    const [, kind = '', institution = ''] =
      (typeof issuer === 'string' ? /^service:([a-z]+)@(.+)$/.exec(issuer) : null) ?? [];
    const entry = options.registry.institution(institution);
    const inline = entry?.serviceJwks?.[kind];
    const url = entry?.serviceJwksUrl?.[kind];
    if (!options.registry.shard(kind, institution) || (!inline && !url)) {
      throw new UnauthenticatedError(
        `No ${kind || 'service'} shard of ${institution || 'an unnamed institution'} has service keys in the registry: it may not call the hub`,
      );
    }
    let verify = verifiers.get(serviceIssuer(kind, institution));
    if (!verify) {
      const keys: JWTVerifyGetKey | null = inline ? createLocalJWKSet(inline) : hopKeyResolver({ jwksUrl: url });
      verify = createHopVerifier({ audience: HUB_ISSUER, issuer: serviceIssuer(kind, institution), keys });
      verifiers.set(serviceIssuer(kind, institution), verify);
    }
    const result = await verify(header, operation);
    if (!result.caller) throw new UnauthenticatedError(result.error ?? 'Refused a service call that names no caller');
    if (
      result.caller.institution !== institution ||
      result.caller.subject !== serviceIssuer(kind, institution) ||
      result.caller.roles.some((role) => role !== 'viewer')
    ) {
      throw new UnauthenticatedError('A service call acts as a viewer of its own institution only');
    }
    return result.caller;
  };
}
