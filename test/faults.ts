import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { startGateway, type GatewayOptions, type RunningGateway } from '../gateway';
import { Registry } from '../gateway/registry/registry';
import { mintDemoToken } from '../scripts/token';
import { eventSocketServer, type SubscriptionAnswer } from './harness/event-socket';
import { postGraphQL, type GraphQLAnswer, type TestHub } from './harness/hub';

/** Fault injection for the resilience tests: a shard stand-in that misbehaves on demand, and a gateway over it. */

export type Behaviour =
  | 'pass'
  /** 503 with an HTML body, as a proxy in front of a dead shard answers. */
  | 'fail'
  /** The connection is cut before any answer. */
  | 'reset'
  /** 200 with a body that is not JSON (and names internals a client must never see). */
  | 'garbage'
  /** 200 with a GraphQL INTERNAL_SERVER_ERROR carrying a database message and a stack trace. */
  | 'internal-error'
  /** Waits `delayMs`, then passes. */
  | 'slow'
  /**
   * Passes, then rewrites the answer's data so its items claim `impersonating.other`'s: its code where the
   * shard's own stood (an `institution`), and its prefix on the shard's own IDs.
   */
  | 'impersonate'
  /** Passes, then answers `rewrite(data)` in place of the answer's data. */
  | 'rewrite';

export interface FaultyShard {
  url: string;
  behaviour: Behaviour;
  /** Calls the behaviour still applies to; after them, calls pass. @default Infinity */
  remaining: number;
  delayMs: number;
  /** GraphQL calls (POSTs) received, whatever the behaviour. */
  calls: number;
  /** `GET /health` requests received (the gateway's readiness and identity checks). */
  healthChecks: number;
  /** How long the stand-in takes to answer `GET /health`, whatever the behaviour. @default 0 */
  healthDelayMs: number;
  /** Bodies of the calls received (query text), newest last. */
  queries: string[];
  /** For 'impersonate': the institution behind the stand-in, and the one its answers claim to be. */
  impersonating: { own: string; other: string } | null;
  /** For 'rewrite': the data answered in place of the shard's. */
  rewrite: ((data: unknown) => unknown) | null;
  close(): Promise<void>;
}

/**
 * Waits `ms` as a slow shard would, but no longer than the caller waits for it: true once waited, false when the
 * caller went away first (its deadline passed, or the stand-in closed), so no timer outlives the call.
 */
function waitWhileAwaited(response: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const gone = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off('close', gone);
      resolve(true);
    }, ms);
    response.once('close', gone);
  });
}

/** Every string of `value` that is `own`'s code, or one of its IDs, made `other`'s. */
function claimAnother(value: unknown, own: string, other: string): unknown {
  if (typeof value === 'string')
    return value === own ? other : value.startsWith(`${own}:`) ? `${other}:${value.slice(own.length + 1)}` : value;
  if (Array.isArray(value)) return value.map((item) => claimAnother(item, own, other));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, claimAnother(item, own, other)]));
  return value;
}

const SECRET_DETAIL = 'ER_LOCK_DEADLOCK at /srv/shard/db.js:42 (password=hunter2)';

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A stand-in for a shard on 127.0.0.1: passes calls through to `target` (a real shard) or misbehaves as told; with
 * `events`, its WebSocket answers the hub's subscriptions so.
 */
