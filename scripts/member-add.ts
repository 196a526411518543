import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importJWK, type JWK } from 'jose';
import { parseRegistry } from '../gateway/registry/registry';
import { readSigningKey, type HopSigningKey } from '../platform/hop-keys';
import { isShardKind, requirementsFor, runRequirements, textReport } from './conformance';

/**
 * `npm run member:add -- --registry <registry.json> --entry <member.json> --hop-key <hub hop private key> [--dry-run]`:
 * admits a member only after its endpoints pass: the entry fits the registry (no shared issuer or key), its token
 * keys are reachable public RS256/ES256 keys, each shard trusts the hub's hop key and passes the conformance kit
 * (read-only), and each calling shard's service key is a public Ed25519 key. Then, unless --dry-run, the entry is
 * written into the registry; the gateway reads it at its next start.
 */

export interface MemberCheck {
  name: string;
  ok: boolean;
  detail: string;
}

type Entry = Record<string, unknown> & {
  code?: unknown;
  shards?: Record<string, string>;
  jwks?: { keys?: JWK[] };
  jwksUrl?: string;
  serviceJwks?: Record<string, { keys?: JWK[] }>;
  serviceJwksUrl?: Record<string, string>;
};

const TOKEN_ALGORITHMS: Record<string, (key: JWK) => boolean> = {
  RS256: (key) => key.kty === 'RSA' && typeof key.n === 'string',
  ES256: (key) => key.kty === 'EC' && key.crv === 'P-256',
};
const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

async function fetchJwks(url: string): Promise<{ keys?: JWK[] }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return (await response.json()) as { keys?: JWK[] };
}

