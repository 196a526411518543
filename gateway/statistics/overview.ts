import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Route } from '../../platform/http';
import { staticPage } from '../static-page';

const CHART_PATH = '/overview/chart.umd.min.js';

/**
 * `/overview`: a national agency's live charts of `ecvetStatisticsChanged`, drawn with Chart.js served by the hub
 * itself from its own dependencies (no CDN: the page works where the hub does). One static page, like /dashboard.
 */
export function useOverviewPage(): { routes: Route[] } {
  // The chart library is the hub's own script: 'self'.
  const page = staticPage(
    'overview',
    ['gateway', 'statistics', 'overview.html'],
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  );
  // Read on first use: a gateway whose node_modules lacks the library still starts, and says what is missing here.
  let chart: Buffer | null = null;
  const chartLibrary = (): Buffer | null => {
    try {
      chart ??= readFileSync(join(dirname(createRequire(__filename).resolve('chart.js')), 'chart.umd.min.js'));
    } catch {
      return null;
    }
    return chart;
  };
  const library: Route = (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || path !== CHART_PATH) return false;
    const script = chartLibrary();
    if (!script) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('The chart library (npm package chart.js) is not installed with this gateway: run npm install.');
      return true;
    }
    response.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=86400',
      'x-content-type-options': 'nosniff',
    });
    response.end(script);
    return true;
  };
  return { routes: [page, library] };
}
