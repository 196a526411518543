import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '../../platform/http';
import { projectRoot } from '../../platform/project-root';
import type { GatewayPart } from '../part';

/**
 * `/outcomes`: an editor for learning outcome statements. As the coordinator types, the page asks the hub's
 * public `reviewLearningOutcome` and `similarLearningOutcomes` and shows findings, EQF level, ESCO concepts to
 * pick and other institutions' similar outcomes; the result is copied as a `LearningOutcomeInput`. One static
 * page like `/dashboard`: no framework, no token (the review is public).
 */
export function useOutcomeEditor(): GatewayPart {
  // The page is not compiled: it is read from the project (the image copies gateway/ pages too).
  const page = readFileSync(join(projectRoot(), 'gateway', 'outcomes', 'page.html'));
  const route: Route = (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || (path !== '/outcomes' && path !== '/outcomes/')) return false;
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    });
    response.end(page);
    return true;
  };
  return { name: 'outcome-editor', routes: [route] };
}
