import { generateHopKeyPair, type HopSigningKey } from '../../platform/hop-keys';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  getHopOperation,
  HOP_HEADERS,
  hopAudience,
  signHop,
  SUBSCRIPTION_HOP_OPERATION,
  type HopIdempotency,
  type HopOperation,
} from '../../platform/signed-hop';
import type { Caller } from '../../platform/caller';

/** One request the kit made and what came back, as the report shows them. */
export interface Exchange {
  sent: string;
  received: string;
}

export interface GraphQLError {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: GraphQLError[]; extensions?: Record<string, unknown> };
}

/**
 * How a call is signed: not at all, as the hub would (its key, the shard's audience, the operation sent), or
 * wrongly on purpose (a stranger's key, another audience, another operation).
 */
export type Signing =
  | { as: 'anonymous' }
  | { as: 'hub'; caller: Caller | null; idempotency?: HopIdempotency }
  | { as: 'stranger' }
  | { as: 'other-audience' }
  | { as: 'other-operation' }
  /**
   * A batch of two hops under one signature (platform/hop-batch.ts), the shard's and another shard's: `own` sends the
   * shard its own; `other` the other shard's, as is; `forged` the other shard's re-addressed to this one, with its
   * proof (what a member's shard that got it would try).
   */
  | { as: 'batch'; hop: 'own' | 'other' | 'forged' };

export interface ProbeOptions {
  kind: string;
  /** The shard's GraphQL URL. */
  url: string;
  institution: string;
  /** The hub's hop private key: without it, nothing is signed as the hub and checks that need it are skipped. */
  hopKey: HopSigningKey | null;
  timeoutMs?: number;
}

/** What a subscription over graphql-ws came to within the time the kit waited. */
export interface SubscriptionOutcome {
  /** The close code when the shard closed the socket. */
  closeCode: number | null;
  errors: unknown[];
  events: unknown[];
}

/** Thrown by a check that found the shard breaking a requirement. */
export class Violation extends Error {}

/** A requirement's check could not run with what the kit was given (no hop key, no --write). */
export class Skipped extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Violation(message);
}

const clip = (text: string, max = 1_500) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** The kit's HTTP client: every call is recorded for the requirement being checked. */
export class Probe {
  exchanges: Exchange[] = [];
  /** Every GraphQL error any check received, for the error-code requirement. */
  readonly errorsSeen: GraphQLError[] = [];
  private stranger: HopSigningKey | null = null;

  constructor(readonly options: ProbeOptions) {}

  get base(): string {
    return new URL('/', this.options.url).toString().replace(/\/$/, '');
  }

  requireHopKey(): HopSigningKey {
    if (!this.options.hopKey) throw new Skipped('needs the hub hop key (--hop-key)');
    return this.options.hopKey;
  }

  private async headersFor(signing: Signing, operation: HopOperation): Promise<Record<string, string>> {
    const audience = hopAudience(this.options.kind, this.options.institution);
    const requestId = 'conformance';
    switch (signing.as) {
      case 'anonymous':
        return {};
      case 'hub':
        return signHop({
          key: this.requireHopKey(),
          audience,
          caller: signing.caller,
          requestId,
          operation,
          idempotency: signing.idempotency ?? null,
        });
      case 'stranger':
        this.stranger ??= (await generateHopKeyPair()).key;
        return signHop({ key: this.stranger, audience, caller: null, requestId, operation });
      case 'other-audience':
        return signHop({
          key: this.requireHopKey(),
          audience: hopAudience(this.options.kind, 'other-school.example'),
          caller: null,
          requestId,
          operation,
        });
      case 'other-operation':
        return signHop({
          key: this.requireHopKey(),
          audience,
          caller: null,
          requestId,
          operation: { query: '{ __typename }', variables: null },
        });
      case 'batch': {
        const key = this.requireHopKey();
        const other = hopAudience(this.options.kind, 'other-school.example');
        const [own, others] = await Promise.all(
          [audience, other].map((to) =>
            signHop({ key, audience: to, caller: null, requestId, operation, batch: true }),
          ),
        );
        if (signing.hop === 'own') return own as Record<string, string>;
        if (signing.hop === 'other') return others as Record<string, string>;
        const [root, leaf = '', proof] = String(others?.[HOP_HEADERS.hop]).split('~');
        const claims = JSON.parse(Buffer.from(leaf, 'base64url').toString('utf8')) as Record<string, unknown>;
        const forged = Buffer.from(JSON.stringify({ ...claims, aud: audience })).toString('base64url');
        return { ...others, [HOP_HEADERS.hop]: `${root}~${forged}~${proof}` };
      }
    }
  }

