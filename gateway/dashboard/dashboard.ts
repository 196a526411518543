import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '../../platform/http';
import { projectRoot } from '../../platform/project-root';
import type { GatewayPart } from '../part';

/**
 * `/dashboard`: a coordinator's live table of assessments from partner schools, on the hub's own
 * subscriptions. One static page, no framework: the browser speaks graphql-ws to /graphql itself.
 */
export function useDashboard(): GatewayPart {
  // The page is not compiled: it is read from the project (the image copies it too).
  const page = readFileSync(join(projectRoot(), 'gateway', 'dashboard', 'page.html'));
  const route: Route = (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || (path !== '/dashboard' && path !== '/dashboard/')) return false;
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    });
    response.end(page);
    return true;
  };
  return { name: 'dashboard', routes: [route] };
}
