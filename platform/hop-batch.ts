import { createHash } from 'node:crypto';

/**
 * The hash tree of a batch of hops: one signature over the root vouches for every hop of a fan-out, and each shard
 * gets its own hop with the sibling hashes that lead from it to the root (its proof), never another shard's hop.
 * As in RFC 6962 (Certificate Transparency), leaves and inner nodes are hashed with different first bytes, so an
 * inner node can never pass for a hop; an odd node at the end of a level is carried up unchanged, never paired
 * with a copy of itself. A shard that holds its own hop, the root's signature and the hashes of its siblings
 * cannot make a hop for another shard: it would need a text whose hash is one of those, and every hop holds a
 * nonce of 128 random bits that only its own shard sees.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** A proof step: the sibling's hash, and the side it is on. */
export interface ProofStep {
  side: 'left' | 'right';
  hash: Buffer;
}

/** At most this many steps: a batch of up to 65,536 hops, far more than the shards of any fan-out. */
export const MAX_PROOF_STEPS = 16;

export function leafHash(leaf: Buffer): Buffer {
  return createHash('sha256').update(LEAF).update(leaf).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The root of the leaves' tree and, for each leaf, the steps from it to the root. */
export function batchTree(leaves: readonly Buffer[]): { root: Buffer; proofs: ProofStep[][] } {
  if (leaves.length === 0) throw new Error('a batch of hops holds at least one hop');
  if (leaves.length > 2 ** MAX_PROOF_STEPS) throw new Error(`a batch of hops holds at most ${2 ** MAX_PROOF_STEPS}`);
  const proofs: ProofStep[][] = leaves.map(() => []);
  // Each node of a level, with the leaves under it: a step is added to all of them when the node is paired.
  let level = leaves.map((leaf, index) => ({ hash: leafHash(leaf), under: [index] }));
  while (level.length > 1) {
    const next: typeof level = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as (typeof level)[number];
      const right = level[i + 1];
      if (!right) {
        next.push(left);
        continue;
      }
      for (const index of left.under) proofs[index]?.push({ side: 'right', hash: right.hash });
      for (const index of right.under) proofs[index]?.push({ side: 'left', hash: left.hash });
      next.push({ hash: nodeHash(left.hash, right.hash), under: [...left.under, ...right.under] });
    }
    level = next;
  }
  return { root: (level[0] as (typeof level)[number]).hash, proofs };
}

/** The root a leaf and its proof lead to. */
export function rootOf(leaf: Buffer, proof: readonly ProofStep[]): Buffer {
  let hash = leafHash(leaf);
  for (const step of proof) hash = step.side === 'left' ? nodeHash(step.hash, hash) : nodeHash(hash, step.hash);
  return hash;
}

const STEP = /^([LR])([A-Za-z0-9_-]{43})$/;

/** A proof as it crosses the wire: `L<hash>` or `R<hash>` per step (base64url SHA-256), joined by dots. */
export function encodeProof(proof: readonly ProofStep[]): string {
  return proof.map((step) => `${step.side === 'left' ? 'L' : 'R'}${step.hash.toString('base64url')}`).join('.');
}

/** The proof a text encodes; null when it is not one (a malformed step, or more than MAX_PROOF_STEPS). */
export function decodeProof(text: string): ProofStep[] | null {
  if (text === '') return [];
  const parts = text.split('.', MAX_PROOF_STEPS + 1);
  if (parts.length > MAX_PROOF_STEPS) return null;
  const proof: ProofStep[] = [];
  for (const part of parts) {
    const [, side, hash] = STEP.exec(part) ?? [];
    if (!side || !hash) return null;
    const bytes = Buffer.from(hash, 'base64url');
    if (bytes.length !== 32) return null;
    proof.push({ side: side === 'L' ? 'left' : 'right', hash: bytes });
  }
  return proof;
}
