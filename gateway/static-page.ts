import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '../platform/http';
import { projectRoot } from '../platform/project-root';

/** What the gateway's own pages may do: inline script and style, and talk to the hub they came from. */
export const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

/**
 * A page of the gateway's own (`/dashboard`, `/outcomes`, `/overview`): one static HTML file, no framework, answered
 * at `/<name>` and `/<name>/`. The file is not compiled: it is read from the project once (the image copies the
 * gateway's pages too).
 */
export function staticPage(name: string, file: readonly string[], csp: string = PAGE_CSP): Route {
  const page = readFileSync(join(projectRoot(), ...file));
  const paths = new Set([`/${name}`, `/${name}/`]);
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || !paths.has(path)) return false;
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': csp,
    });
    response.end(page);
    return true;
  };
}