export async function startFaultyShard(
  target: string,
  behaviour: Behaviour = 'pass',
  events?: SubscriptionAnswer,
): Promise<FaultyShard> {
  const faulty: FaultyShard = {
    url: '',
    behaviour,
    remaining: Infinity,
    delayMs: 0,
    calls: 0,
    healthChecks: 0,
    healthDelayMs: 0,
    queries: [],
    impersonating: null,
    rewrite: null,
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      if (request.method !== 'POST') {
        // Readiness probes (GET /health) are not shard calls.
        if (request.url === '/health') {
          faulty.healthChecks += 1;
          if (faulty.healthDelayMs > 0 && !(await waitWhileAwaited(response, faulty.healthDelayMs))) return;
        }
        const passing = ['pass', 'impersonate', 'rewrite'].includes(faulty.behaviour);
        response.writeHead(passing ? 200 : 503, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      faulty.calls += 1;
      faulty.queries.push((JSON.parse(body || '{}') as { query?: string }).query ?? '');
      const now = faulty.remaining > 0 ? faulty.behaviour : 'pass';
      faulty.remaining -= 1;
      switch (now) {
        case 'fail':
          response.writeHead(503, { 'content-type': 'text/html' }).end(`<html>${SECRET_DETAIL}</html>`);
          return;
        case 'reset':
          request.socket.destroy();
          return;
        case 'garbage':
          response.writeHead(200, { 'content-type': 'application/json' }).end(`<html>${SECRET_DETAIL}</html>`);
          return;
        case 'internal-error':
          response.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              data: null,
              errors: [
                {
                  message: SECRET_DETAIL,
                  extensions: {
                    code: 'INTERNAL_SERVER_ERROR',
                    exception: { stacktrace: ['Error: deadlock', '    at /srv/shard/db.js:42:7'] },
                  },
                },
              ],
            }),
          );
          return;
        case 'slow':
          if (!(await waitWhileAwaited(response, faulty.delayMs))) return;
          break;
        case 'pass':
        case 'impersonate':
        case 'rewrite':
          break;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && (name === 'content-type' || name.startsWith('x-hub-'))) headers[name] = value;
      }
      const answer = await fetch(target, { method: 'POST', headers, body });
      let text = await answer.text();
      if (now === 'impersonate' && faulty.impersonating) {
        const { own, other } = faulty.impersonating;
        const parsed = JSON.parse(text) as { data?: unknown };
        text = JSON.stringify({ ...parsed, data: claimAnother(parsed.data, own, other) });
      }
      if (now === 'rewrite' && faulty.rewrite) {
        const parsed = JSON.parse(text) as { data?: unknown };
        text = JSON.stringify({ ...parsed, data: faulty.rewrite(parsed.data) });
      }
      response
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
        .end(text);
    })().catch(() => response.destroy());
  });
  const sockets = events ? eventSocketServer({ server }, events) : null;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  faulty.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  faulty.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets?.clients ?? []) socket.terminate();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return faulty;
}

/** The error a shard costs when it answers another institution's items ('impersonate'): its whole share is dropped. */
export function foreignItemsError(kind: string, institution: string) {
  return {
    message: `The ${kind} shard of ${institution} answered items that are not its own (another institution's ID or name, or no ID; a shard answers for its own only); its data is missing from this answer`,
    extensions: expect.objectContaining({
      code: 'SHARD_UNAVAILABLE',
      institution,
      kind,
      cause: 'foreign-items',
    }) as unknown,
  };
}

export const LEAKED = ['ER_LOCK_DEADLOCK', '/srv/shard', 'hunter2', 'stacktrace', '<html>'];

export interface ExtraGateway {
  url: string;
  gateway: RunningGateway;
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLAnswer>;
  token(institution: string, roles: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * A second gateway over a test hub's shards, with some institutions' shard of `kind` replaced (by a faulty
 * stand-in, URLs by institution in `overrides`) and its own options (production, limits, resilience…).
 */
export async function startGatewayOver(
  hub: TestHub,
  overrides: Record<string, string>,
  options: Partial<GatewayOptions> = {},
  kind = 'qualifications',
): Promise<ExtraGateway> {
  const registry = new Registry(
    hub.gateway.registry.institutions.map((entry) => {
      const standIn = overrides[entry.code];
      return { ...entry, shards: { ...entry.shards, ...(standIn ? { [kind]: standIn } : {}) } };
    }),
  );
  const tokenSecret = randomBytes(24).toString('base64url');
  const gateway = await startGateway({
    supergraphSdl: readFileSync(join(__dirname, '..', 'schema', 'supergraph.graphql'), 'utf8'),
    registry,
    hopKey: hub.hopKeys.key,
    demoTokenSecret: tokenSecret,
    ...options,
  });
  return {
    url: gateway.url,
    gateway,
    request: (query, variables, token) => postGraphQL(gateway.url, query, variables, token),
    token: (institution, roles) => mintDemoToken({ institution, roles, secret: tokenSecret }),
    close: () => gateway.close(),
  };
}

/** A pino logger whose JSON lines a test can read. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, sink),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Sum of a Prometheus metric's samples (optionally those whose labels contain `labels`). */
export async function metricSum(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
