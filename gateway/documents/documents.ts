import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { ownerOf } from '../../schema/ids';
import { sendJson, type Route } from '../../platform/http';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';

export interface DocumentRoutesOptions {
  /** The context a GraphQL request with these headers would get (token checked, request id). */
  contextOf: (request: IncomingMessage) => Promise<HubContext>;
  /** Runs a query through the supergraph, as for `POST /graphql`. */
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
}

interface DownloadedDocument {
  mediaType: string;
  fileName: string;
  content: string;
}

const TRANSCRIPT =
  'query($id: ID!, $format: DocumentFormat!) { transcriptDocument(id: $id, format: $format) { mediaType fileName content } }';
const CERTIFICATE =
  'query($code: String!) { verifyCertificate(code: $code) { document(format: EDC) { mediaType fileName content } } }';
const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  GATEWAY_TIMEOUT: 504,
  SHARD_UNAVAILABLE: 503,
};

/**
 * `GET /documents/transcript/<id>.xml|json` and `GET /documents/certificate/<code>.json`: the documents of the
 * GraphQL `document` fields as plain downloads, through the same query path (owner routing, signed hops,
 * party rules): a transcript for its parties only, a certificate for anyone with its code.
 */
export function useDocuments(options: DocumentRoutesOptions): GatewayPart {
  const route: Route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^\/documents\/(transcript|certificate)\/([^/]+)\.(xml|json)$/.exec(path);
    if (!match || request.method !== 'GET') return false;
    const [, kind, encoded, extension] = match as unknown as [
      string,
      'transcript' | 'certificate',
      string,
      'xml' | 'json',
    ];
    let id: string;
    try {
      id = decodeURIComponent(encoded);
    } catch {
      sendJson(response, 400, {
        errors: [
          {
            message: `The document ID in ${path} is not valid percent-encoded UTF-8`,
            extensions: { code: 'BAD_USER_INPUT', field: 'id' },
          },
        ],
      });
      return true;
    }
    if (!ownerOf(id) || !id.includes(':') || (kind === 'certificate' && extension !== 'json')) {
      sendJson(response, 404, { errors: [{ message: `No document at ${path}`, extensions: { code: 'NOT_FOUND' } }] });
      return true;
    }
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
    const answer =
      kind === 'transcript'
        ? await options.execute(TRANSCRIPT, { id, format: extension === 'xml' ? 'ELMO' : 'EDC' }, context)
        : await options.execute(CERTIFICATE, { code: id }, context);
    const document = (
      kind === 'transcript'
        ? answer.data?.transcriptDocument
        : (answer.data?.verifyCertificate as { document?: unknown } | null | undefined)?.document
    ) as DownloadedDocument | null | undefined;
    if (!document) {
      const error = answer.errors?.[0];
      const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'NOT_FOUND';
      sendJson(response, STATUS[code] ?? 500, {
        errors: error
          ? [{ message: error.message, extensions: { code } }]
          : [{ message: `No ${kind} ${id}`, extensions: { code } }],
      });
      return true;
    }
    response.writeHead(200, {
      'content-type': `${document.mediaType}; charset=utf-8`,
      'content-disposition': `attachment; filename="${document.fileName}"`,
      'x-content-type-options': 'nosniff',
      // Transcripts are personal data: no shared cache keeps them.
      'cache-control': kind === 'transcript' ? 'private, no-store' : 'no-cache',
      'x-request-id': context.requestId,
    });
    response.end(document.content);
    return true;
  };
  return { name: 'documents', routes: [route] };
}
