import type { IncomingMessage } from 'node:http';
import { BadUserInputError } from '../../schema/errors';
import type { Route } from '../../platform/http';

/** A UTF-16 code unit of a surrogate pair standing alone: no UTF-8 encodes it, so no record may hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Decodes one percent-encoded URL component, refusing what a lenient decoder would turn into U+FFFD. */
function decodeComponent(encoded: string, where: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new BadUserInputError(
      `The ${where} is not valid percent-encoded UTF-8: every % must start %XX and the bytes must be UTF-8`,
      where,
    );
  }
}

/** The path and each query-string key and value, decoded strictly; throws BAD_USER_INPUT naming the part. */
export function checkRequestUrl(url: string): void {
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  decodeComponent(path, 'URL path');
  if (question === -1) return;
  for (const pair of url.slice(question + 1).split('&')) {
    for (const part of pair.split('=')) decodeComponent(part.replace(/\+/g, ' '), 'query string');
  }
}

/** Every string of a parsed JSON body, keys included, is well-formed UTF-16; throws BAD_USER_INPUT naming where. */
export function checkBodyStrings(value: unknown, path = 'body'): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      throw new BadUserInputError(
        `${path} holds a lone surrogate (\\uD800–\\uDFFF without its pair): text must be valid Unicode`,
        path,
      );
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkBodyStrings(item, `${path}[${index}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key))
        throw new BadUserInputError(`A key in ${path} holds a lone surrogate: text must be valid Unicode`, path);
      checkBodyStrings(item, `${path}.${key}`);
    }
  }
}

/** The fields of a GraphQL-over-HTTP request the gateway checks before Apollo reads them. */
export interface GraphQLRequestFields {
  query?: unknown;
  extensions?: unknown;
}

/** A GET request's parameters, `variables` and `extensions` read as JSON (Apollo refuses them when they are not). */
export function getParameters(request: IncomingMessage): GraphQLRequestFields & { variables?: unknown } {
  const parameters = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const json = (name: string): unknown => {
    try {
      return JSON.parse(parameters.get(name) ?? 'null');
    } catch {
      return undefined;
    }
  };
  return { query: parameters.get('query') ?? undefined, variables: json('variables'), extensions: json('extensions') };
}

function mediaTypeOf(request: IncomingMessage): { type: string; charset: string | null } {
  const [type = '', ...parameters] = (request.headers['content-type'] ?? '').split(';');
  const charset = parameters.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  return {
    type: type.trim().toLowerCase(),
    charset: charset ? charset.slice('charset='.length).replace(/"/g, '') : null,
  };
}

/**
 * The first route: a URL that does not decode as UTF-8 is refused on every path, and a POST to GraphQL must
 * be JSON in UTF-8 (form and text bodies are what a hostile page can send without a CORS preflight).
 */
export function httpInputRoute(graphqlPath = '/graphql'): Route {
  return (request) => {
    const url = request.url ?? '/';
    checkRequestUrl(url);
    if (request.method !== 'POST' || new URL(url, 'http://localhost').pathname !== graphqlPath) return false;
    const { type, charset } = mediaTypeOf(request);
    if (type !== 'application/json') {
      throw new BadUserInputError(
        `Content-Type "${type || '(none)'}" is not accepted: send the body as application/json (text and form bodies are refused against Cross-Site Request Forgery)`,
        'content-type',
      );
    }
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
      throw new BadUserInputError(
        `Content-Type charset "${charset}" is not accepted: JSON is sent in UTF-8`,
        'content-type',
      );
    }
    return false;
  };
}
