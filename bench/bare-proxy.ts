import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { DEFAULT_CONNECTIONS_PER_SHARD, DEFAULT_SHARD_TIMEOUT_MS } from '../gateway/routing/shard-client';
import { BUDGET_HEADER } from '../platform/budget';
import { readSigningKey, type HopSigningKey } from '../platform/hop-keys';
import { signHop, type HopOperation } from '../platform/signed-hop';

/**
 * Process entry of the bench's floor: a bare Node.js proxy that does only the transport work a gateway with the
 * hub's guarantees cannot avoid, so the bench can show what Node.js itself costs per request beside the hub.
 * No GraphQL: parse, sign, call, parse, write. For each `POST /graphql` it reads and `JSON.parse`s the body,
 * sends it unchanged to every upstream on an undici pool set up as the hub's shard client sets up its own, each
 * call with a hop signed by the hub's own signer (platform/signed-hop.ts) for that upstream's audience and no
 * caller, `JSON.parse`s every answer and writes one JSON answer: the one upstream's, or for several the first
 * answer with `units.edges` replaced by the first 20 of all upstreams' edges. That is not a GraphQL merge (no
 * order, no cursors, no totals): no validation, no planning, no limits, no auth, no deadlines, no tracing,
 * no error handling past a 502. It is a measuring instrument, not a gateway.
 *
 * Env: PORT, HUB_HOP_PRIVATE_KEY (PKCS8 PEM or JWK), BARE_UPSTREAMS: a JSON list of { url, audience }.
 */
interface Upstream {
  url: string;
  /** The hop audience the upstream shard accepts (`hopAudience(kind, institution)`). */
  audience: string;
}

interface Upstreamed extends Upstream {
  pool: Pool;
  path: string;
}

interface GraphQLBody {
  query?: string;
  variables?: Record<string, unknown> | null;
}

interface Answer {
  data?: { units?: { edges?: unknown[] } | null } | null;
}

/** How many edges a merged list keeps: the bench's fan-out query asks for `first: 20`. */
const PAGE = 20;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function call(
  upstream: Upstreamed,
  key: HopSigningKey,
  text: string,
  operation: HopOperation,
  requestId: string,
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    // What the hub tells a shard of its deadline: a header the shard reads, so the floor carries it too.
    [BUDGET_HEADER]: String(DEFAULT_SHARD_TIMEOUT_MS),
    ...(await signHop({ key, audience: upstream.audience, caller: null, requestId, operation })),
  };
  const response = await upstream.pool.request({ path: upstream.path, method: 'POST', headers, body: text });
  return JSON.parse(await response.body.text()) as Answer;
}

/** The one answer, or the first with the first page of every answer's `units.edges`: the simplest, not a merge. */
function combine(answers: Answer[]): Answer {
  const [first] = answers;
  if (answers.length === 1 || !first?.data?.units) return first ?? {};
  const edges = answers.flatMap((answer) => answer.data?.units?.edges ?? []).slice(0, PAGE);
  return { ...first, data: { ...first.data, units: { ...first.data.units, edges } } };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 4000);
  const key = await readSigningKey(process.env.HUB_HOP_PRIVATE_KEY ?? '', 'HUB_HOP_PRIVATE_KEY');
  const listed = JSON.parse(process.env.BARE_UPSTREAMS ?? '[]') as Upstream[];
  if (listed.length === 0) throw new Error('BARE_UPSTREAMS lists no upstreams');
  const upstreams: Upstreamed[] = listed.map((upstream) => {
    const url = new URL(upstream.url);
    // The hub's shard client pool (createShardClients): keep-alive, one request per connection at a time.
    const pool = new Pool(url.origin, {
      connections: DEFAULT_CONNECTIONS_PER_SHARD,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    return { ...upstream, pool, path: `${url.pathname}${url.search}` };
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    void (async () => {
      const text = await readBody(request);
      const body = JSON.parse(text) as GraphQLBody;
      const operation = { query: body.query ?? '', variables: body.variables ?? null };
      // One request ID per request, on every hop of it, as the hub signs them.
      const requestId = randomUUID();
      const answers = await Promise.all(upstreams.map((upstream) => call(upstream, key, text, operation, requestId)));
      const answer = JSON.stringify(combine(answers));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: `bare proxy: ${(error as Error).message}` }] }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  console.log(`bare proxy (floor: no GraphQL) listening at http://127.0.0.1:${port}/graphql`);
  const stop = () => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
