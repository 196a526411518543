import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { sendJson, type Route } from '../../platform/http';
import type { HubContext } from '../context';
import type { StatisticsCell } from './merge';

export interface StatisticsExportOptions {
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  contextOf: (request: IncomingMessage) => Promise<HubContext>;
}

const COLUMNS = [
  'measure',
  'country',
  'institution',
  'partnerCountry',
  'partnerInstitution',
  'month',
  'value',
  'learners',
  'suppressed',
  // Added after the first release: last, so existing readers of the columns by position keep working.
  'field',
  'eqfLevel',
] as const;

const QUERY = `query($filter: EcvetStatisticsFilter, $groupBy: [EcvetStatisticsGroupBy!]) {
  ecvetStatistics(filter: $filter, groupBy: $groupBy) {
    cells { ${COLUMNS.join(' ')} } missingInstitutions institutions suppressionThreshold
  }
}`;

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

interface Exported {
  cells: StatisticsCell[];
  missingInstitutions: string[];
  institutions: string[];
  suppressionThreshold: number;
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string | number | boolean | null): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(statistics: Exported): string {
  const lines = [COLUMNS.join(',')];
  for (const cell of statistics.cells) lines.push(COLUMNS.map((column) => csvField(cell[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const list = (value: string | null) => (value === null || value === '' ? undefined : value.split(','));

/**
 * `GET /statistics/ecvet.csv` and `/statistics/ecvet.json` (`?from=YYYY-MM&to=YYYY-MM&countries=LV,FI&groupBy=
 * COUNTRY,MONTH`): `ecvetStatistics` as a file for an agency's reports, with the same token, rules and suppression.
 * The CSV names missing institutions in an `X-Hub-Missing-Institutions` header; the JSON carries them as the field does.
 */
export function useStatisticsExport(options: StatisticsExportOptions): { routes: Route[] } {
  const route: Route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/statistics\/ecvet\.(csv|json)$/.exec(url.pathname);
    if (!match || request.method !== 'GET') return false;
    const format = match[1] as 'csv' | 'json';
    let context: HubContext;
    try {
      context = await options.contextOf(request);
    } catch (error) {
      const extensions = (error as { extensions?: { code?: string } }).extensions;
      sendJson(response, STATUS[extensions?.code ?? ''] ?? 401, {
        errors: [{ message: (error as Error).message, extensions }],
      });
      return true;
    }
    const filter = {
      from: url.searchParams.get('from') ?? undefined,
      to: url.searchParams.get('to') ?? undefined,
      countries: list(url.searchParams.get('countries')),
    };
    const answer = await options.execute(
      QUERY,
      { filter, groupBy: list(url.searchParams.get('groupBy')) ?? [] },
      context,
    );
    const statistics = answer.data?.ecvetStatistics as Exported | undefined;
    if (!statistics) {
      const error = answer.errors?.[0];
      const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
      sendJson(response, STATUS[code] ?? 500, {
        errors: [{ message: error?.message ?? 'No statistics', extensions: { code } }],
      });
      return true;
    }
    const headers = {
      'content-disposition': `attachment; filename="ecvet-statistics.${format}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'x-request-id': context.requestId,
    };
    if (format === 'json') {
      response.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(statistics, null, 2));
    } else {
      response.writeHead(200, {
        ...headers,
        'content-type': 'text/csv; charset=utf-8; header=present',
        'x-hub-missing-institutions': statistics.missingInstitutions.join(','),
      });
      response.end(toCsv(statistics));
    }
    return true;
  };
  return { routes: [route] };
}
