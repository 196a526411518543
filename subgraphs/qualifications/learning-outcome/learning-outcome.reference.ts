import type { LearningOutcome } from '../../../schema/learning-outcome';
import type { QualificationsContext } from '../context';
import { ownLocalId } from '../../shared/local-id';
import { toLearningOutcome } from './learning-outcome.mapper';

export async function resolveLearningOutcomeReference(
  reference: Pick<LearningOutcome, 'id'>,
  context: QualificationsContext,
): Promise<LearningOutcome | null> {
  const localId = ownLocalId(context.institution, reference.id);
  if (localId === null) return null;
  const record = await context.loaders.outcome.load(localId);
  return record ? toLearningOutcome(record, context.institution) : null;
}
