import { ForbiddenError, NotFoundError } from '../../schema/errors';
import { requireCaller } from './access';
import type { ShardRequestContext } from './context';

/** An entity representation as `_entities` passes it to `__resolveReference`. */
export interface EntityReference {
  id: string;
}

/**
 * The `__resolveReference` of a personal entity (learning agreement, assessment, transcript, validation,
 * recognition decision, memorandum). `_entities` reaches it from anyone who can call the shard, so it answers
 * like the by-ID root fields, and tells a non-party nothing: no caller is UNAUTHENTICATED; a record that does
 * not exist and one the caller may not read are the same NOT_FOUND (a null entity and an error at its index);
 * only a party gets the entity. `resolve` applies the party rule and returns null when there is no record.
 */
export function personalReference<Context extends ShardRequestContext, Entity>(
  what: string,
  resolve: (reference: EntityReference, context: Context) => Promise<Entity | null>,
): (reference: EntityReference, context: Context) => Promise<Entity> {
  return async (reference, context) => {
    requireCaller(context);
    let entity: Entity | null = null;
    try {
      entity = await resolve(reference, context);
    } catch (error) {
      // A refusal would confirm the record exists: it becomes the answer for a record that does not.
      if (!(error instanceof ForbiddenError)) throw error;
    }
    if (entity === null) throw new NotFoundError(`No ${what} ${reference.id} is visible to the caller`);
    return entity;
  };
}
