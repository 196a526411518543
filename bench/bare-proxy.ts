import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import {
  DEFAULT_CONNECTIONS_PER_SHARD,
  DEFAULT_SHARD_TIMEOUT_MS,
  shardPoolOptions,
} from '../gateway/routing/shard-client';
import { BUDGET_HEADER } from '../platform/budget';
import { readSigningKey, type HopSigningKey } from '../platform/hop-keys';
import { signHop, type HopOperation } from '../platform/signed-hop';
import { runStandIn, serveStandIn } from './lib/stand-in';

/**
 * Process entry of the bench's floor: a bare Node.js proxy that does only the transport work a gateway with the
 * hub's guarantees cannot avoid, so the bench can show what Node.js itself costs per request beside the hub.
 * No GraphQL: parse, sign, call, parse, write. For each `POST /graphql` it reads and `JSON.parse`s the body,
 * sends it unchanged to every upstream on an undici pool set up as the hub's shard client sets up its own, each
 * call with a hop signed by the hub's own signer (platform/signed-hop.ts) for that upstream's audience and no
 * caller (batched, one signature for all upstreams, as the hub signs a fan-out), `JSON.parse`s every answer and
 * writes one JSON answer: the one upstream's, or for several the first answer with `units.edges` replaced by the
 * first 20 of all upstreams' edges. That is not a GraphQL merge (no order, no cursors, no totals): no validation,
 * no planning, no limits, no auth, no deadlines, no tracing, no error handling past a 502. It is a measuring
 * instrument, not a gateway.
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
    ...(await signHop({ key, audience: upstream.audience, caller: null, requestId, operation, batch: true })),
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
    const pool = new Pool(url.origin, shardPoolOptions(DEFAULT_CONNECTIONS_PER_SHARD));
    return { ...upstream, pool, path: `${url.pathname}${url.search}` };
  });
  await serveStandIn(port, 'bare proxy', 502, async (body) => {
    const text = body.toString('utf8');
    const parsed = JSON.parse(text) as GraphQLBody;
    const operation = { query: parsed.query ?? '', variables: parsed.variables ?? null };
    // One request ID per request, on every hop of it, as the hub signs them.
    const requestId = randomUUID();
    const answers = await Promise.all(upstreams.map((upstream) => call(upstream, key, text, operation, requestId)));
    return { body: JSON.stringify(combine(answers)) };
  });
  console.log(`bare proxy (floor: no GraphQL) listening at http://127.0.0.1:${port}/graphql`);
}

runStandIn(main);