  async graphql(
    query: string,
    variables: Record<string, unknown> | null = null,
    signing: Signing = { as: 'anonymous' },
  ): Promise<Answer> {
    const headers = await this.headersFor(signing, { query, variables });
    const sent = JSON.stringify(variables ? { query, variables } : { query });
    const signedNote =
      signing.as === 'anonymous'
        ? 'unsigned'
        : `hop: ${signing.as}${signing.as === 'batch' ? ` (${signing.hop})` : ''}`;
    let answer: Answer;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: sent,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      let body: Answer['body'];
      try {
        body = JSON.parse(text) as Answer['body'];
      } catch {
        this.exchanges.push({ sent: `POST ${this.options.url} (${signedNote}) ${clip(sent)}`, received: clip(text) });
        throw new Violation(`the answer to POST ${this.options.url} is not JSON (HTTP ${response.status})`);
      }
      answer = { status: response.status, body };
    } catch (error) {
      if (error instanceof Violation) throw error;
      this.exchanges.push({ sent: `POST ${this.options.url} (${signedNote}) ${clip(sent)}`, received: String(error) });
      throw new Violation(`POST ${this.options.url} failed: ${(error as Error).message}`);
    }
    this.exchanges.push({
      sent: `POST ${this.options.url} (${signedNote}) ${clip(sent)}`,
      received: `HTTP ${answer.status} ${clip(JSON.stringify(answer.body))}`,
    });
    this.errorsSeen.push(...(answer.body.errors ?? []));
    return answer;
  }

  /**
   * Subscribes over graphql-ws on the shard's /graphql, the connection signed as the hub signs it (`connection_init`
   * carries the hop over the connection itself), and reports what happened within `waitMs`.
   */
  async subscribe(query: string, signing: Signing, waitMs = 1_500): Promise<SubscriptionOutcome> {
    const connectionParams = await this.headersFor(signing, SUBSCRIPTION_HOP_OPERATION);
    const outcome: SubscriptionOutcome = { closeCode: null, errors: [], events: [] };
    const client = createClient({
      url: this.options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams,
      on: {
        closed: (event) => {
          outcome.closeCode = (event as { code?: number }).code ?? null;
        },
      },
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      client.subscribe(
        { query },
        {
          next: (value) => outcome.events.push(value),
          error: (error) => {
            outcome.errors.push(error instanceof Error ? error.message : error);
            clearTimeout(timer);
            resolve();
          },
          complete: () => {
            clearTimeout(timer);
            resolve();
          },
        },
      );
    });
    await client.dispose();
    this.exchanges.push({
      sent: `WS ${this.options.url.replace(/^http/, 'ws')} (${signing.as === 'anonymous' ? 'unsigned' : `hop: ${signing.as}`}) subscribe ${clip(query)}`,
      received: clip(JSON.stringify(outcome)),
    });
    return outcome;
  }

  /** `GET <base><path>`, signed as the hub's gateway signs its change-feed polls when `signed`. */
  async get(path: string, signed = false): Promise<{ status: number; json: unknown }> {
    const headers = signed
      ? await signHop({
          key: this.requireHopKey(),
          audience: hopAudience(this.options.kind, this.options.institution),
          caller: null,
          requestId: 'conformance',
          operation: getHopOperation(path),
        })
      : {};
    const url = this.base + path;
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      const text = await response.text();
      this.exchanges.push({
        sent: `GET ${url}${signed ? ' (hop: hub)' : ''}`,
        received: `HTTP ${response.status} ${clip(text)}`,
      });
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // left null: the check says what it expected
      }
      return { status: response.status, json };
    } catch (error) {
      this.exchanges.push({ sent: `GET ${url}`, received: String(error) });
      throw new Violation(`GET ${url} failed: ${(error as Error).message}`);
    }
  }
}

/** The `data` of an answer that must have no errors. */
export function dataOf(answer: Answer, what: string): Record<string, unknown> {
  const errors = answer.body.errors ?? [];
  check(
    errors.length === 0,
    `${what}: expected no errors, got ${errors.map((e) => `${String(e.extensions?.code)} "${e.message}"`).join('; ')}`,
  );
  check(answer.body.data, `${what}: the answer has no data`);
  return answer.body.data;
}

export function codesOf(answer: Answer): string[] {
  return (answer.body.errors ?? []).map((error) => String(error.extensions?.code));
}
