import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import { sendJson, type Route } from './http';

/** Where the gateway publishes the public keys its hops are signed with (shards read it through HUB_HOP_JWKS_URL). */
export const HOP_KEYS_PATH = '/.well-known/hub-hop-keys.json';
/** Where a shard publishes the public key of its service calls to the hub (the registry's `serviceJwksUrl`). */
export const SERVICE_KEYS_PATH = '/.well-known/service-keys.json';

/**
 * `GET <path>`: public keys as a JWKS, each listed once by key id. Only public members are copied, so a private
 * key given by mistake cannot leak through it. Those who fetch it follow a rotation without a restart.
 */
export function jwksRoute(path: string, keys: readonly JWK[]): Route {
  const seen = new Set<string>();
  const body = {
    keys: keys
      .filter((jwk) => typeof jwk.kid === 'string' && !seen.has(jwk.kid) && Boolean(seen.add(jwk.kid)))
      .map(({ kty, crv, x, kid, alg, use }) => ({ kty, crv, x, kid, alg, use })),
  };
  return (request: IncomingMessage, response: ServerResponse) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) return false;
    response.setHeader('cache-control', 'public, max-age=300');
    sendJson(response, 200, body);
    return true;
  };
}
