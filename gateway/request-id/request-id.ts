import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Route } from '../../platform/http';
import type { GatewayPart } from '../part';

export interface RequestIdOptions {
  /** The header a request id is read from (a proxy's or client's) and written to on every response. @default 'x-request-id' */
  header?: string;
  /** Keep a well-formed incoming id (so one id follows a call through proxies) instead of making a new one. @default true */
  trustIncoming?: boolean;
}

export interface RequestIds extends GatewayPart {
  /** Runs first: gives the request its id and puts it on the response; never answers the request itself. */
  routes: readonly [Route];
  /** The id of a request (made on the spot if the route has not run). */
  requestIdOf(request: IncomingMessage): string;
}

export const DEFAULT_REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id ends up in logs, headers and signed hops: only short, plain ones are kept. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;
const REQUEST_ID = Symbol('hub.requestId');
type WithId = IncomingMessage & { [REQUEST_ID]?: string };

/** One id per request, on the response (`x-request-id`), in every error's extensions, on every log line and on the signed hop. */
export function useRequestId(options: RequestIdOptions = {}): RequestIds {
  const header = (options.header ?? DEFAULT_REQUEST_ID_HEADER).toLowerCase();
  const trustIncoming = options.trustIncoming ?? true;
  const requestIdOf = (request: IncomingMessage): string => {
    const withId = request as WithId;
    let id = withId[REQUEST_ID];
    if (id === undefined) {
      const incoming = trustIncoming ? request.headers[header] : undefined;
      id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
      withId[REQUEST_ID] = id;
    }
    return id;
  };
  return {
    name: 'request-id',
    requestIdOf,
    routes: [
      (request, response) => {
        response.setHeader(header, requestIdOf(request));
        return false;
      },
    ],
  };
}
