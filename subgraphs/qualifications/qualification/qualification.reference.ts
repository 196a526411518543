import type { Qualification } from '../../../schema/qualification';
import type { QualificationsContext } from '../context';
import { ownLocalId } from '../../shared/local-id';
import { toQualification } from './qualification.mapper';

export async function resolveQualificationReference(
  reference: Pick<Qualification, 'id'>,
  context: QualificationsContext,
): Promise<Qualification | null> {
  const localId = ownLocalId(context.institution, reference.id);
  if (localId === null) return null;
  const record = await context.loaders.qualification.load(localId);
  return record ? toQualification(record, context.institution) : null;
}
