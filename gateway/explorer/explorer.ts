import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Route } from '../../platform/http';
import type { GatewayPart } from '../part';

/**
 * The GraphQL IDE a browser gets at `/graphql`: GraphiQL served from the hub's own dependencies, so it works
 * offline and on school networks that block CDNs (Apollo's default landing page loads Sandbox and fonts from
 * the internet). Queries, subscriptions (graphql-ws on the same URL) and an `Authorization` header that applies
 * to both. Development only: production turns the landing page off, as before.
 *
 * GraphiQL 3 is the last line shipping a browser bundle (React 18 as globals); later lines need a bundler.
 */

const ASSET_PREFIX = '/explorer/';

/** File name under `/explorer/` → the package file it is read from, and its type. */
const VENDOR: Record<string, { module: string; type: string }> = {
  'react.production.min.js': { module: 'react/umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.production.min.js': { module: 'react-dom/umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.min.js': { module: 'graphiql/graphiql.min.js', type: 'text/javascript' },
  'graphiql.min.css': { module: 'graphiql/graphiql.min.css', type: 'text/css' },
  'graphql-ws.min.js': { module: 'graphql-ws/umd/graphql-ws.min.js', type: 'text/javascript' },
};

/**
 * Starts GraphiQL with a fetcher that sends subscriptions over graphql-ws, passing the header editor's
 * `Authorization` as the `connection_init` payload (the hub reads the token there), and a new socket when it
 * changes: a refreshed token is a new connection.
 */
const START = `(function () {
  var graphqlUrl = new URL('/graphql', location.href);
  var socketUrl = new URL(graphqlUrl);
  socketUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  var http = GraphiQL.createFetcher({ url: graphqlUrl.href });
  var socket = null;
  var socketAuthorization;
  function isSubscription(params) {
    var query = String(params.query || '').replace(/#[^\\n]*/g, '');
    var name = params.operationName;
    if (name) return new RegExp('\\\\bsubscription\\\\s+' + name + '\\\\b').test(query);
    return /^\\s*subscription\\b/.test(query);
  }
  function fetcher(params, options) {
    if (!isSubscription(params)) return http(params, options);
    var headers = (options && options.headers) || {};
    var authorization = headers.Authorization || headers.authorization;
    if (!socket || socketAuthorization !== authorization) {
      if (socket) socket.dispose();
      socketAuthorization = authorization;
      socket = graphqlWs.createClient({ url: socketUrl.href, connectionParams: authorization ? { authorization: authorization } : {} });
    }
    var client = socket;
    return {
      subscribe: function (observer) {
        var dispose = client.subscribe(
          { query: params.query, variables: params.variables, operationName: params.operationName },
          {
            next: function (value) { observer.next(value); },
            error: function (error) { observer.error(error instanceof Error ? error : new Error(error && error.reason ? 'Connection closed: ' + error.code + ' ' + error.reason : 'Connection error')); },
            complete: function () { observer.complete(); },
          },
        );
        return { unsubscribe: dispose };
      },
    };
  }
  var defaultQuery = document.getElementById('default-query').textContent;
  ReactDOM.render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, isHeadersEditorEnabled: true, shouldPersistHeaders: false }),
    document.getElementById('graphiql'),
  );
})();
`;

const DEFAULT_QUERY = `# The hub's public data needs no token. Personal data, writes and subscriptions (assessmentRecorded)
# need one in the Headers tab below: { "Authorization": "Bearer <token>" }; the demo mints tokens with
# npm run -s token -- --institution rvt.lv --role coordinator
query Units {
  units(first: 5) {
    edges {
      node { id title(lang: "en") eqfLevel ecvetPoints institution { name country } }
    }
  }
}
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ECVET federation hub · GraphiQL</title>
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="text/plain" id="default-query">${DEFAULT_QUERY.replace(/</g, '&lt;')}</script>
<script src="${ASSET_PREFIX}react.production.min.js"></script>
<script src="${ASSET_PREFIX}react-dom.production.min.js"></script>
<script src="${ASSET_PREFIX}graphql-ws.min.js"></script>
<script src="${ASSET_PREFIX}graphiql.min.js"></script>
<script src="${ASSET_PREFIX}start.js"></script>
</body>
</html>
`;

/** Apollo Server's landing page (GET /graphql from a browser) replaced by the local GraphiQL page. */
function explorerLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}

/** `GET /explorer/<file>`: GraphiQL and React from node_modules, and the start script; nothing else. */
function explorerRoute(): Route {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [name, { module, type }] of Object.entries(VENDOR)) {
    const [pkg, ...rest] = module.split('/');
    // Resolved through package.json: these packages' `exports` do not list their browser bundles.
    const root = dirname(require.resolve(`${pkg}/package.json`));
    files.set(name, { body: readFileSync(join(root, ...rest)), type });
  }
  files.set('start.js', { body: Buffer.from(START), type: 'text/javascript' });
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(ASSET_PREFIX)) return false;
    const file =
      request.method === 'GET' || request.method === 'HEAD' ? files.get(path.slice(ASSET_PREFIX.length)) : undefined;
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
      return true;
    }
    response.writeHead(200, {
      'content-type': `${file.type}; charset=utf-8`,
      'content-length': file.body.length,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}

export interface ExplorerOptions {
  /** Production: no landing page and no explorer files. @default false */
  production?: boolean;
}

/** The explorer as a gateway part: the landing page plugin and the route of its files, or, in production, the landing page turned off. */
export function useExplorer(options: ExplorerOptions = {}): GatewayPart {
  if (options.production) return { name: 'explorer', plugins: [ApolloServerPluginLandingPageDisabled()] };
  return { name: 'explorer', plugins: [explorerLandingPage()], routes: [explorerRoute()] };
}
