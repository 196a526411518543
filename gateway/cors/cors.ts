import type { Route } from '../../platform/http';

export interface CorsOptions {
  /**
   * Origins (scheme://host[:port], exactly) whose browser pages may call the hub; `*` lets any page call it
   * (the hub uses bearer tokens, never cookies, so no credentials are ever allowed). @default [] (none)
   */
  origins?: readonly string[];
  /** Request headers a page may send. @default DEFAULT_CORS_ALLOWED_HEADERS */
  allowedHeaders?: readonly string[];
  /** Response headers a page may read. @default DEFAULT_CORS_EXPOSED_HEADERS */
  exposedHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. @default 600 */
  maxAgeSeconds?: number;
}

export const DEFAULT_CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
] as const;
export const DEFAULT_CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after'] as const;
export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;
const METHODS = 'GET, POST, OPTIONS';

/** `CORS_ORIGINS`: comma-separated, blanks dropped, a trailing slash ignored (browsers send origins without one). */
export function parseOrigins(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
}

/**
 * CORS for browser clients: an allowed Origin gets its own origin back (with `Vary: Origin`), a preflight is
 * answered here (204); any other Origin gets no CORS header at all, so the browser keeps the answer from the page.
 * CSRF is Apollo's `csrfPrevention`: a simple request (GET, or a form-like POST) without a preflight is refused.
 */
export function useCors(options: CorsOptions = {}): Route {
  const allowed = new Set(options.origins ?? []);
  const any = allowed.has('*');
  const allowHeaders = (options.allowedHeaders ?? DEFAULT_CORS_ALLOWED_HEADERS).join(', ');
  const exposeHeaders = (options.exposedHeaders ?? DEFAULT_CORS_EXPOSED_HEADERS).join(', ');
  const maxAge = String(options.maxAgeSeconds ?? DEFAULT_CORS_MAX_AGE_SECONDS);
  return (request, response) => {
    const origin = request.headers.origin;
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (origin === undefined) return false;
    response.setHeader('vary', 'Origin');
    const permitted = any || allowed.has(origin);
    if (permitted) {
      response.setHeader('access-control-allow-origin', any ? '*' : origin);
      response.setHeader('access-control-expose-headers', exposeHeaders);
    }
    if (!preflight) return false;
    if (permitted) {
      response.setHeader('access-control-allow-methods', METHODS);
      response.setHeader('access-control-allow-headers', allowHeaders);
      response.setHeader('access-control-max-age', maxAge);
    }
    response.writeHead(204);
    response.end();
    return true;
  };
}
