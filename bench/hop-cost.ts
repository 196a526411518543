import {
  createHash,
  createHmac,
  createPublicKey,
  randomBytes,
  sign as edSign,
  timingSafeEqual,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet } from 'jose';
import { generateHopKeyPair } from '../platform/hop-keys';
import { createHopVerifier, hopAudience, signHop, type HopOperation } from '../platform/signed-hop';
import type { Caller } from '../platform/caller';

/**
 * `node dist/bench/hop-cost.js [rounds]`: what one hop costs to sign at the gateway and check at the shard, the
 * shared-secret HMAC the hub used before against the Ed25519 JWT it signs now, alone and in a fan-out's batch
 * (one signature over a hash tree, platform/hop-batch.ts). Median and p99 in µs per hop.
 */
const caller: Caller = {
  institution: 'rvt.lv',
  roles: ['coordinator'],
  learnerId: null,
  subject: 'anna.berzina@rvt.lv',
};
const operation: HopOperation = {
  query: 'query($id: ID!) { unit(id: $id) { id title learningOutcomes { statement } } }',
  variables: { id: 'rvt.lv:WELD-U3' },
};

/** The former scheme, as it was: HMAC-SHA256 over time, nonce, request ID, caller and operation digest. */
function hmacHop(secret: string) {
  const digest = (op: HopOperation) =>
    createHash('sha256')
      .update(op.query)
      .update('\n')
      .update(JSON.stringify(op.variables ?? {}))
      .digest('base64url');
  const mac = (fields: string[], op: HopOperation) =>
    `v1=${createHmac('sha256', secret)
      .update(`${fields.join('.')}.${digest(op)}`)
      .digest('base64url')}`;
  return {
    sign: () => {
      const fields = [
        String(Date.now()),
        randomBytes(12).toString('base64url'),
        'req',
        Buffer.from(JSON.stringify(caller)).toString('base64url'),
      ];
      return { fields, signature: mac(fields, operation) };
    },
    verify: (hop: { fields: string[]; signature: string }) => {
      const expected = Buffer.from(mac(hop.fields, operation));
      const given = Buffer.from(hop.signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Error('HMAC refused');
      JSON.parse(Buffer.from(hop.fields[3] ?? '', 'base64url').toString('utf8'));
    },
  };
}

function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p99: at(0.99) };
}

/** Hops of one batch, as a fan-out to this many shards signs them. */
const FAN_OUT = 32;

/** Per hop: a sample of `perSample` hops (a batch) counts as that many, each at its share of the time. */
async function measure(rounds: number, sign: () => unknown, verify: (hop: never) => unknown, perSample = 1) {
  const signing: number[] = [];
  const checking: number[] = [];
  for (let i = 0; i < rounds + rounds / 10; i += 1) {
    const t0 = performance.now();
    const hop = await sign();
    const t1 = performance.now();
    await verify(hop as never);
    const t2 = performance.now();
    // The first tenth warms the JIT and is not counted.
    if (i >= rounds / 10) {
      signing.push(((t1 - t0) * 1000) / perSample);
      checking.push(((t2 - t1) * 1000) / perSample);
    }
  }
  return { sign: stats(signing), verify: stats(checking), total: stats(signing.map((s, i) => s + (checking[i] ?? 0))) };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 10_000);
  const hmac = hmacHop(randomBytes(24).toString('base64url'));
  const pair = await generateHopKeyPair();
  const audience = hopAudience('qualifications', 'rvt.lv');
  const verifyHop = createHopVerifier({ audience, keys: createLocalJWKSet(pair.publicKeys) });
  const fanOutAudiences = Array.from({ length: FAN_OUT }, (_, i) => hopAudience('qualifications', `school-${i}.eu`));
  const fanOutVerifiers = fanOutAudiences.map((to) =>
    createHopVerifier({ audience: to, keys: createLocalJWKSet(pair.publicKeys) }),
  );
  // On Node, jose's keys are KeyObjects: the same key, signed with directly, shows what jose adds.
  const privateKey = pair.key.privateKey as KeyObject;
  const publicKey = createPublicKey(privateKey);
  const payload = Buffer.from(JSON.stringify({ caller, operation, nonce: randomBytes(16).toString('base64url') }));
  const results = {
    'HMAC-SHA256 (shared secret, before)': await measure(rounds, hmac.sign, hmac.verify),
    'Ed25519 alone (node:crypto, reference)': await measure(
      rounds,
      () => edSign(null, payload, privateKey),
      (signature: Buffer) => {
        if (!edVerify(null, payload, publicKey, signature)) throw new Error('Ed25519 refused');
      },
    ),
    'Ed25519 JWT (jose, now)': await measure(
      rounds,
      () => signHop({ key: pair.key, audience, caller, requestId: 'req', operation }),
      async (headers: Record<string, string>) => {
        const result = await verifyHop((name) => headers[name], operation);
        if (result.error) throw new Error(result.error);
      },
    ),
    [`Ed25519, batches of ${FAN_OUT} (a fan-out)`]: await measure(
      rounds / FAN_OUT,
      () =>
        Promise.all(
          fanOutAudiences.map((to) =>
            signHop({ key: pair.key, audience: to, caller, requestId: 'req', operation, batch: true }),
          ),
        ),
      async (batch: Array<Record<string, string>>) => {
        for (const [i, headers] of batch.entries()) {
          const result = await fanOutVerifiers[i]?.((name) => headers[name], operation);
          if (!result || result.error) throw new Error(result?.error ?? 'no verifier');
        }
      },
      FAN_OUT,
    ),
  };
  console.log(`Hop cost per call, µs (median / p99), ${rounds} hops, Node ${process.version}`);
  for (const [name, r] of Object.entries(results)) {
    const f = (s: { median: number; p99: number }) => `${s.median.toFixed(1)} / ${s.p99.toFixed(1)}`;
    console.log(
      `  ${name.padEnd(38)} sign ${f(r.sign).padEnd(16)} verify ${f(r.verify).padEnd(16)} sign+verify ${f(r.total)}`,
    );
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
