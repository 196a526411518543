import type { RecognitionDecision } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toDecision } from './decision.mapper';
import { requireDecision } from './decision.service';

export async function resolveDecisionReference(
  reference: { id: string },
  context: RecognitionContext,
): Promise<RecognitionDecision | null> {
  const record = await requireDecision(context, reference.id);
  return record && toDecision(record, context.institution);
}
