import { createHash, randomBytes } from 'node:crypto';
import { batchTree, decodeProof, encodeProof, leafHash, MAX_PROOF_STEPS, rootOf, type ProofStep } from './hop-batch';

const leavesOf = (count: number) =>
  Array.from({ length: count }, (_, i) => Buffer.from(`hop ${i} ${randomBytes(4).toString('hex')}`));

describe('hash tree of a batch of hops', () => {
  it('leads every leaf of batches of 1 to 70 hops to the root, in at most ⌈log2 n⌉ steps', () => {
    for (let count = 1; count <= 70; count += 1) {
      const leaves = leavesOf(count);
      const { root, proofs } = batchTree(leaves);
      leaves.forEach((leaf, i) => {
        const proof = proofs[i] as ProofStep[];
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(count)));
        expect(rootOf(leaf, proof).equals(root)).toBe(true);
        expect(rootOf(leaf, decodeProof(encodeProof(proof)) as ProofStep[]).equals(root)).toBe(true);
      });
    }
  });

  it('a lone hop is its own root', () => {
    const [leaf] = leavesOf(1) as [Buffer];
    expect(batchTree([leaf])).toEqual({ root: leafHash(leaf), proofs: [[]] });
  });

  it("no leaf leads to the root with another leaf's proof, an edited leaf, or a step on the wrong side", () => {
    const leaves = leavesOf(9);
    const { root, proofs } = batchTree(leaves);
    const [first, second] = leaves as [Buffer, Buffer];
    const [proof0, proof1] = proofs as [ProofStep[], ProofStep[]];
    expect(rootOf(first, proof1).equals(root)).toBe(false);
    expect(rootOf(second, proof0).equals(root)).toBe(false);
    expect(rootOf(Buffer.concat([first, Buffer.from(' ')]), proof0).equals(root)).toBe(false);
    const flipped = proof0.map((step, i) => (i === 0 ? { ...step, side: 'left' as const } : step));
    expect(rootOf(first, flipped).equals(root)).toBe(false);
  });

  it('an inner node never passes for a hop: leaves and nodes are hashed apart', () => {
    const leaves = leavesOf(4);
    const { root, proofs } = batchTree(leaves);
    // The pair (leaf 0, leaf 1) as one "leaf" with the last step of leaf 0's proof would give the root if
    // nodes were hashed as leaves are.
    const pair = Buffer.concat([leafHash(leaves[0] as Buffer), leafHash(leaves[1] as Buffer)]);
    const upper = (proofs[0] as ProofStep[]).slice(1);
    expect(rootOf(pair, upper).equals(root)).toBe(false);
    // What a node is: SHA-256 of 0x01 and its two children.
    const node = createHash('sha256')
      .update(Buffer.from([1]))
      .update(pair)
      .digest();
    const [last] = upper as [ProofStep];
    expect(
      createHash('sha256')
        .update(Buffer.from([1]))
        .update(node)
        .update(last.hash)
        .digest()
        .equals(root),
    ).toBe(true);
  });

  it('decodes only well-formed proofs of at most MAX_PROOF_STEPS steps', () => {
    const step = `L${Buffer.alloc(32, 7).toString('base64url')}`;
    expect(decodeProof('')).toEqual([]);
    expect(decodeProof(Array(MAX_PROOF_STEPS).fill(step).join('.'))).toHaveLength(MAX_PROOF_STEPS);
    expect(
      decodeProof(
        Array(MAX_PROOF_STEPS + 1)
          .fill(step)
          .join('.'),
      ),
    ).toBeNull();
    expect(decodeProof(`X${step.slice(1)}`)).toBeNull();
    expect(decodeProof(`${step}.`)).toBeNull();
    expect(decodeProof(`L${Buffer.alloc(31).toString('base64url')}`)).toBeNull();
    expect(decodeProof(`${step}A`)).toBeNull();
  });

  it('refuses an empty batch', () => {
    expect(() => batchTree([])).toThrow(/at least one hop/);
  });
});
