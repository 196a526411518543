import { calculateJwkThumbprint, type JWK } from 'jose';
import type { HopSigningKey } from '../../platform/hop-keys';
import type { Logger } from '../../platform/logger';
import type { Registry, Shard } from '../registry/registry';
import { Bulkhead } from '../resilience/bulkhead';
import { ShardCallRefused } from '../resilience/resilience';

export interface ShardIdentityOptions {
  registry: Registry;
  /** The hub's hop key: a shard that lists the hop keys it trusts must list this one. Null compares kind and institution only. */
  hopKey: HopSigningKey | null;
  /** How long a verdict holds before the shard is asked again (a shard that was up is called on meanwhile). @default 30000 */
  recheckAfterMs?: number;
  /** How long a shard's /health may take before it counts as down. @default 2000 */
  timeoutMs?: number;
  /** How long a call waits for a verdict not yet known before it goes ahead unchecked (the check goes on for later calls). @default 250 */
  callWaitMs?: number;
  /** Where a warm-up logs each wrong shard and a count of what it found. */
  log?: Logger;
}

export const DEFAULT_IDENTITY_RECHECK_MS = 30_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;
export const DEFAULT_IDENTITY_CALL_WAIT_MS = 250;
/**
 * Shards a warm-up asks at once: a registry of thousands of members is not asked in one burst from one gateway (nor
 * from each replica starting together). Answering in a few ms, a hundred shards are known within 100 ms; a thousand
 * 50 ms away, within some 6 s.
 */
export const DEFAULT_WARM_UP_CONCURRENCY = 8;

/** What a shard's /health says about who answers at its URL. */
export type ShardIdentityVerdict =
  /** `hopBatches`: the shard says it accepts a fan-out's hops under one signature (platform/hop-batch.ts). */
  | { status: 'up'; hopBatches?: true }
  | { status: 'down'; reason: string }
  /** Something answers, but not the shard the registry names (another hub's demo on that port, say). */
  | { status: 'wrong shard'; error: string };

export interface ShardIdentity {
  /**
   * The verdict on one shard, asked again once it is older than `maxAgeMs` (default `recheckAfterMs`); an answer
   * still to come counts from when it was asked, so callers at the same time share one.
   */
  verdict(shard: Shard, maxAgeMs?: number): Promise<ShardIdentityVerdict>;
  /** Refuses a call (SHARD_UNAVAILABLE, cause wrong-shard) to a shard that proved to be another; cheap once cached. */
  assert(shard: Shard): Promise<void>;
  /**
   * What readiness shows of a shard: its verdict no older than `maxAgeMs`, an answer still to come waited for at most
   * `waitMs`, then the last one that came (down, before any came).
   */
  state(shard: Shard, maxAgeMs: number, waitMs: number): Promise<ShardIdentityVerdict>;
  /** Forgets a shard's verdict after a failed call, so the next call asks again. */
  forget(shard: Shard): void;
  /** Whether the shard's last answer said it accepts batched hops; false while none is known. */
  acceptsHopBatches(shard: Shard): boolean;
  /**
   * Asks each shard not asked yet, at most `concurrency` at once, so that the first calls after the gateway starts
   * neither wait for a shard's /health nor go unbatched, and a wrong shard is logged before any call; resolves once
   * all have answered (with each verdict), or at `close` (with those that came).
   */
  warm(shards: readonly Shard[], concurrency?: number): Promise<Array<{ shard: Shard; verdict: ShardIdentityVerdict }>>;
  /** Stops a warm-up and gives up the asks under way (each answers down), so that nothing is left to a closed gateway. */
  close(): void;
}

interface HealthAnswer {
  kind?: unknown;
  institution?: unknown;
  hopKeyIds?: unknown;
  serviceKeyId?: unknown;
  hopBatches?: unknown;
}

interface Entry {
  at: number;
  verdict: Promise<ShardIdentityVerdict>;
  settled?: ShardIdentityVerdict;
  before?: ShardIdentityVerdict;
}

/** Most bytes read of a shard's /health answer: it is a few hundred; the rest of a longer one is never read. */
const MAX_HEALTH_ANSWER_BYTES = 64 * 1024;

