import type { TranscriptValidation } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { toValidation } from './validation.mapper';
import { requireValidation } from './validation.service';

export async function resolveValidationReference(
  reference: { id: string },
  context: RecognitionContext,
): Promise<TranscriptValidation | null> {
  const record = await requireValidation(context, reference.id);
  return record && toValidation(record, context.institution);
}
