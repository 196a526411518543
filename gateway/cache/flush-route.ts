import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, type Route } from '../../platform/http';
import type { Registry } from '../registry/registry';

export interface FlushRouteOptions {
  /** @default '/cache/flush' */
  path?: string;
  /** Bearer token of the operators allowed to flush; none: the route answers 404. */
  operatorToken: string | null;
  registry: Registry;
  /** Drops one institution's entries; how many, or null where the store does not count them. */
  flush: (institution: string) => Promise<number | null>;
}

/** `POST /cache/flush?institution=<code>` (or another `path`) for operators. */
export function flushRoute(options: FlushRouteOptions): Route {
  const operatorToken = options.operatorToken ? Buffer.from(`Bearer ${options.operatorToken}`) : null;
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== (options.path ?? '/cache/flush')) return false;
    return (async () => {
      const presented = Buffer.from(request.headers.authorization ?? '');
      if (
        !operatorToken ||
        request.method !== 'POST' ||
        presented.length !== operatorToken.length ||
        !timingSafeEqual(presented, operatorToken)
      ) {
        sendJson(response, operatorToken ? 403 : 404, {
          error: operatorToken
            ? 'POST with the operator token (HUB_OPERATOR_TOKEN) as bearer'
            : 'No operator token is configured',
        });
        return true;
      }
      const institution = url.searchParams.get('institution') ?? '';
      if (!options.registry.institutions.some((known) => known.code === institution)) {
        sendJson(response, 400, { error: `institution "${institution}" is not in the registry` });
        return true;
      }
      sendJson(response, 200, { institution, dropped: await options.flush(institution) });
      return true;
    })();
  };
}
