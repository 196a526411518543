import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import type { HopSigningKey } from '../../subgraphs/shared/hop-keys';
import { sendJson, type Route } from '../../subgraphs/shared/http';

/** Where the hub publishes the public keys its hops are signed with; shards read it through HUB_HOP_JWKS_URL. */
export const HOP_KEYS_PATH = '/.well-known/hub-hop-keys.json';

/**
 * `GET /.well-known/hub-hop-keys.json`: the signing key's public half and the rollover keys, as a JWKS. Shards that
 * fetch it follow a rotation without a restart. Only public halves are ever listed.
 */
export function hopKeysRoute(options: { key: HopSigningKey | null; rollover?: JSONWebKeySet }): Route {
  const seen = new Set<string>();
  const keys = [...(options.key ? [options.key.publicJwk] : []), ...(options.rollover?.keys ?? [])].filter((jwk) => {
    const fresh = typeof jwk.kid === 'string' && !seen.has(jwk.kid);
    if (typeof jwk.kid === 'string') seen.add(jwk.kid);
    return fresh;
  });
  const body: JSONWebKeySet = { keys: keys.map(({ kty, crv, x, kid, alg, use }) => ({ kty, crv, x, kid, alg, use })) };
  return (request: IncomingMessage, response: ServerResponse) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== HOP_KEYS_PATH) return false;
    response.setHeader('cache-control', 'public, max-age=300');
    sendJson(response, 200, body);
    return true;
  };
}