/** Problems of a key set for `use`: public keys only, each with a `kid`, of the allowed algorithms. */
async function keyProblems(jwks: { keys?: JWK[] }, allowed: Record<string, (key: JWK) => boolean>): Promise<string[]> {
  const keys = jwks.keys ?? [];
  if (keys.length === 0) return ['the key set holds no keys'];
  const problems: string[] = [];
  for (const key of keys) {
    const name = typeof key.kid === 'string' ? `key ${key.kid}` : 'a key without kid';
    if (typeof key.kid !== 'string') problems.push('every key needs a kid');
    const leaked = PRIVATE_PARTS.filter((part) => part in key);
    if (leaked.length > 0)
      problems.push(`${name} carries private parts (${leaked.join(', ')}): publish the public half only`);
    const alg = typeof key.alg === 'string' ? key.alg : null;
    const fits = alg ? allowed[alg] : undefined;
    if (!alg || !fits)
      problems.push(`${name}: alg must be one of ${Object.keys(allowed).join(', ')}, not ${alg ?? 'unset'}`);
    else if (!fits(key)) problems.push(`${name}: its kty/crv do not fit ${alg}`);
    else if (leaked.length === 0) {
      try {
        await importJWK(key, alg);
      } catch (error) {
        problems.push(`${name} does not import: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

export async function checkMember(
  registryJson: { institutions: Entry[] },
  entry: Entry,
  hopKey: HopSigningKey,
): Promise<MemberCheck[]> {
  const checks: MemberCheck[] = [];
  const note = (name: string, problems: string[], passed: string) =>
    checks.push({ name, ok: problems.length === 0, detail: problems.length === 0 ? passed : problems.join('; ') });
  const code = typeof entry.code === 'string' ? entry.code : '';
  try {
    if (registryJson.institutions.some((other) => other.code === code)) throw new Error(`${code} is a member already`);
    parseRegistry({ institutions: [...registryJson.institutions, entry] }, 'the registry with the new entry');
    note('registry entry', [], `${code} fits the registry: its code, issuer and keys are its own`);
  } catch (error) {
    note('registry entry', [(error as Error).message], '');
    return checks;
  }
  try {
    const jwks = entry.jwksUrl ? await fetchJwks(entry.jwksUrl) : entry.jwks;
    if (!jwks) throw new Error('the entry names no token keys: give jwksUrl or jwks');
    note(
      'token keys',
      await keyProblems(jwks, TOKEN_ALGORITHMS),
      `${jwks.keys?.length ?? 0} public key(s), ${entry.jwksUrl ? `reachable at ${entry.jwksUrl}` : 'inline'}`,
    );
  } catch (error) {
    note('token keys', [(error as Error).message], '');
  }
  for (const [kind, url] of Object.entries(entry.shards ?? {})) {
    if (!isShardKind(kind)) {
      note(`${kind} shard`, [`${kind} is not a kind of the contract`], '');
      continue;
    }
    try {
      const health = (await (await fetch(new URL('/health', url), { signal: AbortSignal.timeout(10_000) })).json()) as {
        hopKeyIds?: unknown;
      };
      const ids = Array.isArray(health.hopKeyIds) ? health.hopKeyIds.map(String) : null;
      note(
        `${kind} shard: hop key`,
        ids && !ids.includes(hopKey.kid)
          ? [`the shard trusts hop keys ${ids.join(', ')}, not the hub's ${hopKey.kid}`]
          : [],
        ids
          ? `trusts the hub's hop key ${hopKey.kid}`
          : "fetches the hub's keys from its JWKS URL (checked by the kit's signed calls)",
      );
    } catch (error) {
      note(`${kind} shard: hop key`, [`GET /health failed: ${(error as Error).message}`], '');
    }
    const outcomes = await runRequirements(
      { kind, url, institution: code, hopKey, write: false },
      requirementsFor(kind, code),
    );
    const failed = outcomes.filter((o) => o.status === 'fail');
    note(
      `${kind} shard: conformance`,
      failed.length > 0 ? [`${failed.length} requirement(s) failed:\n${textReport(failed)}`] : [],
      `${outcomes.filter((o) => o.status === 'pass').length} requirements passed`,
    );
    if (kind !== 'qualifications') {
      try {
        const url = entry.serviceJwksUrl?.[kind];
        const jwks = url ? await fetchJwks(url) : entry.serviceJwks?.[kind];
        if (!jwks) throw new Error(`a ${kind} shard calls the hub: give serviceJwks.${kind} or serviceJwksUrl.${kind}`);
        const ed25519 = { EdDSA: (key: JWK) => key.kty === 'OKP' && key.crv === 'Ed25519' };
        note(`${kind} shard: service key`, await keyProblems(jwks, ed25519), 'public Ed25519 key(s)');
      } catch (error) {
        note(`${kind} shard: service key`, [(error as Error).message], '');
      }
    }
  }
  return checks;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      registry: { type: 'string' },
      entry: { type: 'string' },
      'hop-key': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.registry || !values.entry || !values['hop-key'])
    throw new Error(
      'usage: npm run member:add -- --registry <registry.json> --entry <member.json> --hop-key <file> [--dry-run]',
    );
  const registryJson = JSON.parse(readFileSync(values.registry, 'utf8')) as { institutions: Entry[] };
  const entry = JSON.parse(readFileSync(values.entry, 'utf8')) as Entry;
  const hopKey = await readSigningKey(readFileSync(values['hop-key'], 'utf8'), '--hop-key');
  const checks = await checkMember(registryJson, entry, hopKey);
  for (const check of checks) console.log(`${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`);
  if (checks.some((check) => !check.ok)) {
    console.log(`${String(entry.code)} was not added: the registry is unchanged.`);
    process.exit(1);
  }
  if (values['dry-run']) {
    console.log(`${String(entry.code)} passes every check (dry run: the registry is unchanged).`);
    return;
  }
  const institutions = [...registryJson.institutions, entry].sort((a, b) => (String(a.code) < String(b.code) ? -1 : 1));
  writeFileSync(values.registry, `${JSON.stringify({ ...registryJson, institutions }, null, 2)}\n`);
  console.log(`${String(entry.code)} added to ${values.registry}: restart the gateway to serve it.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