/** The answer's JSON; {} (which proves nothing) when it is not JSON or longer than MAX_HEALTH_ANSWER_BYTES. */
async function healthAnswerOf(answer: Response): Promise<HealthAnswer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (answer.body) {
    for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      // Leaving the loop cancels the rest of the answer.
      if (size > MAX_HEALTH_ANSWER_BYTES) return {};
      chunks.push(chunk);
    }
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** What `promise` brings, or null when `ms` pass first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const short = (ids: readonly string[]): string => `[${ids.map((id) => `${id.slice(0, 8)}…`).join(', ')}]`;

/**
 * A shard proves who it is in its /health answer: its kind, its institution, the ids (thumbprints) of the hub
 * hop keys it trusts and of its own service key. A shard that names another kind or institution, trusts hop
 * keys without this hub's, or holds a service key the registry does not list is another hub's shard: calls to
 * it would fail later with a signature error, so they are refused at once, naming the problem.
 */
export function useShardIdentity(options: ShardIdentityOptions): ShardIdentity {
  const recheckAfterMs = options.recheckAfterMs ?? DEFAULT_IDENTITY_RECHECK_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const callWaitMs = options.callWaitMs ?? DEFAULT_IDENTITY_CALL_WAIT_MS;
  /**
   * Per shard: when it was asked, the answer to come, the answer once it came (read without awaiting on the hot
   * path), and while it is asked again, the answer before.
   */
  const verdicts = new Map<string, Entry>();
  const keyOf = (shard: Shard) => `${shard.kind}\u0000${shard.institution}\u0000${shard.url}`;
  /**
   * Shards whose last settled answer said they take batched hops: kept while the answer is asked again (every
   * `recheckAfterMs`), so a fan-out's hops stay in one batch meanwhile; dropped after a failed call.
   */
  const batching = new Set<string>();

  const expectedServiceKeyIds = async (shard: Shard): Promise<string[] | null> => {
    const keys = options.registry.institution(shard.institution)?.serviceJwks?.[shard.kind]?.keys;
    return keys ? Promise.all(keys.map((key) => calculateJwkThumbprint(key as JWK))) : null;
  };

  const judge = (shard: Shard, answer: HealthAnswer, serviceKeyIds: string[] | null): ShardIdentityVerdict => {
    // An answer that names no kind and institution proves nothing either way: the call itself will tell.
    if (typeof answer.kind !== 'string' || typeof answer.institution !== 'string') return { status: 'up' };
    const hopKeyIds = Array.isArray(answer.hopKeyIds) ? answer.hopKeyIds.map(String) : null;
    const as = `${shard.url} answers as ${answer.kind}@${answer.institution}`;
    if (answer.kind !== shard.kind || answer.institution !== shard.institution) {
      return {
        status: 'wrong shard',
        error: `${as}, not as ${shard.kind}@${shard.institution}: the registry names another shard at that URL`,
      };
    }
    // A shard that fetches the hop keys from a JWKS URL cannot list them; kind and institution are all it proves.
    if (options.hopKey && hopKeyIds && !hopKeyIds.includes(options.hopKey.kid)) {
      return {
        status: 'wrong shard',
        error: `${as} trusting hop keys ${short(hopKeyIds)}, not this hub's key ${short([options.hopKey.kid])}: is another hub's demo running on that port?`,
      };
    }
    const serviceKeyId = typeof answer.serviceKeyId === 'string' ? answer.serviceKeyId : null;
    if (serviceKeyIds && serviceKeyId && !serviceKeyIds.includes(serviceKeyId)) {
      return {
        status: 'wrong shard',
        error: `${as} with service key ${short([serviceKeyId])}, not the registry's ${short(serviceKeyIds)}: is another hub's demo running on that port?`,
      };
    }
    return answer.hopBatches === true ? { status: 'up', hopBatches: true } : { status: 'up' };
  };

  // Aborted at close: an ask under way then ends at once instead of holding its socket until timeoutMs.
  const closing = new AbortController();

  const ask = async (shard: Shard): Promise<ShardIdentityVerdict> => {
    try {
      const answer = await fetch(new URL('/health', shard.url), {
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closing.signal]),
      });
      const body = await healthAnswerOf(answer);
      const verdict = judge(shard, body, await expectedServiceKeyIds(shard));
      if (verdict.status === 'wrong shard' || answer.ok) return verdict;
      return { status: 'down', reason: `HTTP ${answer.status}` };
    } catch (error) {
      return { status: 'down', reason: (error as Error).message };
    }
  };

  const verdict = (shard: Shard, maxAgeMs = recheckAfterMs): Promise<ShardIdentityVerdict> => {
    const key = keyOf(shard);
    const known = verdicts.get(key);
    if (known && Date.now() - known.at < maxAgeMs) return known.verdict;
    const entry: Entry = { at: Date.now(), verdict: ask(shard), before: known?.settled ?? known?.before };
    void entry.verdict.then((settled) => {
      entry.settled = settled;
      if (settled.status === 'up' && settled.hopBatches) batching.add(key);
      else batching.delete(key);
    });
    verdicts.set(key, entry);
    return entry.verdict;
  };

  return {
    verdict,
    assert: async (shard) => {
      const cached = verdicts.get(keyOf(shard));
      if (cached?.settled && Date.now() - cached.at < recheckAfterMs) {
        if (cached.settled.status === 'wrong shard') throw new ShardCallRefused('wrong-shard', cached.settled.error);
        return;
      }
      // A shard that was up goes on being called while it is asked again: a recheck every recheckAfterMs then
      // holds no call, nor splits a fan-out's batch of hops. A wrong or down shard's calls wait for it (callWaitMs).
      const asking = verdict(shard);
      if (verdicts.get(keyOf(shard))?.before?.status === 'up') return;
      // A shard that is slow to say who it is is not held up for it: a hanging shard costs its call's deadline, no more.
      const known = await within(asking, callWaitMs);
      if (known?.status === 'wrong shard') throw new ShardCallRefused('wrong-shard', known.error);
    },
    forget: (shard) => {
      verdicts.delete(keyOf(shard));
      batching.delete(keyOf(shard));
    },
    state: async (shard, maxAgeMs, waitMs) => {
      // Settled and young enough: no timer per shard and readiness request.
      const cached = verdicts.get(keyOf(shard));
      if (cached?.settled && Date.now() - cached.at < maxAgeMs) return cached.settled;
      const known = await within(verdict(shard, maxAgeMs), waitMs);
      if (known) return known;
      const entry = verdicts.get(keyOf(shard));
      return (
        entry?.settled ??
        entry?.before ?? { status: 'down', reason: `its /health has not answered within ${waitMs} ms` }
      );
    },
    acceptsHopBatches: (shard) => batching.has(keyOf(shard)),
    warm: async (shards, concurrency = DEFAULT_WARM_UP_CONCURRENCY) => {
      const unasked = shards.filter((shard) => !verdicts.has(keyOf(shard)));
      const slots = new Bulkhead(Math.max(1, concurrency), unasked.length);
      const answered: Array<{ shard: Shard; verdict: ShardIdentityVerdict }> = [];
      await Promise.all(
        unasked.map((shard) =>
          slots.run(async () => {
            if (closing.signal.aborted) return;
            // Asked meanwhile (by a call or readiness): that ask stands.
            const settled = await verdict(shard);
            if (!closing.signal.aborted) answered.push({ shard, verdict: settled });
          }),
        ),
      );
      const { log } = options;
      if (log && answered.length > 0) {
        const count = (status: ShardIdentityVerdict['status']) =>
          answered.filter((one) => one.verdict.status === status).length;
        for (const { shard, verdict: found } of answered)
          if (found.status === 'wrong shard')
            log.warn({ institution: shard.institution, kind: shard.kind, error: found.error }, 'wrong shard');
        log.info(
          { up: count('up'), down: count('down'), wrongShard: count('wrong shard') },
          'shards asked who they are',
        );
      }
      return answered;
    },
    close: () => closing.abort(),
  };
}
