import { UnauthenticatedError } from '../../schema/errors';
import type { Caller } from '../../subgraphs/shared/caller';
import { createHopVerifier, HOP_HEADERS, type HopOperation, type HopVerifier } from '../../subgraphs/shared/signed-hop';
import type { Registry, Shard } from '../registry/registry';

/**
 * Shards that read what other shards own (a mobilities shard checking a memorandum) call the hub as a
 * service of their institution, signing the call with the hop secret they share with the hub. This checks
 * such a call: the signature must verify with the claimed institution's secret, and the service acts as a
 * viewer of that institution only.
 */
export function createServiceAuthenticator(options: { registry: Registry; secretFor: (shard: Shard) => string | null }) {
  const verifiers = new Map<string, HopVerifier>();
  return (header: (name: string) => string | undefined, operation: HopOperation): Caller | null => {
    if (!header(HOP_HEADERS.signature)) return null;
    let claimed: { institution?: unknown; subject?: unknown };
    try {
      claimed = JSON.parse(Buffer.from(header(HOP_HEADERS.caller) ?? '', 'base64url').toString('utf8')) as typeof claimed;
    } catch {
      throw new UnauthenticatedError('A signed service call must name its caller');
    }
    const institution = typeof claimed.institution === 'string' ? claimed.institution : '';
    const kind = typeof claimed.subject === 'string' ? (/^service:([a-z]+)@/.exec(claimed.subject)?.[1] ?? '') : '';
    const shard = options.registry.shard(kind, institution);
    const secret = shard ? options.secretFor(shard) : null;
    if (!shard || !secret) throw new UnauthenticatedError(`No ${kind || 'service'} shard of ${institution || 'an unnamed institution'} may call the hub`);
    let verify = verifiers.get(shard.url);
    if (!verify) {
      verify = createHopVerifier({ secret });
      verifiers.set(shard.url, verify);
    }
    const result = verify(header, operation);
    if (!result.caller) throw new UnauthenticatedError(result.error ?? 'Refused an unsigned service call');
    if (result.caller.institution !== institution || result.caller.roles.some((role) => role !== 'viewer')) {
      throw new UnauthenticatedError('A service call acts as a viewer of its own institution only');
    }
    return result.caller;
  };
}
