import type { Caller } from '../platform/caller';
import { readSigningKey, type HopSigningKey } from '../platform/hop-keys';
import { signHop } from '../platform/signed-hop';

/**
 * Hive Gateway's configuration in the bench (`hive-gateway supergraph <file> -c dist/bench/hive-gateway.config.js`).
 * Without HIVE_HOP_PRIVATE_KEY it is Hive Gateway as it comes. With it, every subgraph fetch to a URL named in
 * HIVE_HOP_AUDIENCES (URL → audience, JSON) carries a hop signed for the fixed HIVE_HOP_CALLER: the shards answer
 * personal data only to a signed hop, and the hub's price for it (one Ed25519 signature per shard call) is then
 * paid by both. Hive Gateway still checks no token and no party rule.
 */
/**
 * The part of Hive Gateway's plugin and config types used here, written out: its own typings bring global
 * augmentations (DOM fetch types, GraphQL error extensions) that would change how the project type-checks.
 */
interface FetchOptions {
  body?: unknown;
  headers?: Record<string, string>;
}
interface GatewayPlugin {
  onFetch(payload: {
    url: string;
    options: FetchOptions;
    setOptions(options: FetchOptions): void;
  }): Promise<void> | void;
}
interface Config {
  plugins: () => GatewayPlugin[];
}

function hopSigning(): GatewayPlugin | null {
  const pem = process.env.HIVE_HOP_PRIVATE_KEY;
  if (!pem) return null;
  const audiences = JSON.parse(process.env.HIVE_HOP_AUDIENCES ?? '{}') as Record<string, string>;
  const caller = JSON.parse(process.env.HIVE_HOP_CALLER ?? 'null') as Caller | null;
  let key: Promise<HopSigningKey> | null = null;
  let calls = 0;
  return {
    onFetch({ url, options, setOptions }) {
      const audience = audiences[url];
      if (!audience || typeof options.body !== 'string') return undefined;
      const operation = JSON.parse(options.body) as { query: string; variables?: Record<string, unknown> };
      key ??= readSigningKey(pem, 'HIVE_HOP_PRIVATE_KEY');
      calls += 1;
      return key
        .then((signingKey) => signHop({ key: signingKey, audience, caller, requestId: `hive-${calls}`, operation }))
        .then((hop) => setOptions({ ...options, headers: { ...options.headers, ...hop } }));
    },
  };
}

export const gatewayConfig: Config = {
  plugins: () => {
    const signing = hopSigning();
    return signing ? [signing] : [];
  },
};
