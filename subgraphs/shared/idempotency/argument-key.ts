import type { EntityManager } from 'typeorm';
import { ConflictError } from '../../../schema/errors';
import { IdempotencyRecord } from './idempotency.entity';

/**
 * A key a mutation takes among its arguments (e.g. `recognizeUnits(input: { idempotencyKey })`), kept with the
 * Idempotency-Key claims in the same table and pruned with them. The mutation records its answer under the key in
 * its own transaction, so the record exists exactly when the write does, and reads it back on a retry.
 */
export interface ArgumentKey {
  /**
   * Whose key, as the mutation decides (e.g. the caller's institution). An Idempotency-Key's scope names the caller's
   * subject after its institution, so the two kinds of key never answer each other.
   */
  scope: string;
  key: string;
  /** The mutation the key was given to. */
  field: string;
  /** Digest of what the request asks: the same key with another request is refused. */
  digest: string;
  /** Where the key was given, for the refusal (e.g. `input.idempotencyKey`). */
  argument: string;
}

/** The answer recorded under the key, or null when no request used it yet; CONFLICT when another request did. */
export async function answerUnderKey<T>(manager: EntityManager, claim: ArgumentKey): Promise<T | null> {
  const record = await manager.findOneBy(IdempotencyRecord, {
    scope: claim.scope,
    idempotencyKey: claim.key,
    field: claim.field,
  });
  if (!record || record.response === null) return null;
  if (record.requestDigest !== claim.digest) {
    throw new ConflictError(`${claim.argument} "${claim.key}" was used for a different request`, {
      field: claim.argument,
    });
  }
  return JSON.parse(record.response) as T;
}

/** Records the answer under the key, in the transaction of the write it answers. */
export async function recordAnswerUnderKey<T>(manager: EntityManager, claim: ArgumentKey, answer: T): Promise<void> {
  await manager.insert(IdempotencyRecord, {
    scope: claim.scope,
    idempotencyKey: claim.key,
    field: claim.field,
    requestDigest: claim.digest,
    response: JSON.stringify(answer),
    createdAt: new Date().toISOString(),
  });
}
